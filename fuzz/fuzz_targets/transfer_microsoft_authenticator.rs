//! `otpkit_transfer::import` with `Format::MicrosoftAuthenticator`: any bytes; see transfer_common.rs
//! for the properties asserted.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("transfer_common.rs");

fuzz_target!(|data: &[u8]| check(Format::MicrosoftAuthenticator, data));
