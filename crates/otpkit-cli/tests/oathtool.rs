//! Differential test against `oathtool` (liboath, the reference implementation most
//! shell users know): the same codes for TOTP (SHA1/256/512, 6/7/8 digits, periods,
//! many times) and HOTP (6/7/8 digits, many counters; oathtool's HOTP is SHA1 only),
//! and the same accept/reject decision for `otpkit check` as `oathtool -w N SECRET CODE`.
//!
//! oathtool comes from the Debian package `oathtool` (`scripts/prerequisites.sh`
//! installs it). Without it the test fails when the `CI` environment variable is set,
//! and is skipped with a message otherwise.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_otpkit");

/// Keys of the lengths each algorithm is usually paired with, and odd ones.
const KEYS_HEX: [&str; 4] = [
    "3132333435363738393031323334353637383930",
    "3132333435363738393031323334353637383930313233343536373839303132",
    "31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334",
    "00ff10ee20dd30cc40bb",
];

fn oathtool_available() -> bool {
    match Command::new("oathtool").arg("--version").output() {
        Ok(out) if out.status.success() => true,
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "oathtool is not installed but CI is set: install the Debian package \
                     `oathtool` (scripts/prerequisites.sh) so the differential test runs"
                );
            }
            eprintln!(
                "SKIPPED: oathtool is not installed (apt-get install oathtool); set CI to make this a failure"
            );
            false
        }
    }
}

fn stdout_of(program: &str, args: &[String]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

#[test]
fn totp_codes_match_oathtool() {
    if !oathtool_available() {
        return;
    }
    let times: [u64; 8] = [
        0,
        59,
        1_111_111_109,
        1_234_567_890,
        1_700_000_029,
        2_000_000_000,
        4_102_444_800,
        20_000_000_000,
    ];
    let mut compared = 0;
    for key in KEYS_HEX {
        for (alg, mode) in [("SHA1", "sha1"), ("SHA256", "sha256"), ("SHA512", "sha512")] {
            for digits in ["6", "7", "8"] {
                for period in ["30", "60"] {
                    for time in times {
                        let t = time.to_string();
                        let ours = stdout_of(
                            BIN,
                            &s(&[
                                "code",
                                "--hex",
                                key,
                                "--algorithm",
                                alg,
                                "--digits",
                                digits,
                                "--period",
                                period,
                                "--time",
                                &t,
                            ]),
                        );
                        let theirs = stdout_of(
                            "oathtool",
                            &s(&[
                                &format!("--totp={mode}"),
                                "-d",
                                digits,
                                "-s",
                                period,
                                "-N",
                                &format!("@{time}"),
                                key,
                            ]),
                        );
                        assert_eq!(
                            ours, theirs,
                            "{alg} {digits} digits, {period} s, t={time}, key {key}"
                        );
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(compared, 4 * 3 * 3 * 2 * 8);
}

#[test]
fn hotp_codes_match_oathtool() {
    if !oathtool_available() {
        return;
    }
    for key in KEYS_HEX {
        for digits in ["6", "7", "8"] {
            for counter in [0u64, 1, 9, 255, 256, 65_536, 4_294_967_296, u64::MAX / 3] {
                let c = counter.to_string();
                let ours = stdout_of(
                    BIN,
                    &s(&[
                        "code",
                        "--hex",
                        key,
                        "--hotp",
                        "--counter",
                        &c,
                        "--digits",
                        digits,
                    ]),
                );
                let theirs = stdout_of("oathtool", &s(&["--hotp", "-c", &c, "-d", digits, key]));
                assert_eq!(
                    ours, theirs,
                    "{digits} digits, counter {counter}, key {key}"
                );
            }
        }
    }
}

#[test]
fn check_decides_like_oathtool_window() {
    if !oathtool_available() {
        return;
    }
    let key = KEYS_HEX[0];
    let now: u64 = 1_800_000_000;
    // Codes from 3 steps behind to 3 ahead, checked with windows 0 to 2.
    for offset in -3i64..=3 {
        let then = now.checked_add_signed(offset * 30).unwrap().to_string();
        let code = stdout_of(BIN, &s(&["code", "--hex", key, "--time", &then]));
        for window in ["0", "1", "2"] {
            let ours = Command::new(BIN)
                .args(["check", "--totp", "--hex", "-w", window, key, &code])
                .args(["--time", &now.to_string()])
                .output()
                .unwrap();
            let theirs = Command::new("oathtool")
                .args(["--totp", "-w", window, "-N", &format!("@{now}"), key, &code])
                .output()
                .unwrap();
            assert_eq!(
                ours.status.success(),
                theirs.status.success(),
                "offset {offset}, window {window}"
            );
            // otpkit's documented exit code for a wrong code.
            if !ours.status.success() {
                assert_eq!(ours.status.code(), Some(1));
            }
        }
    }
}
