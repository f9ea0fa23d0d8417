//! The pages' bodies (the layout around them is [`crate::html::layout`]): forms
//! carry the session's CSRF token, every text from outside is escaped.

use otpkit::verifier::DeviceState;

use crate::html::{error_if_any, esc, notice};
use crate::messages::CODE_DIGITS;

/// The notices a redirect asks for with `?done=…`.
const DONE: &[(&str, &str)] = &[
    (
        "assigned",
        "MFA device assigned. From now on, sign in with your password and a code from the app.",
    ),
    ("resynced", "MFA device resynchronised."),
    ("removed", "MFA device removed."),
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

/// Sign-in page 2: the MFA code of `user`, whose password was right.
pub fn mfa_body(csrf: &str, message: &str, user: &str) -> String {
    format!(
        r#"{message}
<p>Signing in as <b id="mfa-user">{user}</b>. Open your authenticator app and enter the {digits}-digit code it shows for this account.</p>
<form method="post" action="/signin/mfa" id="mfa-form">
<input type="hidden" name="csrf" value="{csrf}">
<label>MFA code <input name="code" id="mfa-code" inputmode="numeric" autocomplete="one-time-code" autofocus required></label>
<button id="mfa-submit">Submit</button>
</form>
<p><a href="/" id="mfa-cancel">Cancel</a> (start again with your user name and password)</p>"#,
        message = error_if_any(message),
        user = esc(user),
        csrf = esc(csrf),
        digits = CODE_DIGITS.get(),
    )
}

/// The signed-in home page: the account's MFA device and what can be done with it.
pub fn account_body(csrf: &str, state: Option<&DeviceState>) -> String {
    let csrf = esc(csrf);
    match state {
        None => r#"<p id="mfa-status">No MFA device assigned.</p>
<p><a href="/mfa/assign" id="assign">Assign MFA device</a></p>"#
            .to_owned(),
        Some(s) if !s.is_enrolled() => format!(
            r#"<p id="mfa-status">MFA device being assigned (not active yet).</p>
<p><a href="/mfa/assign" id="assign">Continue assigning the MFA device</a></p>
<form method="post" action="/mfa/remove"><input type="hidden" name="csrf" value="{csrf}"><button id="remove">Remove</button></form>"#
        ),
        Some(_) => format!(
            r#"<p id="mfa-status">Virtual MFA device assigned.</p>
<p><a href="/mfa/resync" id="resync">Resync MFA device</a></p>
<form method="post" action="/mfa/remove"><input type="hidden" name="csrf" value="{csrf}"><button id="remove">Remove MFA device</button></form>"#
        ),
    }
}

/// The inside of a form asking for two consecutive codes (enrolment, resync): the
/// CSRF token and the two inputs, posted as `csrf`, `code1`, `code2`.
fn two_code_inputs(csrf: &str) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{csrf}">
<label>MFA code 1 <input name="code1" id="code1" inputmode="numeric" autocomplete="off" required></label>
<label>MFA code 2 <input name="code2" id="code2" inputmode="numeric" autocomplete="off" required></label>"#,
        csrf = esc(csrf),
    )
}

/// The "set up virtual MFA device" page: the QR code (`svg`, markup already), the
/// secret `key` in groups of four, the form for two consecutive codes.
pub fn assign_body(csrf: &str, message: &str, svg: &str, key: &str) -> String {
    format!(
        r#"{message}
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
        inputs = two_code_inputs(csrf),
    )
}

/// The resync page.
pub fn resync_body(csrf: &str, message: &str) -> String {
    format!(
        r#"{message}
<p>If the MFA codes are refused although the app shows them, the device's clock may have drifted. Type two consecutive codes to resynchronise.</p>
<form method="post" action="/mfa/resync" id="resync-form">
{inputs}
<button id="resync-submit">Resync</button>
</form>"#,
        message = error_if_any(message),
        inputs = two_code_inputs(csrf),
    )
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

/// What an account's device is, for the administrator.
fn describe(state: Option<&DeviceState>, now: u64) -> String {
    match state {
        None => "none".into(),
        Some(s) if !s.is_enrolled() => "being assigned".into(),
        Some(s) if s.is_locked_at(now) => format!("locked out ({} failures)", s.failures()),
        Some(s) => format!("assigned, {} failures", s.failures()),
    }
}

/// Every account's device, with a "Clear lock-out" button where there are
/// failures.
pub fn admin_table(csrf: &str, rows: &[(String, Option<DeviceState>)], now: u64) -> String {
    let csrf = esc(csrf);
    let mut table = String::from(
        "<table id=\"accounts\"><tr><th>Account</th><th>MFA device</th><th></th></tr>",
    );
    for (name, state) in rows {
        let clear = match state {
            Some(s) if s.failures() > 0 || s.locked_until().is_some() => format!(
                r#"<form method="post" action="/admin/clear"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="user" value="{n}"><button data-user="{n}">Clear lock-out</button></form>"#,
                n = esc(name)
            ),
            _ => String::new(),
        };
        table.push_str(&format!(
            r#"<tr data-user="{n}"><td>{n}</td><td class="status">{}</td><td>{clear}</td></tr>"#,
            esc(&describe(state.as_ref(), now)),
            n = esc(name),
        ));
    }
    table.push_str("</table>");
    table
}
