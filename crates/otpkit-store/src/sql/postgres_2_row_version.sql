-- The row version: a random token (32 hex digits), new at every insert and every
-- write, which the compare-and-swaps compare. The default (evaluated per row)
-- gives one to every existing row, and to a row inserted without one by a
-- program that predates the column: 122 random bits of gen_random_uuid()
-- (PostgreSQL 13 or later).
ALTER TABLE otpkit_devices
    ADD COLUMN version TEXT NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '');
