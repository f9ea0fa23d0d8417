//! Files otpkit keeps private and whole: state files (device and recovery) and the
//! files it writes (QR codes, exports, device files of `import --enroll-dir`).
//!
//! - **Writes** are atomic and private ([`write_atomic`]): a temporary file in the
//!   same directory is created with mode 0600, written, fsynced and renamed over the
//!   target (or, without [`Overwrite::Yes`], hard-linked, which fails if the name
//!   exists), then the directory is fsynced; a crash leaves the old or the new file,
//!   never half of one.
//! - **Locks** ([`lock`]) are `flock` on the state file itself, so two concurrent
//!   read-modify-write cycles (`verify`, `resync`, `enroll --force`, `recovery use`)
//!   cannot both accept the same code, whatever name each was given. No lock file is
//!   created.
//! - **Refused paths**: a state path that is a symbolic link, a file with more than
//!   one hard link, anything but a regular file and a file over [`MAX_STATE_LEN`]
//!   bytes are refused before anything is read ([`lock`], [`read`]).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::CliError;

/// `path` with `suffix` appended to its file name (`dev.state` → `dev.state.tmp-1-0`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// The directory `path` lives in (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The largest state file read: a device file is a few hundred bytes, so anything
/// near this size was not written by otpkit and is refused before it is read.
pub const MAX_STATE_LEN: u64 = 64 * 1024;

/// An exclusive lock on a state file itself (its inode), released when dropped.
/// `None` when the file did not exist when the lock was taken (`enroll` creates it
/// without clobbering, so it needs no lock).
pub struct FileLock {
    _file: Option<File>,
}

/// Checks that `path` names a file otpkit will treat as a state file: not a symbolic
/// link, a regular file, one hard link, at most [`MAX_STATE_LEN`] bytes. `None` if
/// nothing is there.
fn check_path(path: &Path) -> Result<Option<fs::Metadata>, CliError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CliError::state(format_args!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    if meta.file_type().is_symlink() {
        return Err(CliError::state(format_args!(
            "{} is a symbolic link; give the path of the state file itself \
             (otpkit refuses symbolic links so that every run locks and replaces the same file)",
            path.display()
        )));
    }
    check_file(path, &meta)?;
    Ok(Some(meta))
}

/// The checks on an opened or stat'ed state file that do not depend on the path.
fn check_file(path: &Path, meta: &fs::Metadata) -> Result<(), CliError> {
    if !meta.is_file() {
        return Err(CliError::state(format_args!(
            "{} is not a regular file",
            path.display()
        )));
    }
    let links = link_count(meta);
    if links > 1 {
        return Err(CliError::state(format_args!(
            "{} has {links} hard links; a state file must have exactly one \
             (another name for it would fork its replay state), so remove the other links",
            path.display()
        )));
    }
    too_large(path, meta.len())
}

fn too_large(path: &Path, len: u64) -> Result<(), CliError> {
    if len > MAX_STATE_LEN {
        return Err(CliError::state(format_args!(
            "{} is larger than {MAX_STATE_LEN} bytes, the limit for a state file; \
             it is not a device file written by otpkit",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(unix)]
fn link_count(meta: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn link_count(_meta: &fs::Metadata) -> u64 {
    1
}

/// Whether two metadata describe the same file (device and inode).
#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_a: &fs::Metadata, _b: &fs::Metadata) -> bool {
    true
}

/// Takes the exclusive lock that serialises read-modify-write cycles on the state
/// file at `path`, waiting for another otpkit process that holds it.
///
/// The lock is `flock` on the state file itself, so every name that reaches the same
/// file (a directory symlink, `..`, a relative path) takes the same lock; no lock file
/// is ever created. Symbolic links as the last component and hard-linked files are
/// refused (see [`check_path`]). A writer replaces the file by renaming a new one over
/// it, so after the lock is granted the path is checked to still name the locked
/// file; if it was replaced meanwhile, the new file is locked instead.
pub fn lock(path: &Path) -> Result<FileLock, CliError> {
    const ATTEMPTS: u32 = 1000;
    for _ in 0..ATTEMPTS {
        if check_path(path)?.is_none() {
            // Fail now, not after `enroll` has shown a secret, if it cannot be created.
            let dir = parent_dir(path);
            return match fs::metadata(dir) {
                Ok(meta) if meta.is_dir() => Ok(FileLock { _file: None }),
                Ok(_) => Err(CliError::state(format_args!(
                    "cannot create {}: {} is not a directory",
                    path.display(),
                    dir.display()
                ))),
                Err(e) => Err(CliError::state(format_args!(
                    "cannot create {}: {}: {e}",
                    path.display(),
                    dir.display()
                ))),
            };
        }
        let file = match File::open(path) {
            Ok(file) => file,
            // Removed or being replaced between the check and the open: look again.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(CliError::state(format_args!(
                    "cannot open {}: {e}",
                    path.display()
                )));
            }
        };
        file.lock()
            .map_err(|e| CliError::state(format_args!("cannot lock {}: {e}", path.display())))?;
        let held = file
            .metadata()
            .map_err(|e| CliError::state(format_args!("cannot read {}: {e}", path.display())))?;
        match check_path(path)? {
            Some(now) if same_file(&held, &now) => {
                check_file(path, &held)?;
                return Ok(FileLock { _file: Some(file) });
            }
            // Replaced (or removed) while we waited: lock what is there now.
            _ => continue,
        }
    }
    Err(CliError::state(format_args!(
        "{} kept being replaced while waiting for its lock",
        path.display()
    )))
}

/// The bytes of the state file at `path`, or `None` when nothing is there: refuses
/// a symbolic link, a hard-linked file and a file over [`MAX_STATE_LEN`] bytes,
/// reading at most that much, into a buffer reserved at the file's size (so it never
/// reallocates, which would leave a copy of a secret in freed memory) and wiped when
/// dropped.
pub fn read(path: &Path) -> Result<Option<Zeroizing<Vec<u8>>>, CliError> {
    let cannot =
        |e: io::Error| CliError::state(format_args!("cannot read {}: {e}", path.display()));
    let Some(before) = check_path(path)? else {
        return Ok(None);
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot(e)),
    };
    let opened = file.metadata().map_err(cannot)?;
    // The path was swapped (for a link, say) between the check and the open.
    if !same_file(&before, &opened) {
        return Err(CliError::state(format_args!(
            "{} changed while it was being opened",
            path.display()
        )));
    }
    check_file(path, &opened)?;
    let capacity = usize::try_from(opened.len().saturating_add(1)).unwrap_or(0);
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
    file.take(MAX_STATE_LEN.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    too_large(path, u64::try_from(bytes.len()).unwrap_or(u64::MAX))?;
    Ok(Some(bytes))
}

/// Whether to replace an existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overwrite {
    /// Replace it.
    Yes,
    /// Fail if it exists (checked atomically at the final step).
    No,
}

impl Overwrite {
    /// What `--force` asks for.
    pub fn when(force: bool) -> Overwrite {
        if force { Overwrite::Yes } else { Overwrite::No }
    }
}

/// Writes `contents` to `path` atomically with mode 0600: a temporary file in the same
/// directory, fsync, then rename (or, without overwrite, a hard link, which fails if
/// `path` exists), then fsync of the directory.
pub fn write_atomic(path: &Path, contents: &[u8], overwrite: Overwrite) -> Result<(), CliError> {
    let fail = |what: &str, e: io::Error| {
        CliError::state(format_args!("cannot {what} {}: {e}", path.display()))
    };
    let dir = parent_dir(path);
    let (tmp_path, mut tmp) = create_temp(path).map_err(|e| fail("write", e))?;
    let result = (|| {
        tmp.write_all(contents).map_err(|e| fail("write", e))?;
        tmp.sync_all().map_err(|e| fail("sync", e))?;
        match overwrite {
            Overwrite::Yes => fs::rename(&tmp_path, path).map_err(|e| fail("replace", e)),
            Overwrite::No => fs::hard_link(&tmp_path, path).map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    CliError::state(format_args!(
                        "{} already exists; pass --force to replace it",
                        path.display()
                    ))
                } else {
                    fail("create", e)
                }
            }),
        }
    })();
    // After a rename the temporary name is gone; after a link or a failure remove it.
    let _ = fs::remove_file(&tmp_path);
    result?;
    sync_dir(dir).map_err(|e| fail("sync the directory of", e))
}

fn create_temp(path: &Path) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut attempt: u32 = 0;
    loop {
        let tmp = sidecar(path, &format!(".tmp-{pid}-{attempt}"));
        match private_options().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt = attempt.saturating_add(1);
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(unix)]
fn private_options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

#[cfg(not(unix))]
fn private_options() -> OpenOptions {
    OpenOptions::new()
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_is_private_and_refuses_to_clobber() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        write_atomic(&path, b"one", Overwrite::No).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let e = write_atomic(&path, b"two", Overwrite::No).unwrap_err();
        assert!(e.message.contains("--force"), "{}", e.message);
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"three", Overwrite::Yes).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        // No temporary files are left behind.
        assert_eq!(names(dir.path()), ["device"]);
    }

    #[test]
    fn lock_is_exclusive_and_creates_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        // Nothing to lock yet, and nothing is created.
        drop(lock(&path).unwrap());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        fs::write(&path, b"x").unwrap();
        let held = lock(&path).unwrap();
        let other = File::open(&path).unwrap();
        assert!(other.try_lock().is_err());
        drop(held);
        assert!(other.try_lock().is_ok());
        assert_eq!(names(dir.path()), ["device"]);
    }

    #[test]
    fn lock_follows_a_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        fs::write(&path, b"old").unwrap();
        let held = lock(&path).unwrap();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                let _l = lock(&path).unwrap();
                fs::read(&path).unwrap()
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(100));
        write_atomic(&path, b"new", Overwrite::Yes).unwrap();
        drop(held);
        // The waiter was queued on the old inode; it must end up holding the new one.
        assert_eq!(waiter.join().unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_links_and_oversized_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        fs::write(&path, b"format=otpkit-device/1\n").unwrap();
        assert!(read(&path).unwrap().is_some());
        assert!(read(&dir.path().join("missing")).unwrap().is_none());
        let alias = dir.path().join("alias");
        std::os::unix::fs::symlink(&path, &alias).unwrap();
        for e in [lock(&alias).err().unwrap(), read(&alias).err().unwrap()] {
            assert!(e.message.contains("symbolic link"), "{}", e.message);
        }
        let hard = dir.path().join("hard");
        fs::hard_link(&path, &hard).unwrap();
        for p in [&path, &hard] {
            for e in [lock(p).err().unwrap(), read(p).err().unwrap()] {
                assert!(e.message.contains("2 hard links"), "{}", e.message);
            }
        }
        fs::remove_file(&hard).unwrap();
        let big = dir.path().join("big");
        let f = File::create(&big).unwrap();
        f.set_len(MAX_STATE_LEN + 1).unwrap();
        for e in [lock(&big).err().unwrap(), read(&big).err().unwrap()] {
            assert!(
                e.message.contains("larger than 65536 bytes"),
                "{}",
                e.message
            );
        }
    }
}
