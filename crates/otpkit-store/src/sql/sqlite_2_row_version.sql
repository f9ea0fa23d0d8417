-- The row version: a random 128-bit token (32 hex digits), new at every insert
-- and every write, which the compare-and-swaps compare. Rows that exist get one
-- each; a row inserted without one (by a program that predates the column) gets
-- a random one too. SQLite's ALTER TABLE cannot add a column whose default is
-- not a constant, so the table is rebuilt.
CREATE TABLE otpkit_devices_rebuilt (
    id      TEXT PRIMARY KEY,
    -- totp.SHA1.6.30 / hotp.SHA1.6
    params  TEXT NOT NULL,
    -- otps1.KEYID.DATA: AES-256-GCM under the server key, bound to the id
    secret  TEXT NOT NULL,
    -- otpk1.…: the verifier state, swapped only by compare-and-swap
    state   TEXT NOT NULL,
    -- which write of the row this is; never the same twice for one id
    version TEXT NOT NULL DEFAULT (lower(hex(randomblob(16))))
);
INSERT INTO otpkit_devices_rebuilt (id, params, secret, state)
    SELECT id, params, secret, state FROM otpkit_devices;
DROP TABLE otpkit_devices;
ALTER TABLE otpkit_devices_rebuilt RENAME TO otpkit_devices;
