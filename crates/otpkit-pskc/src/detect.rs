//! Whether a file is a PSKC container, told from its first bytes: [`is_pskc`].

/// The largest prefix [`is_pskc`] looks through for the root element: room for an
/// XML declaration and long comments before it.
const PSKC_SNIFF_LEN: usize = 64 * 1024;

/// Whether `data` is XML whose root element is a `KeyContainer` (with any namespace
/// prefix), PSKC's root: the XML declaration, comments and processing instructions
/// before it are skipped. Looks at most at the first 64 KiB, once.
///
/// ```
/// assert!(otpkit_pskc::is_pskc(b"<?xml version=\"1.0\"?>\n<pskc:KeyContainer Version=\"1.0\">"));
/// assert!(!otpkit_pskc::is_pskc(b"<map><KeyContainer/></map>"));
/// ```
pub fn is_pskc(data: &[u8]) -> bool {
    let data = data.get(..PSKC_SNIFF_LEN).unwrap_or(data);
    let mut rest = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    loop {
        rest = rest.trim_ascii_start();
        if rest.starts_with(b"<?") {
            let Some(after) = skip_to(b"?>", rest) else {
                return false;
            };
            rest = after;
        } else if rest.starts_with(b"<!--") {
            let Some(after) = skip_to(b"-->", rest) else {
                return false;
            };
            rest = after;
        } else if let Some(tag) = rest.strip_prefix(b"<") {
            let name_len = tag
                .iter()
                .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
                .unwrap_or(tag.len());
            let name = tag.get(..name_len).unwrap_or_default();
            let local = name.rsplit(|&b| b == b':').next().unwrap_or_default();
            return local == b"KeyContainer";
        } else {
            return false;
        }
    }
}

/// What follows the first `end` in `from`, if it has one.
fn skip_to<'a>(end: &[u8], from: &'a [u8]) -> Option<&'a [u8]> {
    from.windows(end.len())
        .position(|w| w == end)
        .and_then(|i| from.get(i.saturating_add(end.len())..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pskc_is_told_by_its_root_element() {
        for xml in [
            &b"<KeyContainer/>"[..],
            b"\xEF\xBB\xBF  <?xml version=\"1.0\"?>\n<!-- a comment <x> -->\n<pskc:KeyContainer \
              xmlns:pskc=\"urn:ietf:params:xml:ns:keyprov:pskc\">",
            b"<KeyContainer\nVersion=\"1.0\">",
        ] {
            assert!(is_pskc(xml), "{}", String::from_utf8_lossy(xml));
        }
        for other in [
            &b""[..],
            b"<?xml version=\"1.0\"?><map><KeyContainer/></map>",
            b"<!-- never closed <KeyContainer/>",
            b"<KeyContainerX/>",
            b"{\"KeyContainer\":1}",
        ] {
            assert!(!is_pskc(other), "{}", String::from_utf8_lossy(other));
        }
    }
}
