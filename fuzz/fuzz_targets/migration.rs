//! `otpauth-migration://` decoding: any text or protobuf payload, never a panic, and
//! decode → encode → decode is a fixed point.
//!
//! The input is either (first byte even) a whole URI as text, or (first byte odd) the
//! protobuf payload itself, which the target wraps in base64 and a URI, so the
//! fuzzer reaches the protobuf and entry logic instead of stalling at base64.
//!
//! Properties asserted:
//! - `decode_batch` never panics and `decode` returns the same entries;
//! - the accounts that decoded re-encode without error (the format expressed them),
//!   into URIs that decode to the same accounts with the same batch id, and encoding
//!   those again gives identical URIs;
//! - error messages and `Debug` output never contain the secret's Base32 (or, for a
//!   failed entry, any of its bytes' Base32).
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use otpkit::migration::{decode, decode_batch, encode_with_batch_id};
use otpkit::otpauth::Account;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let uri = if mode % 2 == 0 {
        let Ok(text) = core::str::from_utf8(rest) else {
            return;
        };
        text.to_owned()
    } else {
        let b64 = base64::engine::general_purpose::STANDARD.encode(rest);
        let data: String =
            percent_encoding::utf8_percent_encode(&b64, percent_encoding::NON_ALPHANUMERIC)
                .collect();
        format!("otpauth-migration://offline?data={data}")
    };

    let batch = match decode_batch(&uri) {
        Ok(batch) => batch,
        Err(e) => {
            assert_eq!(decode(&uri), Err(e));
            let _ = format!("{e} {e:?}");
            return;
        }
    };
    assert_eq!(decode(&uri).as_ref(), Ok(&batch.entries));

    let accounts: Vec<Account> = batch
        .entries
        .iter()
        .filter_map(|e| e.as_ref().ok().cloned())
        .collect();
    // Labels as shown in Debug: a secret's Base32 may legitimately appear there if a
    // label spells it, so such secrets are not checked.
    let visible = accounts
        .iter()
        .map(|a| format!("{:?} {:?}", a.issuer, a.name))
        .collect::<String>()
        .to_ascii_uppercase();
    for entry in &batch.entries {
        match entry {
            Ok(account) => {
                let base32 = account.secret.base32().to_string();
                if base32.len() >= 8 && !visible.contains(&base32) {
                    let shown = format!("{account:?} {batch:?}");
                    assert!(!shown.contains(&base32), "secret in Debug: {shown}");
                }
            }
            Err(e) => {
                let _ = format!("{e} {e:?}");
            }
        }
    }

    let per_batch = usize::from(mode / 2 % 12) + 1;
    let uris = encode_with_batch_id(&accounts, per_batch, batch.batch_id)
        .unwrap_or_else(|e| panic!("decoded accounts failed to re-encode: {e}"));
    let expected_batches = accounts.len().div_ceil(per_batch).max(1);
    assert_eq!(uris.len(), expected_batches);
    let mut round_trip = Vec::new();
    for (index, uri) in uris.iter().enumerate() {
        let again = decode_batch(uri).unwrap_or_else(|e| panic!("encoded URI rejected: {e}"));
        assert_eq!(again.batch_id, batch.batch_id);
        assert_eq!(again.batch_index as usize, index);
        assert_eq!(again.batch_size as usize, uris.len());
        for entry in again.entries {
            round_trip.push(entry.unwrap_or_else(|e| panic!("re-encoded entry rejected: {e}")));
        }
    }
    assert_eq!(
        round_trip, accounts,
        "decode(encode(decode(uri))) != decode(uri)"
    );
    let uris_again = encode_with_batch_id(&round_trip, per_batch, batch.batch_id)
        .unwrap_or_else(|e| panic!("second encoding failed: {e}"));
    assert_eq!(uris_again, uris, "encoding is not stable");
});
