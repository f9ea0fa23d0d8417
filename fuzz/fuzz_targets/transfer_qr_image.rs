//! `otpkit_transfer::import` with `Format::QrImage`: any bytes (PNG and JPEG images
//! of QR codes, damaged or hostile); see transfer_common.rs for the properties
//! asserted. Its seeds (`corpus/transfer_qr_image/`) are small QR images drawn for
//! this project: an otpauth code as grey PNG, RGBA PNG and JPEG, and a Google
//! migration code.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("transfer_common.rs");

fuzz_target!(|data: &[u8]| check(Format::QrImage, data));
