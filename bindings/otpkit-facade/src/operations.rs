//! [`OPERATIONS`]: every operation a binding must expose.

/// One operation of the foreign-facing model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// A language-neutral name: `Type.member` for a type's constructor (`new`),
    /// static or method, a bare name for a free function; `snake_case`, which each
    /// language spells in its own case (`Totp.code_at` is JS `Totp.prototype.codeAt`).
    pub name: &'static str,
    /// What it does, in a few words.
    pub description: &'static str,
}

macro_rules! operations {
    ($($name:literal => $description:literal,)+) => {
        /// Every operation a binding must expose; each binding's parity test checks
        /// its surface against this list (with its own short list of exclusions).
        pub const OPERATIONS: &[Operation] = &[
            $(Operation { name: $name, description: $description },)+
        ];
    };
}

operations! {
    "Secret.generate" => "a new random secret for an algorithm",
    "Secret.from_base32" => "a secret from Base32 as people paste it",
    "Secret.from_bytes" => "a secret from raw bytes",
    "Secret.bytes" => "the secret's bytes",
    "Secret.base32" => "the canonical Base32 text",
    "Secret.base32_grouped" => "the Base32 text in groups of four",
    "Totp.new" => "a TOTP generator: algorithm, digits, period, t0",
    "Totp.from_account" => "the TOTP generator of an account",
    "Totp.code_at" => "the code at a Unix time",
    "Totp.code_at_step" => "the code of a time step",
    "Totp.step_at" => "the time step of a Unix time",
    "Totp.seconds_left" => "seconds until the code changes",
    "Totp.verify" => "a typed code around a Unix time: the match, or none",
    "Hotp.new" => "an HOTP generator: algorithm, digits",
    "Hotp.from_account" => "the HOTP generator of an account",
    "Hotp.code" => "the code at a counter",
    "Hotp.verify" => "a typed code from a counter with look-ahead: the match, or none",
    "SteamGuard.new" => "a Steam Guard generator",
    "SteamGuard.from_account" => "the Steam generator of an account",
    "SteamGuard.code_at" => "the Steam code at a Unix time",
    "SteamGuard.seconds_left" => "seconds until the Steam code changes",
    "SteamGuard.verify" => "a typed Steam code around a Unix time: the match, or none",
    "parse_otpauth_uri" => "an otpauth:// URI: the account and its warnings",
    "account_to_uri" => "the canonical otpauth:// URI of an account",
    "account_label" => "the label apps show for an account",
    "decode_migration" => "one Google Authenticator export URI: its accounts",
    "encode_migration" => "accounts as Google Authenticator export URIs",
    "parse_steam_uri" => "the secret of a steam:// URI",
    "Verifier.totp" => "a verifier for a TOTP device under a policy (default or custom)",
    "Verifier.hotp" => "a verifier for an HOTP device under a policy (default or custom)",
    "Verifier.begin_enrollment" => "the pending state to store when the secret is shown",
    "Verifier.enroll_code" => "one enrolment code: an attempt and the state to store",
    "Verifier.enroll" => "enrolment with two consecutive codes: an attempt and the state",
    "Verifier.verify" => "a sign-in: an attempt and the state to store",
    "Verifier.resync" => "resynchronisation with two consecutive codes",
    "generate_recovery_codes" => "a new set of recovery codes and the state to store",
    "verify_recovery_code" => "a recovery code against the stored state: an attempt",
    "import_accounts" => "an authenticator app's export, encrypted or not, under a key-derivation budget",
    "import_formats" => "every format import_accounts reads, by name",
    "detect_format" => "the format of a file told from its content (a name import_accounts takes, or pskc)",
    "MigrationAssembler.new" => "an assembler for the QR codes of one Google Authenticator export",
    "MigrationAssembler.add" => "one scanned QR code's URI: new, or the same again",
    "MigrationAssembler.missing" => "the QR codes still to scan",
    "MigrationAssembler.is_complete" => "whether every QR code was scanned",
    "MigrationAssembler.finish" => "the accounts of the QR codes scanned, and those missing",
    "export_accounts" => "accounts as an otpauth list, Google export or (encrypted) Aegis vault",
    "import_pskc" => "a PSKC (RFC 6030) key container",
    "check_portability" => "which well-known apps would mishandle an account, and why",
    "check_portability_uri" => "the same for an otpauth:// URI, as it spells its values",
    "UserDevices.open" => "users with named devices on a store (memory:, or sqlite:PATH natively), secrets sealed with a key",
    "UserDevices.add_device" => "a pending named TOTP device of a user, from its secret",
    "UserDevices.enroll_device" => "two consecutive codes finish a device's enrolment: an attempt",
    "UserDevices.devices" => "a user's devices: name, added, parameters, enrolled, failures",
    "UserDevices.rename_device" => "renames a user's device",
    "UserDevices.remove_device" => "removes a user's device (and the remembered browsers): whether there was one",
    "UserDevices.sign_in" => "a sign-in with any or a chosen device: accepted, or refused with its reason",
    "UserDevices.resync_device" => "resynchronises a device with two consecutive codes: an attempt",
    "UserDevices.clear_user_lockout" => "clears a user's failures and lock-out",
    "UserDevices.user_status" => "a user's failures, lock-out, devices, recovery codes left, remembered browsers",
    "UserDevices.regenerate_recovery_codes" => "a new set of recovery codes for a user, replacing the old",
    "UserDevices.use_recovery_code" => "a recovery code of a user: an attempt",
    "UserDevices.remember_device" => "a remember-this-device token for an accepted sign-in",
    "UserDevices.check_remembered" => "a remember-this-device token: accepted with the next token, or refused",
    "UserDevices.forget_remembered" => "revokes every remembered browser of a user: how many",
    "UserDevices.recent_events" => "a user's recent events, newest first",
}

#[cfg(test)]
mod tests {
    use super::OPERATIONS;

    #[test]
    fn names_are_unique_snake_case_and_described() {
        for (i, op) in OPERATIONS.iter().enumerate() {
            assert!(
                op.name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'),
                "{}",
                op.name
            );
            assert!(!op.description.is_empty());
            assert!(OPERATIONS[i + 1..].iter().all(|o| o.name != op.name));
        }
    }
}
