CREATE TABLE otpkit_devices (
    id     TEXT PRIMARY KEY NOT NULL,
    -- totp.SHA1.6.30 / hotp.SHA1.6
    params TEXT NOT NULL,
    -- otps1.KEYID.DATA: AES-256-GCM under the server key, bound to the id
    secret TEXT NOT NULL,
    -- otpk1.…: the verifier state, swapped only by compare-and-swap
    state  TEXT NOT NULL
);
