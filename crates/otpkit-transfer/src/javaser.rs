//! A reader for exactly one Java serialisation stream: a `java.util.HashMap` of
//! `String` keys and values, as `ObjectOutputStream` writes it (the Java Object
//! Serialization Specification, chapter 6; the map's own `writeObject` data is its
//! capacity and size as two `int`s, then the pairs). FreeOTP 2 writes its backups so.
//!
//! Anything else is refused: another class, a class with other than primitive
//! fields, a superclass, a value other than a string or a back-reference to an
//! earlier string. Bounds: the stream is read once, front to back; it holds at most
//! [`MAX_PAIRS`] pairs and every string is a slice of the input, so time and memory
//! are linear in the input's length.

use zeroize::Zeroizing;

/// The most key/value pairs read.
pub(crate) const MAX_PAIRS: usize = 2 * crate::MAX_ENTRIES + 16;

const MAGIC: [u8; 4] = [0xAC, 0xED, 0x00, 0x05];
const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_LONGSTRING: u8 = 0x7C;
const BASE_HANDLE: u32 = 0x7E_0000;

/// Why a stream was refused (not a secret: no content of the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refused(pub(crate) &'static str);

/// Whether `data` starts as a Java serialisation stream.
pub(crate) fn is_stream(data: &[u8]) -> bool {
    data.starts_with(&MAGIC)
}

/// A key and its value, wiped on drop.
pub(crate) type Pair = (Zeroizing<String>, Zeroizing<String>);

/// The map's pairs, in stream order (the order `HashMap` iterated them).
pub(crate) fn read_string_map(data: &[u8]) -> Result<Vec<Pair>, Refused> {
    let mut r = Reader { data, pos: 0 };
    if r.take(4)? != MAGIC {
        return Err(Refused("not a Java serialisation stream"));
    }
    if r.byte()? != TC_OBJECT || r.byte()? != TC_CLASSDESC {
        return Err(Refused("expected a serialised object"));
    }
    if r.utf()?.as_str() != "java.util.HashMap" {
        return Err(Refused("expected a java.util.HashMap"));
    }
    r.take(8)?; // serialVersionUID
    let flags = r.byte()?;
    // SC_SERIALIZABLE | SC_WRITE_METHOD
    if flags != 0x03 {
        return Err(Refused("unexpected HashMap class flags"));
    }
    let fields = r.u16()?;
    let mut field_bytes = 0usize;
    for _ in 0..fields {
        let size = match r.byte()? {
            b'B' | b'Z' => 1,
            b'C' | b'S' => 2,
            b'F' | b'I' => 4,
            b'D' | b'J' => 8,
            _ => return Err(Refused("a HashMap field that is not primitive")),
        };
        r.utf()?;
        field_bytes = field_bytes.saturating_add(size);
    }
    if r.byte()? != TC_ENDBLOCKDATA {
        return Err(Refused("class annotations are not read"));
    }
    if r.byte()? != TC_NULL {
        return Err(Refused("a HashMap with a superclass is not read"));
    }
    r.take(field_bytes)?;
    // Handles: 0 the class description, 1 the map, then each new string.
    let mut strings: Vec<Option<Zeroizing<String>>> = vec![None, None];
    if r.byte()? != TC_BLOCKDATA || r.byte()? != 8 {
        return Err(Refused("expected the HashMap's capacity and size"));
    }
    r.take(4)?; // capacity
    let size = usize::try_from(r.u32()?).map_err(|_| Refused("too many pairs"))?;
    if size > MAX_PAIRS {
        return Err(Refused("too many pairs"));
    }
    let mut pairs = Vec::with_capacity(size);
    for _ in 0..size {
        let key = r.string(&mut strings)?;
        let value = r.string(&mut strings)?;
        pairs.push((key, value));
    }
    if r.byte()? != TC_ENDBLOCKDATA {
        return Err(Refused("expected the end of the HashMap"));
    }
    if r.pos != data.len() {
        return Err(Refused("data after the HashMap"));
    }
    Ok(pairs)
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Refused> {
        let end = self.pos.checked_add(n).ok_or(Refused("truncated"))?;
        let out = self.data.get(self.pos..end).ok_or(Refused("truncated"))?;
        self.pos = end;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, Refused> {
        self.take(1)?.first().copied().ok_or(Refused("truncated"))
    }

    fn u16(&mut self) -> Result<u16, Refused> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([
            b.first().copied().unwrap_or_default(),
            b.get(1).copied().unwrap_or_default(),
        ]))
    }

    fn u32(&mut self) -> Result<u32, Refused> {
        let mut be = [0u8; 4];
        be.copy_from_slice(self.take(4)?);
        Ok(u32::from_be_bytes(be))
    }

    fn u64(&mut self) -> Result<u64, Refused> {
        let mut be = [0u8; 8];
        be.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(be))
    }

    /// A `writeUTF` string (16-bit length, modified UTF-8).
    fn utf(&mut self) -> Result<Zeroizing<String>, Refused> {
        let len = usize::from(self.u16()?);
        modified_utf8(self.take(len)?)
    }

    /// A string object, or a back-reference to one read earlier.
    fn string(
        &mut self,
        strings: &mut Vec<Option<Zeroizing<String>>>,
    ) -> Result<Zeroizing<String>, Refused> {
        let s = match self.byte()? {
            TC_STRING => self.utf()?,
            TC_LONGSTRING => {
                let len = usize::try_from(self.u64()?).map_err(|_| Refused("truncated"))?;
                modified_utf8(self.take(len)?)?
            }
            TC_REFERENCE => {
                let handle = self
                    .u32()?
                    .checked_sub(BASE_HANDLE)
                    .ok_or(Refused("bad reference"))?;
                let index = usize::try_from(handle).map_err(|_| Refused("bad reference"))?;
                return strings
                    .get(index)
                    .and_then(Option::as_ref)
                    .cloned()
                    .ok_or(Refused("a reference to something not a string"));
            }
            _ => return Err(Refused("a HashMap key or value that is not a string")),
        };
        strings.push(Some(s.clone()));
        Ok(s)
    }
}

/// Java's modified UTF-8: UTF-8 with NUL as two bytes and characters above U+FFFF as
/// two three-byte surrogates.
fn modified_utf8(bytes: &[u8]) -> Result<Zeroizing<String>, Refused> {
    if let Ok(s) = std::str::from_utf8(bytes)
        && !s.contains('\0')
    {
        return Ok(Zeroizing::new(s.to_owned()));
    }
    let bad = Refused("a string that is not modified UTF-8");
    let mut units = Zeroizing::new(Vec::with_capacity(bytes.len()));
    let mut it = bytes.iter().copied();
    while let Some(a) = it.next() {
        let a16 = u16::from(a);
        let unit = match a {
            0x01..=0x7F => a16,
            0xC0..=0xDF => {
                let b = it.next().filter(|b| b & 0xC0 == 0x80).ok_or(bad)?;
                ((a16 & 0x1F) << 6) | (u16::from(b) & 0x3F)
            }
            0xE0..=0xEF => {
                let b = it.next().filter(|b| b & 0xC0 == 0x80).ok_or(bad)?;
                let c = it.next().filter(|c| c & 0xC0 == 0x80).ok_or(bad)?;
                ((a16 & 0x0F) << 12) | ((u16::from(b) & 0x3F) << 6) | (u16::from(c) & 0x3F)
            }
            _ => return Err(bad),
        };
        units.push(unit);
    }
    String::from_utf16(&units)
        .map(Zeroizing::new)
        .map_err(|_| bad)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stream as `ObjectOutputStream` writes a `HashMap<String, String>` (Android's
    /// class description: the one field `loadFactor`).
    pub(crate) fn write_string_map(pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend([TC_OBJECT, TC_CLASSDESC]);
        let name = b"java.util.HashMap";
        out.extend((name.len() as u16).to_be_bytes());
        out.extend(name);
        out.extend([0x05, 0x07, 0xDA, 0xC1, 0xC3, 0x16, 0x60, 0xD1, 0x03]);
        out.extend(1u16.to_be_bytes());
        out.push(b'F');
        out.extend(10u16.to_be_bytes());
        out.extend(b"loadFactor");
        out.extend([TC_ENDBLOCKDATA, TC_NULL]);
        out.extend(0.75f32.to_be_bytes());
        out.extend([TC_BLOCKDATA, 8]);
        out.extend(32u32.to_be_bytes());
        out.extend((pairs.len() as u32).to_be_bytes());
        for (k, v) in pairs {
            for s in [k, v] {
                out.push(TC_STRING);
                out.extend((s.len() as u16).to_be_bytes());
                out.extend(s.as_bytes());
            }
        }
        out.push(TC_ENDBLOCKDATA);
        out
    }

    #[test]
    fn reads_pairs_in_order_with_references_and_modified_utf8() {
        // A third pair: a key in modified UTF-8 (NUL, a surrogate pair) and a
        // back-reference to "x" (handle 3: the class, the map, "a", then "x").
        let mut data = write_string_map(&[("a", "x"), ("b", "y")]);
        data.pop();
        data.extend([
            TC_STRING, 0, 9, b'c', 0xC0, 0x80, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80,
        ]);
        data.extend([TC_REFERENCE, 0x00, 0x7E, 0x00, 0x03, TC_ENDBLOCKDATA]);
        let pos = data
            .windows(2)
            .position(|w| w == [TC_BLOCKDATA, 8])
            .unwrap()
            + 6;
        data[pos..pos + 4].copy_from_slice(&3u32.to_be_bytes());
        let pairs = read_string_map(&data).unwrap();
        let got: Vec<_> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, [("a", "x"), ("b", "y"), ("c\0\u{1F600}", "x")]);
    }

    #[test]
    fn refuses_other_streams() {
        let good = write_string_map(&[("a", "x")]);
        assert!(read_string_map(&good).is_ok());
        let mut other_class = good.clone();
        other_class[8] = b'X';
        let mut object_value = good.clone();
        let at = object_value.len() - 5;
        object_value[at] = TC_OBJECT;
        let mut too_many = good.clone();
        let pos = too_many
            .windows(2)
            .position(|w| w == [TC_BLOCKDATA, 8])
            .unwrap()
            + 6;
        too_many[pos..pos + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        let mut trailing = good.clone();
        trailing.push(0);
        for (data, why) in [
            (&good[..good.len() - 1], "truncated"),
            (&good[..3], "truncated"),
            (&b"\xAC\xED\x00\x06"[..], "not a Java serialisation stream"),
            (&other_class[..], "expected a java.util.HashMap"),
            (
                &object_value[..],
                "a HashMap key or value that is not a string",
            ),
            (&too_many[..], "too many pairs"),
            (&trailing[..], "data after the HashMap"),
        ] {
            assert_eq!(read_string_map(data).unwrap_err(), Refused(why));
        }
    }
}
