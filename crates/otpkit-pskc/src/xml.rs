//! Reading values out of the parsed tree: children by local name (PSKC files use
//! the namespace as a default or under any prefix), trimmed text, and Base64.

use roxmltree::Node;
use zeroize::{Zeroize, Zeroizing};

/// `node`'s child elements with local name `name`.
pub(crate) fn children<'a, 'i>(
    node: Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// `node`'s first child element with local name `name`.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// The trimmed text of `node`'s child `name`, if any and not empty.
pub(crate) fn text_of(node: Node<'_, '_>, name: &'static str) -> Option<String> {
    child(node, name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Base64 with the line breaks and indentation XML files put in it; the copy is
/// wiped.
pub(crate) fn base64(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let mut compact: Zeroizing<String> = Zeroizing::new(String::with_capacity(text.len()));
    compact.extend(text.chars().filter(|c| !c.is_ascii_whitespace()));
    let mut out = Zeroizing::new(vec![
        0u8;
        data_encoding::BASE64.decode_len(compact.len()).ok()?
    ]);
    let len = data_encoding::BASE64
        .decode_mut(compact.as_bytes(), &mut out)
        .ok()?;
    for b in out.iter_mut().skip(len) {
        b.zeroize();
    }
    out.truncate(len);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_tolerates_xml_whitespace() {
        assert_eq!(
            base64("  MTIz\n   NA==\n ")
                .as_deref()
                .map(|v| v.as_slice()),
            Some(&b"1234"[..])
        );
        assert!(base64("MTIz!").is_none());
    }
}
