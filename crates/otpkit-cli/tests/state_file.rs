//! The state file against a hostile directory: other names for the same file
//! (symbolic and hard links, other spellings), planted lock symlinks, oversized files,
//! and the absence of leftover files. Every test runs the built binary.
#![cfg(unix)]

mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use support::{BIN, Run, T, arg, code_at, racing_verifies, run, write_device};

/// `otpkit enroll` into `state` with an empty stdin, `extra` arguments added.
fn enroll(state: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "enroll",
        "--issuer",
        "X",
        "--account",
        "a",
        "--state",
        arg(state),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn verify(state: &Path, time: u64) -> Run {
    run(&[
        "verify",
        "--state",
        arg(state),
        &code_at(time),
        "--time",
        &time.to_string(),
    ])
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn a_symlinked_state_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dev.state");
    write_device(&real);
    let alias = dir.path().join("alias.state");
    std::os::unix::fs::symlink(&real, &alias).unwrap();
    let before = fs::read(&real).unwrap();
    let out = verify(&alias, T + 30);
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
    // Untouched, and the link is still a link.
    assert_eq!(fs::read(&real).unwrap(), before);
    assert!(
        fs::symlink_metadata(&alias)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // The code is still good through the real name, once.
    assert_eq!(verify(&real, T + 30).code, 0);
    assert_eq!(verify(&real, T + 30).code, 3);
    // `enroll` refuses a symlink too (before showing any secret).
    let out = enroll(&alias, &["--force"]);
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn a_hard_linked_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dev.state");
    write_device(&real);
    let hard = dir.path().join("hard.state");
    fs::hard_link(&real, &hard).unwrap();
    for path in [&real, &hard] {
        let out = verify(path, T + 30);
        assert_eq!(out.code, 5, "{}", out.stderr);
        assert!(out.stderr.contains("2 hard links"), "{}", out.stderr);
    }
    fs::remove_file(&hard).unwrap();
    assert_eq!(verify(&real, T + 30).code, 0);
}

#[test]
fn racing_processes_through_two_spellings_accept_a_code_once() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dev.state");
    write_device(&real);
    // A second spelling of the same file through a symlinked directory.
    let link_dir = dir.path().join("link");
    std::os::unix::fs::symlink(dir.path(), &link_dir).unwrap();
    let other = link_dir.join("dev.state");
    for round in 1..=20u64 {
        let time = T + 30 * round;
        let code = code_at(time);
        let codes = racing_verifies(&[&real, &other, &real, &other], &code, time);
        assert_eq!(codes, [0, 3, 3, 3], "round {round}");
    }
    assert_eq!(names(dir.path()), ["dev.state", "link"]);
}

#[test]
fn a_planted_lock_symlink_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dev.state");
    write_device(&real);
    let target = dir.path().join("victim");
    std::os::unix::fs::symlink(&target, dir.path().join("dev.state.lock")).unwrap();
    assert_eq!(verify(&real, T + 30).code, 0);
    assert!(!target.exists(), "the lock symlink was followed");
}

#[test]
fn an_oversized_state_file_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dev.state");
    write_device(&real);
    // A valid device file padded with comments to 200 MB (sparse: no disk used).
    let f = fs::OpenOptions::new().append(true).open(&real).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap();
    drop(f);
    let start = std::time::Instant::now();
    let out = verify(&real, T + 30);
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr.contains("larger than 65536 bytes"),
        "{}",
        out.stderr
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn no_lock_files_are_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    // A state file that does not exist.
    let missing = dir.path().join("nonexist");
    let out = verify(&missing, T);
    assert_eq!(out.code, 5);
    // A failed enroll (stdin closed before any code).
    let failed = dir.path().join("failed");
    let out = enroll(&failed, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // Verify and a failed verify on a real file.
    let real = dir.path().join("dev.state");
    write_device(&real);
    assert_eq!(verify(&real, T + 30).code, 0);
    assert_eq!(verify(&real, T + 30).code, 3);
    assert_eq!(names(dir.path()), ["dev.state"]);
}

#[test]
fn an_interrupted_enroll_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("dev.state");
    let mut child = Command::new(BIN)
        .args(["enroll", "--issuer", "X", "--account", "a", "--state"])
        .arg(&state)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Waiting at the first prompt; kill it there.
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}
