//! Android `shared_prefs` XML files: `<map>` with one element per preference
//! (`<string name="…">text</string>`, `<int name="…" value="…"/>`, `<boolean …/>`,
//! `<long …/>`, `<float …/>`, `<set …>`), as Android writes them (read from the
//! sample files of Aegis's importer tests for Authy, Battle.net, FreeOTP 1, FreeOTP+
//! and TOTP Authenticator in the interop corpus).
//!
//! Bounds: the file is at most [`crate::MAX_INPUT_LEN`]. Before the parser
//! (`roxmltree`, no DTD) sees it, one linear pass refuses what these files never
//! have and what makes the parser's work grow faster than the input (as
//! `otpkit-pskc` bounds it): an element nested more than [`MAX_DEPTH`] deep, more
//! than [`MAX_ATTRIBUTES`] attributes in a tag, any namespace declaration, a DTD, a
//! CDATA section (Android escapes text instead). The parser also stops at
//! [`MAX_NODES`] nodes. With these, reading a file costs time and memory linear in
//! its size.
//!
//! The preferences hold secrets in their text, escaped (`&quot;` in JSON); the
//! parser would unescape them into buffers it frees unwiped, so it is given the file
//! with its text blanked, and the text is unescaped here into wiped buffers
//! ([`read`]).

use zeroize::Zeroizing;

use crate::{Format, ImportError};

/// Deepest element nesting read (`<map>` → `<set>` → `<string>` is 3).
pub(crate) const MAX_DEPTH: usize = 8;
/// Most attributes in one tag (`name` and `value` in real files).
pub(crate) const MAX_ATTRIBUTES: usize = 8;
/// Most XML nodes (elements, text, comments) parsed.
pub(crate) const MAX_NODES: u32 = 200_000;

/// One preference of the map: its element name (`string`, `int`, …), its `name`
/// attribute and its value (the text of a `<string>`, the `value` attribute of the
/// others; empty for a `<set>`).
pub(crate) struct Pref {
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) value: Zeroizing<String>,
}

/// Whether `data` looks like XML (its first non-blank byte is `<`, after an optional
/// UTF-8 byte-order mark).
pub(crate) fn looks_like_xml(data: &[u8]) -> bool {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// The preferences of a `shared_prefs` file, in file order.
///
/// Text content is read apart from the parser, so that no unwiped copy of it is made:
/// the parser is given a copy of the file with every text byte blanked to a space (a
/// copy holding only markup), and the text of each `<string>` is unescaped from the
/// file itself, at the positions the parser found, into a buffer wiped on drop.
pub(crate) fn read(format: Format, data: &[u8]) -> Result<Vec<Pref>, ImportError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let text = std::str::from_utf8(data)
        .map_err(|_| ImportError::malformed(format, "the XML is not UTF-8"))?
        .trim_start();
    let skeleton = scan(format, text)?;
    let doc = roxmltree::Document::parse_with_options(
        &skeleton,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: MAX_NODES,
            ..Default::default()
        },
    )
    .map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => {
            ImportError::malformed(format, "the XML has too many nodes")
        }
        _ => ImportError::malformed(format, "not well-formed XML"),
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "map" {
        return Err(ImportError::malformed(
            format,
            "expected an Android shared_prefs <map>",
        ));
    }
    let mut prefs = Vec::new();
    for node in root.children().filter(roxmltree::Node::is_element) {
        let kind = node.tag_name().name().to_owned();
        let name = node.attribute("name").unwrap_or_default().to_owned();
        let value = if kind == "string" {
            if node.children().any(|c| c.is_element()) {
                return Err(ImportError::malformed(
                    format,
                    "a <string> preference holds markup",
                ));
            }
            let ranges: Vec<_> = node
                .children()
                .filter(roxmltree::Node::is_text)
                .map(|t| t.range())
                .collect();
            let len = ranges.iter().map(ExactSizeIterator::len).sum();
            let mut value = Zeroizing::new(String::with_capacity(len));
            for range in ranges {
                let raw = text
                    .get(range)
                    .ok_or(ImportError::malformed(format, "not well-formed XML"))?;
                unescape(raw, &mut value).ok_or(ImportError::malformed(
                    format,
                    "an XML character reference or entity is not valid",
                ))?;
            }
            value
        } else {
            Zeroizing::new(node.attribute("value").unwrap_or_default().to_owned())
        };
        prefs.push(Pref { kind, name, value });
    }
    Ok(prefs)
}

/// Appends `raw` XML text to `out` with its entity and character references
/// replaced, never growing `out` past `raw.len()` more bytes (a reference is never
/// shorter than what it stands for). `None` for an unknown or bad reference.
fn unescape(raw: &str, out: &mut String) -> Option<()> {
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        let (before, from_amp) = rest.split_at(amp);
        out.push_str(before);
        let semi = from_amp.find(';')?;
        let name = from_amp.get(1..semi)?;
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match name.strip_prefix("#x") {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => name.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(code).filter(|&c| c != '\0')?
            }
        };
        out.push(c);
        rest = from_amp.get(semi.checked_add(1)?..)?;
    }
    out.push_str(rest);
    Some(())
}

/// The string preference `name`, if any.
pub(crate) fn string<'a>(prefs: &'a [Pref], name: &str) -> Option<&'a str> {
    prefs
        .iter()
        .find(|p| p.kind == "string" && p.name == name)
        .map(|p| p.value.as_str())
}

/// The linear pass described in the module docs; returns the file with its text
/// blanked (see [`read`]).
fn scan(format: Format, text: &str) -> Result<String, ImportError> {
    let bad = |what| Err(ImportError::malformed(format, what));
    let bytes = text.as_bytes();
    let mut skeleton = Vec::with_capacity(bytes.len());
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(rest) = bytes.get(i..) {
        let lt = rest.iter().position(|&b| b == b'<').unwrap_or(rest.len());
        // Text: blanked, keeping every offset.
        skeleton.resize(skeleton.len().saturating_add(lt), b' ');
        let start = i.saturating_add(lt);
        let tag = bytes.get(start..).unwrap_or_default();
        if tag.is_empty() {
            break;
        }
        let skip_to = |end: &[u8]| -> Option<usize> {
            tag.windows(end.len())
                .position(|w| w == end)
                .map(|p| start.saturating_add(p).saturating_add(end.len()))
        };
        let next = if tag.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if tag.starts_with(b"<![CDATA[") {
            return bad("the XML has a CDATA section");
        } else if tag.starts_with(b"<?") {
            skip_to(b"?>")
        } else if tag.starts_with(b"<!") {
            return bad("the XML has a DTD");
        } else if tag.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_to(b">")
        } else {
            // A start tag: count its attributes, outside quoted values.
            let mut quote = None;
            let mut attributes = 0usize;
            let mut end = None;
            let mut prev = 0u8;
            for (k, &b) in tag.iter().enumerate().skip(1) {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'=' => attributes = attributes.saturating_add(1),
                    None if b == b'>' => {
                        end = Some((k, prev == b'/'));
                        break;
                    }
                    None => {}
                }
                prev = b;
            }
            let Some((k, self_closing)) = end else {
                return bad("an XML tag is not closed");
            };
            if attributes > MAX_ATTRIBUTES {
                return bad("an XML tag has too many attributes");
            }
            let inner = tag.get(..k).unwrap_or_default();
            if inner.windows(5).any(|w| w == b"xmlns") {
                return bad("the XML declares a namespace");
            }
            if !self_closing {
                depth = depth.saturating_add(1);
                if depth > MAX_DEPTH {
                    return bad("the XML is nested too deeply");
                }
            }
            Some(start.saturating_add(k).saturating_add(1))
        };
        let Some(n) = next else {
            return bad("an XML comment, CDATA section or tag is not closed");
        };
        // Markup: copied as it is.
        skeleton.extend_from_slice(bytes.get(start..n).unwrap_or_default());
        i = n;
    }
    // Only whole ASCII-delimited markup was copied and text became spaces: UTF-8.
    String::from_utf8(skeleton).or(bad("the XML is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: Format = Format::FreeOtpPlus;

    #[test]
    fn reads_strings_and_values_in_order() {
        let xml = "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n\
            <int name=\"n\" value=\"3\" />\n<string name=\"s\">a &amp; &quot;b&quot; &#233;&#xE9; &lt;&gt;&apos;</string>\n\
            <!-- c <x> --><boolean name=\"b\" value=\"true\" /></map>";
        let prefs = read(F, xml.as_bytes()).unwrap();
        let got: Vec<_> = prefs
            .iter()
            .map(|p| (p.kind.as_str(), p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("int", "n", "3"),
                ("string", "s", "a & \"b\" éé <>'"),
                ("boolean", "b", "true")
            ]
        );
        assert_eq!(string(&prefs, "s"), Some("a & \"b\" éé <>'"));
        assert_eq!(string(&prefs, "n"), None);
    }

    #[test]
    fn hostile_shapes_are_refused_before_parsing() {
        let deep = format!("<map>{}{}</map>", "<a>".repeat(20), "</a>".repeat(20));
        let attrs = format!(
            "<map><string {}>x</string></map>",
            (0..20)
                .map(|k| format!("a{k}=\"\""))
                .collect::<Vec<_>>()
                .join(" ")
        );
        for (xml, what) in [
            (deep.as_str(), "the XML is nested too deeply"),
            (attrs.as_str(), "an XML tag has too many attributes"),
            ("<map xmlns:a=\"u\"></map>", "the XML declares a namespace"),
            ("<!DOCTYPE map []><map/>", "the XML has a DTD"),
            ("<map><string name=\"a\"", "an XML tag is not closed"),
            (
                "<map><!-- x",
                "an XML comment, CDATA section or tag is not closed",
            ),
            ("<list></list>", "expected an Android shared_prefs <map>"),
            ("<map><string>", "not well-formed XML"),
        ] {
            match read(F, xml.as_bytes()) {
                Err(ImportError::Malformed { what: got, .. }) => assert_eq!(got, what, "{xml}"),
                Err(other) => panic!("{xml}: {other:?}"),
                Ok(_) => panic!("{xml}: read"),
            }
        }
        // Deep nesting just under the bound is read.
        let ok = format!("<map>{}{}</map>", "<a>".repeat(7), "</a>".repeat(7));
        assert!(read(F, ok.as_bytes()).is_ok());
    }
}
