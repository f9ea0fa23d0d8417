//! The pages' bodies (the layout around them is [`crate::html::layout`]): forms
//! carry the session's CSRF token, every text from outside is escaped.

use otpkit_store::audit::{EventKind, EventRecord, Reason};
use otpkit_store::{DeviceInfo, DeviceParams, MAX_DEVICES_PER_USER, UserStatus};

use crate::html::{error_if_any, esc, notice, url_encode, utc};
use crate::messages::CODE_DIGITS;
use crate::signin::Factor;

/// The notices a redirect asks for with `?done=…`.
const DONE: &[(&str, &str)] = &[
    (
        "assigned",
        "MFA device assigned. From now on, sign in with your password and a code from the app.",
    ),
    ("resynced", "MFA device resynchronised."),
    ("removed", "MFA device removed."),
    ("renamed", "MFA device renamed."),
    (
        "badname",
        "Not renamed: a device name is 1 to 64 characters, not only spaces.",
    ),
    (
        "nametaken",
        "Not renamed: another of your devices has that name.",
    ),
    ("signedout", "Signed out."),
    ("cleared", "Lock-out cleared."),
];

/// The notice for `?done=…`, or nothing.
pub fn done_notice(done: Option<&str>) -> String {
    DONE.iter()
        .find(|(k, _)| Some(*k) == done)
        .map(|(_, text)| notice(text))
        .unwrap_or_default()
}

/// Which form of the signed-out home page a message is about, and the user name
/// typed into it (shown again; a password never is).
#[derive(Clone, Copy)]
pub enum Typed<'a> {
    /// Neither: a fresh page.
    Nothing,
    /// The sign-in form, with the name typed.
    SignIn(&'a str),
    /// The sign-up form, with the name typed.
    SignUp(&'a str),
}

/// The signed-out home page: sign in (user name and password; the MFA code, if the
/// account has a device, on the next page), or create an account. `message` goes
/// above the form `typed` names, which shows the name typed again.
pub fn signin_forms(csrf: &str, message: &str, typed: Typed<'_>) -> String {
    let csrf = esc(csrf);
    let (signin_message, signin_name, signup_message, signup_name) = match typed {
        Typed::Nothing => (error_if_any(message), "", String::new(), ""),
        Typed::SignIn(name) => (error_if_any(message), name, String::new(), ""),
        Typed::SignUp(name) => (String::new(), "", error_if_any(message), name),
    };
    format!(
        r#"{signin_message}
<form method="post" action="/signin" id="signin-form">
<input type="hidden" name="csrf" value="{csrf}">
<label>User name <input name="user" id="signin-user" value="{signin_name}" autocomplete="username" autocapitalize="none" required></label>
<label>Password <input name="password" id="signin-password" type="password" autocomplete="current-password" required></label>
<button id="signin">Sign in</button>
</form>
<h2>No account yet?</h2>
{signup_message}
<form method="post" action="/signup" id="signup-form">
<input type="hidden" name="csrf" value="{csrf}">
<label>User name <input name="user" id="signup-user" value="{signup_name}" autocomplete="username" autocapitalize="none" required></label>
<label>Password (at least 8 characters) <input name="password" id="signup-password" type="password" autocomplete="new-password" minlength="8" required></label>
<button id="signup">Create account</button>
</form>
<p>Accounts live in this server's memory only (a demo: passwords hashed with Argon2id); MFA devices live in the device store.</p>"#,
        signin_name = esc(signin_name),
        signup_name = esc(signup_name),
    )
}

/// Sign-in page 2: the MFA code of `user`, whose password was right; a choice of
/// `devices` (the enrolled ones; any by default) and "remember this browser".
/// `message` is an error, `flash` a notice (a remember cookie revoked).
pub fn mfa_body(csrf: &str, message: &str, flash: &str, user: &str, devices: &[&str]) -> String {
    let mut options = String::from(r#"<option value="">Any of my devices</option>"#);
    for d in devices {
        options.push_str(&format!(r#"<option value="{d}">{d}</option>"#, d = esc(d)));
    }
    let flash = if flash.is_empty() {
        String::new()
    } else {
        format!(
            r#"<p class="error" id="remember-revoked">{}</p>"#,
            esc(flash)
        )
    };
    format!(
        r#"{flash}{message}
<p>Signing in as <b id="mfa-user">{user}</b>. Open your authenticator app and enter the {digits}-digit code it shows for this account.</p>
<form method="post" action="/signin/mfa" id="mfa-form">
<input type="hidden" name="csrf" value="{csrf}">
<label>MFA code <input name="code" id="mfa-code" inputmode="numeric" autocomplete="one-time-code" autofocus required></label>
<label>Device <select name="device" id="mfa-device">{options}</select></label>
<label><input type="checkbox" name="remember" value="1" id="mfa-remember"> Remember this browser for 30 days</label>
<button id="mfa-submit">Submit</button>
</form>
<p><a href="/" id="mfa-cancel">Cancel</a> (start again with your user name and password)</p>"#,
        message = error_if_any(message),
        user = esc(user),
        csrf = esc(csrf),
        digits = CODE_DIGITS.get(),
    )
}

/// What kind of device it is, for a person.
fn kind(params: Option<&DeviceParams>) -> &'static str {
    match params {
        Some(DeviceParams::Totp { .. }) => "Virtual MFA device (TOTP)",
        Some(DeviceParams::Hotp { .. }) => "Virtual MFA device (HOTP)",
        None => "Unreadable",
    }
}

/// The signed-in home page: how this session signed in, the account's MFA devices
/// (name, kind, added, enrolled, and what can be done with each), the link to
/// add one and to the security events.
pub fn account_body(csrf: &str, devices: &[DeviceInfo], with: &Factor) -> String {
    let csrf = esc(csrf);
    let enrolled = devices.iter().filter(|d| d.enrolled).count();
    let status = match (devices.len(), enrolled) {
        (0, _) => "No MFA device assigned.".to_owned(),
        (_, 0) => "MFA device being assigned (not active yet).".to_owned(),
        (_, 1) => "Virtual MFA device assigned.".to_owned(),
        (_, n) => format!("{n} virtual MFA devices assigned."),
    };
    let signed_in_with = match with {
        Factor::PasswordOnly => String::new(),
        Factor::Device(name) => format!(
            r#"<p id="signed-in-with">Signed in with MFA device <b id="signed-in-device">{}</b>.</p>"#,
            esc(name)
        ),
        Factor::Remembered(name) => format!(
            r#"<p id="signed-in-with">Signed in without a code: this browser is remembered (since a sign-in with <b id="signed-in-device">{}</b>).</p>"#,
            esc(name)
        ),
    };
    let mut body = format!(
        "{signed_in_with}\n<p id=\"mfa-status\">{}</p>\n",
        esc(&status)
    );
    if !devices.is_empty() {
        body.push_str("<table id=\"devices\"><tr><th>Device</th><th>Kind</th><th>Added</th><th>Enrolled</th><th></th></tr>");
        for d in devices {
            let n = esc(&d.name);
            let q = url_encode(&d.name);
            let (state, action) = if d.enrolled {
                (
                    "yes",
                    format!(r#"<a href="/mfa/resync?device={q}" data-resync="{n}">Resync</a>"#),
                )
            } else {
                (
                    "being assigned",
                    format!(
                        r#"<a href="/mfa/assign?device={q}" data-continue="{n}">Continue assigning</a>"#
                    ),
                )
            };
            body.push_str(&format!(
                r#"<tr data-device="{n}"><td class="name">{n}</td><td class="kind">{kind}</td><td class="added">{added}</td><td class="enrolled">{state}</td><td>{action} <form method="post" action="/mfa/remove" class="inline"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="device" value="{n}"><button data-remove="{n}">Remove</button></form> <form method="post" action="/mfa/rename" class="inline"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="device" value="{n}"><input name="to" aria-label="New name" maxlength="64" size="10" required data-rename-to="{n}"><button data-rename="{n}">Rename</button></form></td></tr>"#,
                kind = kind(d.params.as_ref()),
                added = utc(d.added_at),
            ));
        }
        body.push_str("</table>\n");
    }
    if devices.len() < MAX_DEVICES_PER_USER {
        body.push_str(r#"<p><a href="/mfa/assign" id="assign">Assign MFA device</a></p>"#);
    } else {
        body.push_str(&format!(
            "<p>{MAX_DEVICES_PER_USER} devices, the most an account may have.</p>"
        ));
    }
    body.push_str("\n<p><a href=\"/events\" id=\"events\">Security events</a></p>");
    body
}

/// The first step of assigning a device: its name (the account has `count`
/// devices already).
pub fn device_name_body(csrf: &str, message: &str, typed: &str, count: usize) -> String {
    format!(
        r#"{message}
<p>Give the device a name you will recognise (your account has {count} of at most {MAX_DEVICES_PER_USER}).</p>
<form method="post" action="/mfa/add" id="device-name-form">
<input type="hidden" name="csrf" value="{csrf}">
<label>Device name <input name="name" id="device-name" value="{typed}" maxlength="64" autocomplete="off" required></label>
<button id="device-name-submit">Continue</button>
</form>"#,
        message = error_if_any(message),
        csrf = esc(csrf),
        typed = esc(typed),
    )
}

/// The inside of a form asking for two consecutive codes of `device` (enrolment,
/// resync): the CSRF token, the device and the two inputs, posted as `csrf`,
/// `device`, `code1`, `code2`.
fn two_code_inputs(csrf: &str, device: &str) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="device" value="{device}">
<label>MFA code 1 <input name="code1" id="code1" inputmode="numeric" autocomplete="off" required></label>
<label>MFA code 2 <input name="code2" id="code2" inputmode="numeric" autocomplete="off" required></label>"#,
        csrf = esc(csrf),
        device = esc(device),
    )
}

/// The "set up virtual MFA device" page: the QR code (`svg`, markup already), the
/// secret `key` in groups of four, the form for two consecutive codes.
pub fn assign_body(csrf: &str, message: &str, device: &str, svg: &str, key: &str) -> String {
    format!(
        r#"{message}
<p>Device: <b id="device">{name}</b></p>
<ol>
<li>Install a compatible authenticator app on your phone or computer.</li>
<li>Open the app and scan this QR code:
<figure id="qr">{svg}</figure>
Or type this secret key into the app: <code id="secret-key">{key}</code></li>
<li>Type two consecutive MFA codes from the app below.
<form method="post" action="/mfa/assign" id="assign-form">
{inputs}
<button id="assign-submit">Assign MFA</button>
</form></li>
</ol>"#,
        message = error_if_any(message),
        key = esc(key),
        name = esc(device),
        inputs = two_code_inputs(csrf, device),
    )
}

/// The resync page.
pub fn resync_body(csrf: &str, message: &str, device: &str) -> String {
    format!(
        r#"{message}
<p>Device: <b id="device">{name}</b></p>
<p>If the MFA codes are refused although the app shows them, the device's clock may have drifted. Type two consecutive codes to resynchronise.</p>
<form method="post" action="/mfa/resync" id="resync-form">
{inputs}
<button id="resync-submit">Resync</button>
</form>"#,
        message = error_if_any(message),
        name = esc(device),
        inputs = two_code_inputs(csrf, device),
    )
}

/// What an event was, for a person.
fn event_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::EnrollmentBegun => "Device added (being assigned)",
        EventKind::EnrollmentCompleted => "Device assigned",
        EventKind::EnrollmentRefused => "Assigning codes refused",
        EventKind::SignInAccepted => "Signed in with a code",
        EventKind::SignInRefused => "Sign-in code refused",
        EventKind::SignInReplayed => "Sign-in code used twice",
        EventKind::LockoutStarted => "Locked out",
        EventKind::LockoutCleared => "Lock-out cleared",
        EventKind::Resynced => "Device resynchronised",
        EventKind::ResyncRefused => "Resync refused",
        EventKind::RecoveryCodeUsed => "Recovery code used",
        EventKind::RecoveryCodeRefused => "Recovery code refused",
        EventKind::RecoveryCodesRegenerated => "New recovery codes",
        EventKind::DeviceRenamed => "Device renamed",
        EventKind::DeviceRemoved => "Device removed",
        EventKind::SecretResealed => "Secret sealed again",
        EventKind::DeviceRemembered => "Browser remembered",
        EventKind::RememberedAccepted => "Signed in by a remembered browser",
        EventKind::RememberedRefused => "Remembered browser refused",
        EventKind::RememberedRevoked => "Remembered browsers revoked",
    }
}

/// Why, for a person.
fn reason_label(reason: Reason) -> &'static str {
    match reason {
        Reason::Invalid => "wrong code",
        Reason::Malformed => "not a code",
        Reason::Locked => "locked out",
        Reason::Replayed => "used before",
        Reason::NotEnrolled => "device not assigned yet",
        Reason::Expired => "expired",
        Reason::Unknown => "unknown",
        Reason::Theft => "copied to another browser",
        Reason::Revoked => "revoked",
        Reason::DeviceRemoved => "device removed",
        Reason::Error => "could not be checked",
    }
}

/// The security events page: the account's recent events, newest first (time,
/// event, device, reason; never a code).
pub fn events_body(events: &[EventRecord]) -> String {
    if events.is_empty() {
        return r#"<p id="no-events">No security events since the server started.</p>"#.into();
    }
    let mut table = String::from(
        "<p>The most recent events of your account since the server started, newest first.</p>
<table id=\"security-events\"><tr><th>Time</th><th>Event</th><th>Device</th><th>Reason</th></tr>",
    );
    for e in events {
        table.push_str(&format!(
            r#"<tr data-kind="{kind}"><td class="time">{time}</td><td class="event">{label}</td><td class="device">{device}</td><td class="reason">{reason}</td></tr>"#,
            kind = e.kind.name(),
            time = utc(e.at),
            label = event_label(e.kind),
            device = esc(e.device.as_deref().unwrap_or("")),
            reason = e.reason.map_or("", reason_label),
        ));
    }
    table.push_str("</table>");
    table
}

/// The administrator's sign-in form (no session yet: the token is the
/// credential, and the origin check keeps other sites' forms out).
pub fn admin_signin_body(message: &str, flash: &str) -> String {
    format!(
        r#"{flash}{message}
<form method="post" action="/admin/signin" id="admin-signin-form">
<label>Administrator token <input name="token" id="admin-token" type="password" autocomplete="off" required></label>
<button id="admin-signin">Sign in</button>
</form>
<p>The token is in the file the server was started with (<code>--admin-token-file PATH</code>).</p>"#,
        message = error_if_any(message),
    )
}

/// One account as the administrator sees it.
pub struct AccountRow {
    /// The account.
    pub name: String,
    /// Its failures, lock-out and device count.
    pub status: UserStatus,
    /// How many of its devices are enrolled.
    pub enrolled: usize,
}

/// What an account's devices are, for the administrator.
fn describe(row: &AccountRow, now: u64) -> String {
    let s = &row.status;
    let locked = s.locked_until.is_some_and(|until| now < until);
    if locked {
        format!("locked out ({} failures)", s.failures)
    } else if s.devices == 0 {
        "none".into()
    } else if row.enrolled == 0 {
        "being assigned".into()
    } else {
        let unit = if row.enrolled == 1 {
            "device"
        } else {
            "devices"
        };
        format!("{} {unit} assigned, {} failures", row.enrolled, s.failures)
    }
}

/// Every account's devices, with a "Clear lock-out" button where there are
/// failures.
pub fn admin_table(csrf: &str, rows: &[AccountRow], now: u64) -> String {
    let csrf = esc(csrf);
    let mut table = String::from(
        "<table id=\"accounts\"><tr><th>Account</th><th>MFA devices</th><th></th></tr>",
    );
    for row in rows {
        let n = esc(&row.name);
        let clear = if row.status.failures > 0 || row.status.locked_until.is_some() {
            format!(
                r#"<form method="post" action="/admin/clear"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="user" value="{n}"><button data-user="{n}">Clear lock-out</button></form>"#
            )
        } else {
            String::new()
        };
        table.push_str(&format!(
            r#"<tr data-user="{n}"><td>{n}</td><td class="status">{}</td><td>{clear}</td></tr>"#,
            esc(&describe(row, now)),
        ));
    }
    table.push_str("</table>");
    table
}
