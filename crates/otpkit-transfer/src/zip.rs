//! A small, bounded ZIP reader for the archive formats (WinAuth, Authenticator Plus,
//! Proton Pass): the central directory, stored and deflated members, and traditional
//! PKWARE encryption ("ZipCrypto", APPNOTE.TXT section 6.1).
//!
//! ZipCrypto is weak: its 96-bit internal state is recovered from about 12 bytes of
//! known plaintext (Biham and Kocher's attack), so a ZipCrypto archive protects its
//! secrets little more than a plain one does. It is read because WinAuth and
//! Authenticator Plus write it; nothing in this crate writes it.
//!
//! Bounds: the archive is at most [`crate::MAX_INPUT_LEN`] bytes (checked before),
//! the central directory lists at most [`MAX_MEMBERS`] members, and one member
//! inflates to at most [`crate::MAX_INPUT_LEN`] bytes and never more than the size
//! its central directory entry declares: a zip bomb stops at that limit, so it costs
//! at most one buffer of that size. ZIP64, multi-disk archives, WinZip AES (method
//! 99) and PKWARE strong encryption are refused, not guessed at.

use zeroize::Zeroizing;

use crate::{Format, ImportError, MAX_INPUT_LEN};

/// The most members the central directory may list.
pub(crate) const MAX_MEMBERS: usize = 1024;

const EOCD_SIG: u32 = 0x0605_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;
const EOCD_LEN: usize = 22;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;
/// The general-purpose flag bits: encrypted, sizes in a trailing data descriptor,
/// strong encryption.
const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DESCRIPTOR: u16 = 1 << 3;
const FLAG_STRONG: u16 = 1 << 6;
/// The ZipCrypto header before each encrypted member's data.
const CRYPT_HEADER_LEN: usize = 12;

/// Why an archive or a member could not be read. Carries no content of the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ZipError {
    /// Not a ZIP archive, or a damaged one; what is wrong.
    Malformed(&'static str),
    /// A ZIP feature this reader does not implement.
    Unsupported(&'static str),
    /// An encryption this reader does not open (WinZip AES, strong encryption).
    UnsupportedEncryption(&'static str),
    /// The member is encrypted and no password was given.
    PasswordRequired,
    /// The password does not decrypt the member (its check byte, its inflate or its
    /// CRC-32 fails: ZipCrypto cannot tell a wrong password from damaged data past
    /// its one check byte).
    WrongPassword,
    /// The member declares more than [`MAX_INPUT_LEN`] bytes; its declared size.
    TooLarge(usize),
}

impl ZipError {
    /// The import error of `format` for this archive error.
    pub(crate) fn into_import(self, format: Format) -> ImportError {
        match self {
            ZipError::Malformed(what) => ImportError::malformed(format, what),
            ZipError::Unsupported(what) => ImportError::malformed(format, what),
            ZipError::UnsupportedEncryption(what) => {
                ImportError::UnsupportedEncryption { format, what }
            }
            ZipError::PasswordRequired => ImportError::PasswordRequired { format },
            ZipError::WrongPassword => ImportError::WrongPassword { format },
            ZipError::TooLarge(len) => ImportError::TooLarge {
                len,
                max: MAX_INPUT_LEN,
            },
        }
    }
}

/// One member of the archive, as its central directory entry describes it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Member<'a> {
    /// The member's path inside the archive (CP437 or UTF-8 bytes).
    pub(crate) name: &'a [u8],
    flags: u16,
    method: u16,
    mod_time: u16,
    crc: u32,
    size: usize,
    /// The member's data as stored (encrypted and/or compressed).
    data: &'a [u8],
}

impl Member<'_> {
    /// Whether the member is a directory entry (a name ending in `/`).
    pub(crate) fn is_dir(&self) -> bool {
        self.name.last() == Some(&b'/')
    }

    /// The member's name as text (lossy: names are only compared and never secret).
    pub(crate) fn name_text(&self) -> String {
        String::from_utf8_lossy(self.name).into_owned()
    }

    /// Whether the member is encrypted.
    pub(crate) fn encrypted(&self) -> bool {
        self.flags & FLAG_ENCRYPTED != 0
    }
}

fn u16_at(data: &[u8], at: usize) -> Result<u16, ZipError> {
    let bytes = data
        .get(
            at..at
                .checked_add(2)
                .ok_or(ZipError::Malformed("offset overflow"))?,
        )
        .ok_or(ZipError::Malformed("truncated archive"))?;
    let mut b = [0u8; 2];
    b.copy_from_slice(bytes);
    Ok(u16::from_le_bytes(b))
}

fn u32_at(data: &[u8], at: usize) -> Result<u32, ZipError> {
    let bytes = data
        .get(
            at..at
                .checked_add(4)
                .ok_or(ZipError::Malformed("offset overflow"))?,
        )
        .ok_or(ZipError::Malformed("truncated archive"))?;
    let mut b = [0u8; 4];
    b.copy_from_slice(bytes);
    Ok(u32::from_le_bytes(b))
}

fn usize_of(v: u32) -> Result<usize, ZipError> {
    usize::try_from(v).map_err(|_| ZipError::Malformed("size out of range"))
}

fn add(a: usize, b: usize) -> Result<usize, ZipError> {
    a.checked_add(b)
        .ok_or(ZipError::Malformed("offset overflow"))
}

/// The end-of-central-directory record: searched backwards over the last 64 KiB
/// (its comment is at most 65 535 bytes).
fn find_eocd(data: &[u8]) -> Result<usize, ZipError> {
    let last = data
        .len()
        .checked_sub(EOCD_LEN)
        .ok_or(ZipError::Malformed("not a ZIP archive (too short)"))?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    (first..=last)
        .rev()
        .find(|&at| u32_at(data, at) == Ok(EOCD_SIG))
        .ok_or(ZipError::Malformed(
            "not a ZIP archive (no end of central directory)",
        ))
}

/// The members the central directory lists, in its order.
pub(crate) fn members(data: &[u8]) -> Result<Vec<Member<'_>>, ZipError> {
    if !data.starts_with(b"PK") {
        return Err(ZipError::Malformed("not a ZIP archive"));
    }
    let eocd = find_eocd(data)?;
    let disk = u16_at(data, add(eocd, 4)?)?;
    let cd_disk = u16_at(data, add(eocd, 6)?)?;
    let on_disk = u16_at(data, add(eocd, 8)?)?;
    let count = u16_at(data, add(eocd, 10)?)?;
    let cd_size = u32_at(data, add(eocd, 12)?)?;
    let cd_offset = u32_at(data, add(eocd, 16)?)?;
    if count == u16::MAX || cd_size == u32::MAX || cd_offset == u32::MAX {
        return Err(ZipError::Unsupported("ZIP64 archives are not read"));
    }
    if disk != 0 || cd_disk != 0 || on_disk != count {
        return Err(ZipError::Unsupported("multi-disk archives are not read"));
    }
    let count = usize::from(count);
    if count > MAX_MEMBERS {
        return Err(ZipError::Unsupported("more members than this reader reads"));
    }
    let mut at = usize_of(cd_offset)?;
    let end = add(at, usize_of(cd_size)?)?;
    if end > eocd {
        return Err(ZipError::Malformed(
            "the central directory overlaps its end record",
        ));
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(data, at)? != CENTRAL_SIG {
            return Err(ZipError::Malformed("bad central directory entry"));
        }
        let flags = u16_at(data, add(at, 8)?)?;
        let method = u16_at(data, add(at, 10)?)?;
        let mod_time = u16_at(data, add(at, 12)?)?;
        let crc = u32_at(data, add(at, 16)?)?;
        let csize = u32_at(data, add(at, 20)?)?;
        let size = u32_at(data, add(at, 24)?)?;
        let name_len = usize::from(u16_at(data, add(at, 28)?)?);
        let extra_len = usize::from(u16_at(data, add(at, 30)?)?);
        let comment_len = usize::from(u16_at(data, add(at, 32)?)?);
        let local = u32_at(data, add(at, 42)?)?;
        if csize == u32::MAX || size == u32::MAX || local == u32::MAX {
            return Err(ZipError::Unsupported("ZIP64 archives are not read"));
        }
        let name_start = add(at, CENTRAL_LEN)?;
        let name = data
            .get(name_start..add(name_start, name_len)?)
            .ok_or(ZipError::Malformed("truncated central directory"))?;
        at = add(add(add(name_start, name_len)?, extra_len)?, comment_len)?;
        if at > end {
            return Err(ZipError::Malformed("truncated central directory"));
        }
        let local = usize_of(local)?;
        if u32_at(data, local)? != LOCAL_SIG {
            return Err(ZipError::Malformed("bad local file header"));
        }
        let local_name = usize::from(u16_at(data, add(local, 26)?)?);
        let local_extra = usize::from(u16_at(data, add(local, 28)?)?);
        let start = add(add(add(local, LOCAL_LEN)?, local_name)?, local_extra)?;
        let member_data = data
            .get(start..add(start, usize_of(csize)?)?)
            .ok_or(ZipError::Malformed("a member's data is truncated"))?;
        out.push(Member {
            name,
            flags,
            method,
            mod_time,
            crc,
            size: usize_of(size)?,
            data: member_data,
        });
    }
    Ok(out)
}

/// The member's content: decrypted with `password` when it is encrypted, inflated
/// when it is deflated, and checked against its CRC-32.
pub(crate) fn read(
    member: &Member<'_>,
    password: Option<&[u8]>,
) -> Result<Zeroizing<Vec<u8>>, ZipError> {
    if member.flags & FLAG_STRONG != 0 {
        return Err(ZipError::UnsupportedEncryption(
            "PKWARE strong encryption is not supported",
        ));
    }
    if member.method == 99 {
        return Err(ZipError::UnsupportedEncryption(
            "WinZip AES encryption is not supported",
        ));
    }
    if member.method != 0 && member.method != 8 {
        return Err(ZipError::Unsupported(
            "a member is compressed with a method other than deflate",
        ));
    }
    if member.size > MAX_INPUT_LEN {
        return Err(ZipError::TooLarge(member.size));
    }
    let encrypted = member.encrypted();
    let stored: Zeroizing<Vec<u8>> = if encrypted {
        let password = password.ok_or(ZipError::PasswordRequired)?;
        // The header's last byte is the CRC-32's high byte, or, when the sizes and
        // CRC follow the data (flag bit 3), the modification time's high byte for
        // Info-ZIP-style writers (some still write the CRC's): either is taken, as
        // the CRC-32 is checked over the whole content afterwards anyway.
        let crc_check = member.crc.to_be_bytes()[0];
        let time_check = member.mod_time.to_be_bytes()[0];
        let descriptor = member.flags & FLAG_DESCRIPTOR != 0;
        let (header, body) = member
            .data
            .split_at_checked(CRYPT_HEADER_LEN)
            .ok_or(ZipError::Malformed("an encrypted member is truncated"))?;
        let mut keys = ZipCrypto::new(password);
        let mut last = 0u8;
        for &c in header {
            last = keys.decrypt(c);
        }
        if last != crc_check && !(descriptor && last == time_check) {
            return Err(ZipError::WrongPassword);
        }
        let mut out = Zeroizing::new(Vec::with_capacity(body.len()));
        out.extend(body.iter().map(|&c| keys.decrypt(c)));
        out
    } else {
        Zeroizing::new(member.data.to_vec())
    };
    // A wrong password that passed the one check byte shows here, as bad deflate
    // data or a CRC mismatch.
    let damaged = if encrypted {
        ZipError::WrongPassword
    } else {
        ZipError::Malformed("a member's data is damaged")
    };
    let content = if member.method == 8 {
        inflate(&stored, member.size).ok_or(damaged)?
    } else {
        stored
    };
    if content.len() != member.size || crc32fast::hash(&content) != member.crc {
        return Err(damaged);
    }
    Ok(content)
}

/// Inflates raw deflate data into a buffer of exactly `size` bytes, allocated once
/// (it may hold secrets: a growing buffer would leave unwiped copies behind). `None`
/// when the data is not valid deflate or does not fill the buffer exactly.
fn inflate(data: &[u8], size: usize) -> Option<Zeroizing<Vec<u8>>> {
    use miniz_oxide::inflate::TINFLStatus;
    use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};
    let mut out = Zeroizing::new(vec![0u8; size]);
    let mut state = Box::new(DecompressorOxide::new());
    let (status, _, written) = decompress(
        &mut state,
        data,
        &mut out,
        0,
        inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
    );
    (status == TINFLStatus::Done && written == size).then_some(out)
}

/// The traditional PKWARE cipher's three 32-bit keys.
struct ZipCrypto([u32; 3]);

/// One byte of the reflected CRC-32 (polynomial 0xEDB88320) without its final
/// inversion, as ZipCrypto's key schedule uses it.
fn crc_byte(crc: u32, byte: u8) -> u32 {
    let mut c = crc ^ u32::from(byte);
    for _ in 0..8 {
        let mask = 0u32.wrapping_sub(c & 1);
        c = (c >> 1) ^ (0xEDB8_8320 & mask);
    }
    c
}

impl ZipCrypto {
    fn new(password: &[u8]) -> Self {
        let mut keys = ZipCrypto([0x1234_5678, 0x2345_6789, 0x3456_7890]);
        for &b in password {
            keys.update(b);
        }
        keys
    }

    fn update(&mut self, plain: u8) {
        let [k0, k1, k2] = &mut self.0;
        *k0 = crc_byte(*k0, plain);
        *k1 = k1
            .wrapping_add(*k0 & 0xff)
            .wrapping_mul(134_775_813)
            .wrapping_add(1);
        *k2 = crc_byte(*k2, k1.to_be_bytes()[0]);
    }

    fn decrypt(&mut self, cipher: u8) -> u8 {
        let t = (self.0[2] | 2) & 0xffff;
        let stream = t.wrapping_mul(t ^ 1).to_le_bytes()[1];
        let plain = cipher ^ stream;
        self.update(plain);
        plain
    }

    #[cfg(test)]
    fn encrypt(&mut self, plain: u8) -> u8 {
        let t = (self.0[2] | 2) & 0xffff;
        let stream = t.wrapping_mul(t ^ 1).to_le_bytes()[1];
        self.update(plain);
        plain ^ stream
    }
}

impl Drop for ZipCrypto {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// Test support: writes archives with this module's own structures (stored or
/// deflated, plain or ZipCrypto), for the formats' tests.
#[cfg(test)]
pub(crate) mod write {
    use super::*;

    /// One member to write: name, content, deflate?, password.
    pub(crate) struct Spec<'a> {
        pub(crate) name: &'a str,
        pub(crate) content: &'a [u8],
        pub(crate) deflate: bool,
        pub(crate) password: Option<&'a [u8]>,
    }

    pub(crate) fn archive(specs: &[Spec<'_>]) -> Vec<u8> {
        archive_with(specs, false)
    }

    /// With `crc_check`, encrypted members carry the CRC-32's high byte as their
    /// check byte and no data-descriptor flag (as PKZIP writes them); without, the
    /// modification time's, with the flag (as Info-ZIP writes them).
    pub(crate) fn archive_with(specs: &[Spec<'_>], crc_check: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for s in specs {
            let crc = crc32fast::hash(s.content);
            let mut data = if s.deflate {
                miniz_oxide::deflate::compress_to_vec(s.content, 6)
            } else {
                s.content.to_vec()
            };
            let mut flags = 0u16;
            let mod_time = 0x6000u16;
            if let Some(pw) = s.password {
                flags |= FLAG_ENCRYPTED;
                let mut keys = ZipCrypto::new(pw);
                let mut header: Vec<u8> = (0u8..11).collect();
                if crc_check {
                    header.push(crc.to_be_bytes()[0]);
                } else {
                    flags |= FLAG_DESCRIPTOR;
                    header.push(mod_time.to_be_bytes()[0]);
                }
                let mut enc: Vec<u8> = header.iter().map(|&b| keys.encrypt(b)).collect();
                enc.extend(data.iter().map(|&b| keys.encrypt(b)));
                data = enc;
            }
            let method: u16 = if s.deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            let fixed = |sig: u32, buf: &mut Vec<u8>| {
                buf.extend(sig.to_le_bytes());
                if sig == CENTRAL_SIG {
                    buf.extend(20u16.to_le_bytes());
                }
                buf.extend(20u16.to_le_bytes());
                buf.extend(flags.to_le_bytes());
                buf.extend(method.to_le_bytes());
                buf.extend(mod_time.to_le_bytes());
                buf.extend(0u16.to_le_bytes());
                buf.extend(crc.to_le_bytes());
                buf.extend((data.len() as u32).to_le_bytes());
                buf.extend((s.content.len() as u32).to_le_bytes());
                buf.extend((s.name.len() as u16).to_le_bytes());
                buf.extend(0u16.to_le_bytes());
            };
            fixed(LOCAL_SIG, &mut out);
            out.extend(s.name.as_bytes());
            out.extend(&data);
            fixed(CENTRAL_SIG, &mut central);
            central.extend([0u8; 10]);
            central.extend(offset.to_le_bytes());
            central.extend(s.name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        let cd_size = central.len() as u32;
        out.extend(central);
        out.extend(EOCD_SIG.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend((specs.len() as u16).to_le_bytes());
        out.extend((specs.len() as u16).to_le_bytes());
        out.extend(cd_size.to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::write::{Spec, archive};
    use super::*;

    fn one(content: &[u8], deflate: bool, password: Option<&[u8]>) -> Vec<u8> {
        archive(&[Spec {
            name: "a.txt",
            content,
            deflate,
            password,
        }])
    }

    #[test]
    fn stored_and_deflated_round_trip() {
        for deflate in [false, true] {
            let zip = one(b"hello hello hello", deflate, None);
            let m = members(&zip).unwrap();
            assert_eq!(m.len(), 1);
            assert_eq!(m[0].name, b"a.txt");
            assert!(!m[0].encrypted());
            assert_eq!(read(&m[0], None).unwrap().as_slice(), b"hello hello hello");
        }
    }

    #[test]
    fn zipcrypto_round_trip_and_wrong_password() {
        let zip = one(b"otpauth://totp/x?secret=JBSWY3DP", true, Some(b"pw"));
        let m = members(&zip).unwrap();
        assert!(m[0].encrypted());
        assert_eq!(
            read(&m[0], Some(b"pw")).unwrap().as_slice(),
            b"otpauth://totp/x?secret=JBSWY3DP"
        );
        assert_eq!(read(&m[0], None).unwrap_err(), ZipError::PasswordRequired);
        // Every other password fails: at the check byte, or at inflate / CRC-32.
        for i in 0..300u32 {
            let pw = format!("wrong{i}");
            assert_eq!(
                read(&m[0], Some(pw.as_bytes())).unwrap_err(),
                ZipError::WrongPassword
            );
        }
    }

    #[test]
    fn the_check_byte_may_be_the_crc_or_with_a_descriptor_the_time() {
        for crc_check in [true, false] {
            let spec = Spec {
                name: "a.txt",
                content: b"otpauth://totp/x?secret=JBSWY3DP",
                deflate: false,
                password: Some(b"pw"),
            };
            let zip = write::archive_with(&[spec], crc_check);
            let m = members(&zip).unwrap();
            assert_eq!(m[0].flags & FLAG_DESCRIPTOR == 0, crc_check);
            assert!(read(&m[0], Some(b"pw")).is_ok());
        }
    }

    #[test]
    fn damaged_data_is_refused() {
        let mut zip = one(b"hello world", false, None);
        zip[LOCAL_LEN + 5 + 1] ^= 1;
        let m = members(&zip).unwrap();
        assert_eq!(
            read(&m[0], None).unwrap_err(),
            ZipError::Malformed("a member's data is damaged")
        );
    }

    #[test]
    fn truncated_and_foreign_input_is_malformed() {
        let zip = one(b"hello world", true, None);
        for cut in 0..zip.len() {
            // Every prefix is refused or reads without panicking.
            if let Ok(m) = members(&zip[..cut]) {
                for member in &m {
                    let _ = read(member, None);
                }
            }
        }
        assert!(matches!(members(b"{}"), Err(ZipError::Malformed(_))));
        assert!(matches!(members(b"PK"), Err(ZipError::Malformed(_))));
        let empty = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        assert_eq!(members(empty).unwrap().len(), 0);
    }

    #[test]
    fn a_zip_bomb_stops_at_its_declared_size() {
        // 8 MiB of zeros deflate to a few KiB; the entry declares 1 KiB.
        let big = vec![0u8; 8 << 20];
        let mut zip = one(&big, true, None);
        let m = members(&zip).unwrap();
        let csize = m[0].data.len();
        // Central directory uncompressed size (offset 24 in the entry) set to 1024.
        let cd = LOCAL_LEN + 5 + csize;
        zip[cd + 24..cd + 28].copy_from_slice(&1024u32.to_le_bytes());
        let m = members(&zip).unwrap();
        assert_eq!(
            read(&m[0], None).unwrap_err(),
            ZipError::Malformed("a member's data is damaged")
        );
        // A declared size over the limit is refused before inflating.
        zip[cd + 24..cd + 28]
            .copy_from_slice(&u32::try_from(MAX_INPUT_LEN + 1).unwrap().to_le_bytes());
        let m = members(&zip).unwrap();
        assert_eq!(
            read(&m[0], None).unwrap_err(),
            ZipError::TooLarge(MAX_INPUT_LEN + 1)
        );
    }

    #[test]
    fn unsupported_features_are_typed() {
        let mut zip = one(b"x", false, None);
        let cd = LOCAL_LEN + 5 + 1;
        // Method 99 (WinZip AES) in the central directory.
        zip[cd + 10..cd + 12].copy_from_slice(&99u16.to_le_bytes());
        let m = members(&zip).unwrap();
        assert!(matches!(
            read(&m[0], None),
            Err(ZipError::UnsupportedEncryption(_))
        ));
        zip[cd + 10..cd + 12].copy_from_slice(&12u16.to_le_bytes());
        let m = members(&zip).unwrap();
        assert!(matches!(read(&m[0], None), Err(ZipError::Unsupported(_))));
        // ZIP64 markers.
        let mut zip64 = one(b"x", false, None);
        let n = zip64.len();
        zip64[n - 12..n - 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(members(&zip64), Err(ZipError::Unsupported(_))));
    }
}
