//! An accounts file as `import` and `export --from` read it: its format (named with
//! `--from`, or detected from the content), its bytes (bounded, in a wiped buffer),
//! the password of an encrypted file and the key-derivation budget
//! (`--kdf-budget`, `--kdf-memory`) that bounds it, and the report of its entries.
//!
//! The file's password (for encrypted backups) comes from a prompt on the terminal
//! (not echoed) or from the first line of stdin when stdin is not a terminal — never
//! from the command line.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use clap::builder::PossibleValue;
use clap::{Args, ValueEnum};
use otpkit::otpauth::Account;
use otpkit_transfer::{
    EntryReport, Format, Import, ImportError, ImportOptions, MAX_INPUT_LEN, OverBudget, WorkBudget,
};
use zeroize::Zeroizing;

use crate::error::{CliError, Exit};
use crate::io::{self, Io};

/// The formats `import` reads (named with `--from`, or detected) and `export --from`
/// reads (all but PSKC): every [`otpkit_transfer::Format`], by its own name, and PSKC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// A format `otpkit-transfer` reads.
    Transfer(Format),
    /// A PSKC key container (RFC 6030), as hardware token vendors deliver seeds
    /// (read by `otpkit-pskc`).
    Pskc,
}

/// How many formats `--from` takes: the transfer formats and PSKC.
const FORMATS: usize = Format::ALL.len() + 1;

impl InputFormat {
    /// Every format, in `--help`'s order: the transfer formats in their own order,
    /// then PSKC.
    #[allow(
        clippy::indexing_slicing,
        reason = "evaluated at compile time: an index out of bounds fails the build"
    )]
    pub const ALL: [InputFormat; FORMATS] = {
        let mut all = [InputFormat::Pskc; FORMATS];
        let mut i = 0;
        while i < Format::ALL.len() {
            all[i] = InputFormat::Transfer(Format::ALL[i]);
            i += 1;
        }
        all
    };

    /// The format's name as `--from` takes it.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Transfer(format) => format.name(),
            InputFormat::Pskc => "pskc",
        }
    }

    /// What the format is, in one line, for `--help`.
    fn summary(self) -> &'static str {
        match self {
            InputFormat::Transfer(format) => format.summary(),
            InputFormat::Pskc => {
                "A PSKC key container (RFC 6030), as hardware token vendors deliver seeds"
            }
        }
    }

    /// The transfer format, or `None` for PSKC (read by `crate::pskc`).
    pub fn transfer(self) -> Option<Format> {
        match self {
            InputFormat::Transfer(format) => Some(format),
            InputFormat::Pskc => None,
        }
    }

    /// Whether every file of the format is text (JSON, XML or lines): an image given
    /// as one is refused as an image.
    fn is_text(self) -> bool {
        match self {
            InputFormat::Transfer(format) => format.is_text(),
            InputFormat::Pskc => true,
        }
    }

    /// Where an entry is: `line N` for a list of URIs (numbered as an editor shows
    /// them), else `entry N of TOTAL` (a migration entry's index counts accounts, not
    /// lines).
    pub fn position(self, entry: &EntryReport, total: usize) -> String {
        let n = entry.index.saturating_add(1);
        match self {
            InputFormat::Transfer(format) if format.indexes_lines() => format!("line {n}"),
            InputFormat::Transfer(_) | InputFormat::Pskc => format!("entry {n} of {total}"),
        }
    }

    /// The format of `data`, told from its content: the transfer formats by
    /// [`otpkit_transfer::detect`], PSKC by its root element
    /// ([`otpkit_pskc::is_pskc`]). `None`
    /// when it cannot be told (an encrypted andOTP backup never can).
    pub fn detect(data: &[u8]) -> Result<Option<InputFormat>, CliError> {
        if let Some(format) = otpkit_transfer::detect(data) {
            return Ok(Some(InputFormat::Transfer(format)));
        }
        Ok(otpkit_pskc::is_pskc(data).then_some(InputFormat::Pskc))
    }

    /// Every format's name, for messages: `aegis, 2fas, …, pskc`.
    pub fn names() -> String {
        InputFormat::ALL.map(InputFormat::name).join(", ")
    }
}

impl ValueEnum for InputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &InputFormat::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.summary()))
    }
}

impl std::fmt::Display for InputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of image `data` is, from its first bytes: `Some("a PNG image")` or
/// `Some("a JPEG image")`.
pub fn image_kind(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("a PNG image")
    } else if data.starts_with(b"\xFF\xD8\xFF") {
        Some("a JPEG image")
    } else {
        None
    }
}

/// The error for an image given where a file's text was expected: QR code images
/// are not read (yet); their text is.
pub fn image_error(file: &str, kind: &str) -> CliError {
    CliError::usage(format_args!(
        "{} is {kind}: read a screenshot of QR codes with --from qr-image (or leave \
         --from out)",
        describe(file)
    ))
}

/// Refuses `data` when it is an image and `format` (any but `qr-image`) cannot be
/// one. A binary format (an encrypted andOTP backup is random bytes) is checked for
/// the 8-byte PNG signature only (a JPEG's 3 bytes would match one old-format andOTP
/// backup in 16 million).
pub fn refuse_image(format: InputFormat, file: &str, data: &[u8]) -> Result<(), CliError> {
    if format.transfer().is_some_and(Format::is_image) {
        return Ok(());
    }
    match image_kind(data) {
        Some(kind) if format.is_text() || kind == "a PNG image" => Err(image_error(file, kind)),
        Some(_) | None => Ok(()),
    }
}

/// `FILE` as messages name it: `stdin` for `-`, else the path without control
/// characters.
pub fn describe(file: &str) -> String {
    if file == "-" {
        "stdin".to_owned()
    } else {
        file.chars().filter(|c| !c.is_control()).collect()
    }
}

/// `--kdf-budget` and `--kdf-memory`: how much key derivation an encrypted file may
/// ask for (`otpkit_transfer::WorkBudget`).
#[derive(Args, Clone, Copy, Debug, Default)]
pub struct KdfArgs {
    /// The key-derivation work an encrypted file may ask for, over all its password
    /// slots, in work units: a number with an optional k, M or G (default 1M, about a
    /// second of one core). Raise it only for a file you trust.
    #[arg(long, value_name = "UNITS", value_parser = parse_work)]
    pub kdf_budget: Option<u64>,
    /// The memory one key derivation may use: a number of bytes with an optional KiB,
    /// MiB or GiB (default 256MiB). Raise it only for a file you trust.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub kdf_memory: Option<u64>,
}

impl KdfArgs {
    /// Whether either flag was given.
    pub fn given(&self) -> bool {
        self.kdf_budget.is_some() || self.kdf_memory.is_some()
    }

    /// The import's options: the flags' budget, the defaults for what is not given.
    pub fn options(&self) -> ImportOptions {
        ImportOptions {
            budget: WorkBudget::new(
                self.kdf_budget.unwrap_or(WorkBudget::DEFAULT_WORK),
                self.kdf_memory.unwrap_or(WorkBudget::DEFAULT_MAX_MEMORY),
            ),
        }
    }
}

/// A number with an optional decimal fraction and a suffix multiplying it; rounded up
/// to a whole number. `None` when it is not one or does not fit a `u64`.
fn scaled(text: &str, suffixes: &[(&str, u64)]) -> Option<u64> {
    let text = text.trim();
    let (number, multiplier) = suffixes
        .iter()
        .find_map(|(suffix, m)| {
            let cut = text.len().checked_sub(suffix.len())?;
            let (number, end) = (text.get(..cut)?, text.get(cut..)?);
            end.eq_ignore_ascii_case(suffix).then_some((number, *m))
        })
        .unwrap_or((text, 1));
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) || fraction.len() > 9 {
        return None;
    }
    let scale = 10u64.checked_pow(u32::try_from(fraction.len()).ok()?)?;
    let fraction_value: u64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(multiplier)?
        .checked_add(
            u64::try_from(
                u128::from(fraction_value)
                    .saturating_mul(u128::from(multiplier))
                    .div_ceil(u128::from(scale)),
            )
            .ok()?,
        )
}

/// `--kdf-budget`: work units, `1000000`, `1M`, `1500k`, `2.5M`.
fn parse_work(text: &str) -> Result<u64, String> {
    scaled(
        text,
        &[("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000)],
    )
    .ok_or_else(|| {
        "expected a number of work units, with an optional k, M or G (1M, 2.5M, 800k)".to_owned()
    })
}

/// `--kdf-memory`: bytes, `268435456`, `256MiB`, `1GiB` (K, M, G are binary too).
fn parse_memory(text: &str) -> Result<u64, String> {
    scaled(
        text,
        &[
            ("KiB", 1 << 10),
            ("MiB", 1 << 20),
            ("GiB", 1 << 30),
            ("K", 1 << 10),
            ("M", 1 << 20),
            ("G", 1 << 30),
        ],
    )
    .ok_or_else(|| {
        "expected a size in bytes, with an optional KiB, MiB or GiB (512MiB, 1GiB)".to_owned()
    })
}

/// The flags that would let a refused derivation run, with values `parse_work` and
/// `parse_memory` read back as at least what was needed.
fn kdf_flags(exceeded: &OverBudget) -> String {
    let mut flags = Vec::new();
    if exceeded.work_exceeded() {
        let needed = exceeded.work_needed;
        let value = [(1_000_000_000u128, "G"), (1_000_000, "M"), (1_000, "k")]
            .into_iter()
            .find(|(unit, _)| u128::from(needed) >= *unit)
            .map_or_else(
                || needed.to_string(),
                |(unit, suffix)| {
                    // Two decimals, rounded up, trailing zeros dropped.
                    let hundredths = u128::from(needed).saturating_mul(100).div_ceil(unit);
                    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
                    format!(
                        "{}{suffix}",
                        text.trim_end_matches('0').trim_end_matches('.')
                    )
                },
            );
        flags.push(format!("--kdf-budget {value}"));
    }
    if exceeded.memory_exceeded() {
        let mib = exceeded.memory_needed.div_ceil(1 << 20);
        let value = if mib.is_multiple_of(1024) {
            format!("{}GiB", mib / 1024)
        } else {
            format!("{mib}MiB")
        };
        flags.push(format!("--kdf-memory {value}"));
    }
    flags.join(" ")
}

/// The error of a file whose key derivation the budget refused (`file`: `aegis`,
/// `PSKC`, …), naming the flags that would let it through.
pub fn kdf_budget_error(file: &str, exceeded: &OverBudget) -> CliError {
    CliError::usage(format_args!(
        "cannot import the {file} file: it asks for more key-derivation work than \
         allowed: {exceeded}; if you trust the file, run again with {}",
        kdf_flags(exceeded)
    ))
}

/// The exit code and message of an import that failed as a whole.
fn import_error(format: InputFormat, e: &ImportError) -> CliError {
    let exit = match e {
        ImportError::KdfBudget { exceeded, .. } => {
            return kdf_budget_error(format.name(), exceeded);
        }
        ImportError::WrongPassword { .. } | ImportError::IntegrityCheckFailed { .. } => {
            Exit::Password
        }
        ImportError::TooLarge { .. }
        | ImportError::TooManyEntries { .. }
        | ImportError::Malformed { .. }
        | ImportError::UnsupportedVersion { .. }
        | ImportError::PasswordRequired { .. }
        | ImportError::UnsupportedEncryption { .. }
        | ImportError::KdfParameters { .. }
        | ImportError::Migration { .. }
        | ImportError::InconsistentBatches { .. } => Exit::Usage,
    };
    CliError::new(exit, format_args!("cannot import the {format} file: {e}"))
}

/// The whole of `file` (`-`: stdin), at most `max` bytes (`what` names the input in
/// the error), in a buffer wiped when dropped.
pub fn read(
    file: &str,
    max: usize,
    what: &str,
    io: &mut Io<'_>,
) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let data = if file == "-" {
        read_wiped(&mut (&mut io.stdin).take(limit), 0)
            .map_err(|e| CliError::usage(format_args!("cannot read stdin: {e}")))?
    } else {
        let path = Path::new(file);
        let fail = |e: std::io::Error| {
            CliError::state(format_args!("cannot read {}: {e}", path.display()))
        };
        let file = File::open(path).map_err(fail)?;
        let size = file
            .metadata()
            .ok()
            .and_then(|m| usize::try_from(m.len()).ok())
            .unwrap_or(0)
            .min(max);
        read_wiped(&mut file.take(limit), size).map_err(fail)?
    };
    if data.len() > max {
        return Err(CliError::usage(format_args!(
            "{what} is larger than {max} bytes"
        )));
    }
    Ok(data)
}

/// The largest input read: [`MAX_INPUT_LEN`], the transfer formats' limit (a PSKC
/// container has its own, smaller one).
pub const MAX_FILE_LEN: usize = MAX_INPUT_LEN;

/// Everything `reader` gives, in a buffer that never leaves an unwiped copy behind:
/// it starts at `expected` bytes (plus room to see the end) and, when it must grow, the
/// contents move to a new wiped buffer twice as large and the old one is wiped.
fn read_wiped(reader: &mut dyn Read, expected: usize) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut data = Zeroizing::new(Vec::with_capacity(expected.saturating_add(1).max(4096)));
    let mut chunk = Zeroizing::new([0u8; 4096]);
    loop {
        let n = match reader.read(&mut chunk[..]) {
            Ok(0) => return Ok(data),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let part = chunk.get(..n).unwrap_or_default();
        if data.len().saturating_add(n) > data.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(
                data.capacity()
                    .saturating_mul(2)
                    .max(data.len().saturating_add(n)),
            ));
            bigger.extend_from_slice(&data);
            data = bigger;
        }
        data.extend_from_slice(part);
    }
}

/// Reads `data` (from `file`, `-`: stdin) as `format`, asking for the password when
/// the file turns out to be encrypted, its key derivation bounded by `kdf`. Errors
/// about the file as a whole end the command.
pub fn import(
    format: InputFormat,
    transfer: Format,
    data: &[u8],
    file: &str,
    kdf: &KdfArgs,
    io: &mut Io<'_>,
) -> Result<Import, CliError> {
    refuse_image(format, file, data)?;
    let options = kdf.options();
    match otpkit_transfer::import_with(transfer, data, None, &options) {
        Err(ImportError::PasswordRequired { .. }) => {
            if file == "-" && !io.stdin_is_terminal {
                return Err(CliError::usage(format_args!(
                    "the {format} file is encrypted and was read from stdin, so its \
                     password cannot come from stdin too: give the file's path instead \
                     of `-` (the password is then read from the first line of stdin, \
                     or from a prompt at a terminal)"
                )));
            }
            let pw = io::password(
                io,
                &format!("Password of the {format} file: "),
                "file's password",
            )?;
            otpkit_transfer::import_with(transfer, data, Some(pw.as_bytes()), &options)
                .map_err(|e| import_error(format, &e))
        }
        other => other.map_err(|e| import_error(format, &e)),
    }
}

/// Reads `file` (`-`: stdin) as `format` (one `otpkit-transfer` reads), as
/// [`import`] does.
pub fn load(
    format: InputFormat,
    transfer: Format,
    file: &str,
    kdf: &KdfArgs,
    io: &mut Io<'_>,
) -> Result<Import, CliError> {
    let data = read(file, MAX_FILE_LEN, "the input", io)?;
    import(format, transfer, &data, file, kdf, io)
}

/// Text from a file as shown in a message: control characters dropped, clipped.
pub fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// Prints the per-entry report on stderr: every entry imported or not, with its
/// warnings and, for a failure, the reason (never a secret), then the batches of a
/// multi-QR transfer still missing. Returns the number of entries not imported.
pub fn report(format: InputFormat, imported: &Import, io: &mut Io<'_>) -> usize {
    let total = imported.report.len();
    let mut failed = 0usize;
    for entry in &imported.report {
        let at = format.position(entry, total);
        let label = if entry.label.is_empty() {
            String::new()
        } else {
            format!(" \"{}\"", printable(&entry.label))
        };
        match &entry.outcome {
            Ok(warnings) => {
                let _ = writeln!(io.stderr, "otpkit: {at}{label}: imported");
                for w in warnings {
                    let _ = writeln!(io.stderr, "otpkit: warning: {at}{label}: {w}");
                }
            }
            Err(e) => {
                failed = failed.saturating_add(1);
                let _ = writeln!(io.stderr, "otpkit: {at}{label}: not imported: {e}");
            }
        }
    }
    if !imported.missing_batches.is_empty() {
        let missing: Vec<String> = imported
            .missing_batches
            .iter()
            .map(|i| i.saturating_add(1).to_string())
            .collect();
        let _ = writeln!(
            io.stderr,
            "otpkit: QR codes of the transfer not given (batch numbers, from 1): {}",
            missing.join(", ")
        );
    }
    failed
}

/// The imported accounts with their entries' warnings, in order.
pub fn accounts_with_warnings(imported: &Import) -> Vec<(&Account, Vec<String>)> {
    let warnings = imported
        .report
        .iter()
        .filter_map(|r: &EntryReport| r.outcome.as_ref().ok());
    imported
        .accounts
        .iter()
        .zip(warnings)
        .map(|(account, w)| (account, w.iter().map(ToString::to_string).collect()))
        .collect()
}

/// The end of a command that imported: exit 6 when entries failed or QR codes are
/// missing, with a summary line.
pub fn outcome(imported: &Import, failed: usize) -> Result<(), CliError> {
    let total = imported.report.len();
    let missing = imported.missing_batches.len();
    match (failed, missing) {
        (0, 0) => Ok(()),
        (f, 0) => Err(CliError::new(
            Exit::Partial,
            format_args!("{f} of {total} entries could not be imported"),
        )),
        (f, m) => Err(CliError::new(
            Exit::Partial,
            format_args!(
                "{m} QR code(s) of the transfer are missing (see above); \
                 {f} of {total} entries read could not be imported"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transfer_format_has_a_name_the_cli_accepts() {
        for format in Format::ALL {
            let parsed = InputFormat::from_str(format.name(), false).unwrap();
            assert_eq!(parsed.transfer(), Some(format));
            assert_eq!(InputFormat::Transfer(format), parsed);
        }
        assert_eq!(
            InputFormat::from_str("pskc", false).unwrap().transfer(),
            None
        );
        for format in InputFormat::ALL {
            assert_eq!(InputFormat::from_str(format.name(), false), Ok(format));
        }
    }

    #[test]
    fn images_are_refused_for_text_formats_and_png_for_every_format_but_qr_image() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let jpeg = b"\xFF\xD8\xFF\xE0\0\x10JFIF";
        let qr = InputFormat::Transfer(Format::QrImage);
        assert!(refuse_image(qr, "qr.png", png).is_ok());
        assert!(refuse_image(qr, "qr.jpg", jpeg).is_ok());
        for format in InputFormat::ALL.into_iter().filter(|f| *f != qr) {
            let e = refuse_image(format, "qr.png", png).unwrap_err();
            assert!(
                e.message.starts_with(
                    "qr.png is a PNG image: read a screenshot of QR codes with --from qr-image"
                ),
                "{}",
                e.message
            );
            assert_eq!(refuse_image(format, "x", jpeg).is_err(), format.is_text());
            assert!(refuse_image(format, "x", b"[]").is_ok());
        }
    }

    #[test]
    fn kdf_flag_values_read_as_people_write_them() {
        assert_eq!(parse_work("1000000"), Ok(1_000_000));
        assert_eq!(parse_work("1M"), Ok(1_000_000));
        assert_eq!(parse_work("2.5m"), Ok(2_500_000));
        assert_eq!(parse_work("800k"), Ok(800_000));
        assert_eq!(parse_work(" 3G "), Ok(3_000_000_000));
        assert_eq!(parse_work("1.0000001k"), Ok(1001), "rounded up");
        for bad in [
            "",
            "M",
            "1.5.5M",
            "-1",
            "1e6",
            "1 M",
            "18446744073709551616",
            "99999999999G",
        ] {
            assert!(parse_work(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_memory("256MiB"), Ok(256 << 20));
        assert_eq!(parse_memory("1GiB"), Ok(1 << 30));
        assert_eq!(parse_memory("1.5g"), Ok(3 << 29));
        assert_eq!(parse_memory("64K"), Ok(64 << 10));
        assert_eq!(parse_memory("4096"), Ok(4096));
        assert!(parse_memory("lots").is_err());
    }

    #[test]
    fn kdf_flags_suggest_values_that_let_the_file_through() {
        let over = |work_needed, memory_needed| OverBudget {
            work_needed,
            work_allowed: 1_000,
            memory_needed,
            memory_allowed: 1 << 20,
        };
        for needed in [
            1_001,
            72_096,
            1_153_800,
            999_999_999,
            5_000_000_001,
            u64::MAX / 200,
        ] {
            let flags = kdf_flags(&over(needed, 0));
            let value = flags.strip_prefix("--kdf-budget ").unwrap();
            let back = parse_work(value).unwrap();
            assert!(
                back >= needed && back - needed <= needed / 100,
                "{needed}: {flags}"
            );
        }
        assert_eq!(kdf_flags(&over(72_096, 0)), "--kdf-budget 72.1k");
        assert_eq!(kdf_flags(&over(2_000_000, 0)), "--kdf-budget 2M");
        assert_eq!(kdf_flags(&over(500, 1 << 30)), "--kdf-memory 1GiB");
        assert_eq!(
            kdf_flags(&over(1_500, (32 << 20) + 2048)),
            "--kdf-budget 1.5k --kdf-memory 33MiB"
        );
    }

    #[test]
    fn printable_drops_control_characters() {
        assert_eq!(printable("a\u{1b}[31mb\nc"), "a[31mbc");
        assert_eq!(printable(&"x".repeat(100)).len(), 64);
    }
}
