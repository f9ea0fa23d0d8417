//! The documented JSON interface, shared by the unit tests of `src/json.rs` and the
//! end-to-end tests (through `tests/support`), so both pin the same list.

/// The fields of one account in `inspect --json` and `import --json`, sorted.
pub const ACCOUNT_KEYS: [&str; 9] = [
    "account",
    "algorithm",
    "counter",
    "digits",
    "issuer",
    "period",
    "secret",
    "type",
    "warnings",
];

/// The fields of one device in `devices --json`, sorted.
pub const DEVICE_KEYS: [&str; 8] = [
    "added_at",
    "algorithm",
    "digits",
    "enrolled",
    "failures",
    "name",
    "period",
    "type",
];
