//! The shape of the XML (nesting depth, attributes per element, namespaces in
//! scope, namespace URI length), checked by one linear pass over the text before the
//! parser sees it.
//!
//! The parser (roxmltree) does work that grows faster than the input along these
//! dimensions: it compares each attribute of an element with every earlier one (by
//! namespace URI, then name), compares each namespace declaration with the others
//! of its element, and gives every element that declares a namespace its own copy
//! of the namespaces in scope, built by comparing each inherited one with those
//! already copied. One element with 100 000 attributes took a minute; a 34 KB file
//! of 1 000 namespaces and 1 000 elements declaring one more took five seconds. With
//! these dimensions bounded, its work is linear in the input.
//!
//! The pass reads markup boundaries as the parser does: comments end at the first
//! `-->`, CDATA sections at the first `]]>`, processing instructions (and the XML
//! declaration) at the first `?>`, end tags at the first `>`, and a start tag's
//! attribute values at their closing quote, so a `>` or `=` inside a value or in
//! text is no markup. What it cannot read is not well-formed, and is refused here
//! rather than handed to the parser unchecked.

use std::collections::HashMap;

use crate::{Options, PskcError};

/// The bounds [`scan`] enforces, from [`Options`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// [`Options::max_depth`].
    pub(crate) depth: usize,
    /// [`Options::max_attributes`].
    pub(crate) attributes: usize,
    /// [`Options::max_namespaces`].
    pub(crate) namespaces: usize,
    /// [`Options::max_namespace_uri`].
    pub(crate) namespace_uri: usize,
}

impl Limits {
    pub(crate) fn of(options: &Options) -> Self {
        Limits {
            depth: options.max_depth,
            attributes: options.max_attributes,
            namespaces: options.max_namespaces,
            namespace_uri: options.max_namespace_uri,
        }
    }
}

/// The largest of each dimension in a document that passed [`scan`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Elements (start tags and empty-element tags).
    pub(crate) elements: usize,
    /// The deepest element, the root at 1.
    pub(crate) depth: usize,
    /// The most attributes on one element, namespace declarations included.
    pub(crate) attributes: usize,
    /// The most namespaces in scope at one element, counted as the parser keeps
    /// them.
    pub(crate) namespaces: usize,
    /// The longest namespace URI, in bytes as written.
    pub(crate) namespace_uri: usize,
}

/// Checks `text` against `limits` in one pass, stopping at the first element that
/// exceeds one.
pub(crate) fn scan(text: &str, limits: Limits) -> Result<Shape, PskcError> {
    let mut scanner = Scanner {
        text: text.as_bytes(),
        limits,
        shape: Shape::default(),
        open: Vec::new(),
        in_scope: HashMap::new(),
    };
    scanner.run()?;
    Ok(scanner.shape)
}

struct Scanner<'t> {
    text: &'t [u8],
    limits: Limits,
    shape: Shape,
    /// Each open element, outermost first: the prefixes it declares (`b""` for the
    /// default namespace) and how many namespaces the parser has in scope there.
    open: Vec<(Vec<&'t [u8]>, usize)>,
    /// How many open elements declare each prefix: its keys are the prefixes in
    /// scope.
    in_scope: HashMap<&'t [u8], usize>,
}

/// Whitespace as XML defines it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// A byte that ends a name in a tag.
fn ends_name(b: u8) -> bool {
    is_space(b) || matches!(b, b'/' | b'>' | b'=' | b'"' | b'\'' | b'<')
}

/// The prefix an attribute named `name` declares, if it is a namespace declaration.
fn declared_prefix(name: &[u8]) -> Option<&[u8]> {
    if name == b"xmlns" {
        Some(b"")
    } else {
        name.strip_prefix(b"xmlns:")
    }
}

impl<'t> Scanner<'t> {
    fn run(&mut self) -> Result<(), PskcError> {
        let mut pos = 0;
        while let Some(lt) = self.find_byte(pos, |b| b == b'<') {
            let rest = self.text.get(lt..).unwrap_or_default();
            pos = if rest.starts_with(b"<!--") {
                self.past(lt, 4, b"-->", "an unterminated comment")?
            } else if rest.starts_with(b"<![CDATA[") {
                self.past(lt, 9, b"]]>", "an unterminated CDATA section")?
            } else if rest.starts_with(b"<!DOCTYPE") {
                return Err(PskcError::DtdNotAllowed);
            } else if rest.starts_with(b"<!") {
                return Err(self.malformed(lt, "markup that is neither a comment nor CDATA"));
            } else if rest.starts_with(b"<?") {
                self.past(lt, 2, b"?>", "an unterminated processing instruction")?
            } else if rest.starts_with(b"</") {
                let end = self.past(lt, 2, b">", "an unterminated end tag")?;
                self.close();
                end
            } else {
                self.start_tag(lt)?
            };
        }
        Ok(())
    }

    /// The position of the first byte at or after `from` that `hit` accepts.
    fn find_byte(&self, from: usize, hit: impl Fn(u8) -> bool) -> Option<usize> {
        let found = self.text.get(from..)?.iter().position(|&b| hit(b))?;
        Some(from.saturating_add(found))
    }

    /// The position just past the first `end` after the `skip` bytes that open the
    /// construct at `start`.
    fn past(
        &self,
        start: usize,
        skip: usize,
        end: &[u8],
        what: &'static str,
    ) -> Result<usize, PskcError> {
        let from = start.saturating_add(skip);
        self.text
            .get(from..)
            .and_then(|rest| rest.windows(end.len()).position(|w| w == end))
            .map(|at| from.saturating_add(at).saturating_add(end.len()))
            .ok_or_else(|| self.malformed(start, what))
    }

    /// The first position at or after `from` that is not whitespace.
    fn skip_space(&self, from: usize) -> usize {
        self.find_byte(from, |b| !is_space(b))
            .unwrap_or(self.text.len())
    }

    /// The end of the name that starts at `from`.
    fn name_end(&self, from: usize) -> usize {
        self.find_byte(from, ends_name).unwrap_or(self.text.len())
    }

    /// Reads the start tag (or empty-element tag) at `lt`; the position past it.
    fn start_tag(&mut self, lt: usize) -> Result<usize, PskcError> {
        let mut at = self.name_end(lt.saturating_add(1));
        let mut attributes = 0usize;
        let mut declared: Vec<&'t [u8]> = Vec::new();
        let open = loop {
            at = self.skip_space(at);
            match self.text.get(at) {
                None => return Err(self.malformed(lt, "an unterminated start tag")),
                Some(b'>') => {
                    at = at.saturating_add(1);
                    break true;
                }
                Some(b'/') => {
                    if self.text.get(at.saturating_add(1)) != Some(&b'>') {
                        return Err(self.malformed(at, "a '/' in a tag not followed by '>'"));
                    }
                    at = at.saturating_add(2);
                    break false;
                }
                Some(_) => {
                    let name_start = at;
                    at = self.name_end(at);
                    let name = self.text.get(name_start..at).unwrap_or_default();
                    if name.is_empty() {
                        return Err(self.malformed(at, "an attribute without a name"));
                    }
                    at = self.skip_space(at);
                    if self.text.get(at) != Some(&b'=') {
                        return Err(self.malformed(at, "an attribute without '='"));
                    }
                    at = self.skip_space(at.saturating_add(1));
                    let quote = match self.text.get(at) {
                        Some(&q @ (b'"' | b'\'')) => q,
                        _ => return Err(self.malformed(at, "an attribute value without quotes")),
                    };
                    let value_start = at.saturating_add(1);
                    // A value ends at its quote; a '<' before it is not well-formed.
                    let value_end = self
                        .find_byte(value_start, |b| b == quote || b == b'<')
                        .filter(|&end| self.text.get(end) == Some(&quote))
                        .ok_or_else(|| self.malformed(at, "an unterminated attribute value"))?;
                    at = value_end.saturating_add(1);
                    attributes = attributes.saturating_add(1);
                    if attributes > self.limits.attributes {
                        return Err(PskcError::TooManyAttributes {
                            max: self.limits.attributes,
                        });
                    }
                    if let Some(prefix) = declared_prefix(name) {
                        let uri = value_end.saturating_sub(value_start);
                        if uri > self.limits.namespace_uri {
                            return Err(PskcError::NamespaceUriTooLong {
                                max: self.limits.namespace_uri,
                            });
                        }
                        self.shape.namespace_uri = self.shape.namespace_uri.max(uri);
                        declared.push(prefix);
                    }
                }
            }
        };
        let depth = self.open.len().saturating_add(1);
        if depth > self.limits.depth {
            return Err(PskcError::TooDeep {
                max: self.limits.depth,
            });
        }
        // As the parser counts them: an element that declares nothing shares its
        // parent's namespaces; one that declares some has those (a default
        // namespace declared twice counts twice) and a copy of each inherited
        // prefix it does not redeclare.
        let namespaces = if declared.is_empty() {
            self.open.last().map_or(0, |(_, n)| *n)
        } else {
            let inherited = self
                .in_scope
                .keys()
                .filter(|prefix| !declared.contains(prefix))
                .count();
            declared.len().saturating_add(inherited)
        };
        if namespaces > self.limits.namespaces {
            return Err(PskcError::TooManyNamespaces {
                max: self.limits.namespaces,
            });
        }
        self.shape = Shape {
            elements: self.shape.elements.saturating_add(1),
            depth: self.shape.depth.max(depth),
            attributes: self.shape.attributes.max(attributes),
            namespaces: self.shape.namespaces.max(namespaces),
            namespace_uri: self.shape.namespace_uri,
        };
        if open {
            for prefix in &declared {
                let count = self.in_scope.entry(prefix).or_insert(0);
                *count = count.saturating_add(1);
            }
            self.open.push((declared, namespaces));
        }
        Ok(at)
    }

    /// An end tag: the innermost open element's namespaces go out of scope. (The
    /// parser checks that it matches; here an extra one only ends nothing.)
    fn close(&mut self) {
        let Some((declared, _)) = self.open.pop() else {
            return;
        };
        for prefix in declared {
            if let Some(count) = self.in_scope.get_mut(prefix) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    self.in_scope.remove(prefix);
                }
            }
        }
    }

    /// Not well-formed at byte `at`: the error, with the line and column there.
    fn malformed(&self, at: usize, what: &str) -> PskcError {
        let before = self.text.get(..at).unwrap_or(self.text);
        let line = before
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            .saturating_add(1);
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p.saturating_add(1));
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
            .chars()
            .count()
            .saturating_add(1);
        PskcError::Xml(format!("{what} at {line}:{column}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const UNLIMITED: Limits = Limits {
        depth: usize::MAX,
        attributes: usize::MAX,
        namespaces: usize::MAX,
        namespace_uri: usize::MAX,
    };

    /// Text made of markup's own characters (but no `<` or `&`, which text cannot
    /// hold as such), minus whatever `forbidden` ends.
    fn text(forbidden: &'static str) -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "x", " ", "\n", ">", "=", "/", "\"", "'", "-", "?", "]", "!", "--", "?>", "]]>",
                "-->", "<", "&amp;",
            ]),
            0..6,
        )
        .prop_map(move |parts| {
            let mut s = parts.concat();
            while let Some(at) = s.find(forbidden) {
                s.replace_range(at..at + forbidden.len(), "");
            }
            s
        })
    }

    fn char_data() -> impl Strategy<Value = String> {
        text("<").prop_map(|s| s.replace("]]>", "").replace("<", ""))
    }

    fn misc() -> impl Strategy<Value = String> {
        prop_oneof![
            char_data(),
            text("--").prop_map(|t| format!("<!--{}-->", t.trim_end_matches('-'))),
            text("]]>").prop_map(|t| format!("<![CDATA[{t}]]>")),
            text("?>").prop_map(|t| format!("<?pi {t}?>")),
        ]
    }

    fn attribute() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![
                "a", "b", "c", "d", "e", "f", "g", "p:a", "xmlns", "xmlns:p", "xmlns:q", "xml:lang",
            ]),
            prop::sample::select(vec!['"', '\'']),
            text("<"),
            prop::sample::select(vec![" ", "\n ", "  "]),
        )
            .prop_map(|(name, quote, value, space)| {
                let value: String = value.chars().filter(|&c| c != quote && c != '<').collect();
                format!("{space}{name}={quote}{value}{quote}")
            })
    }

    fn element() -> impl Strategy<Value = String> {
        let leaf = (
            prop::sample::select(vec!["a", "b", "c", "d", "p:c"]),
            prop::collection::vec(attribute(), 0..4),
        )
            .prop_map(|(name, attributes)| format!("<{name}{}/>", attributes.concat()));
        leaf.prop_recursive(5, 40, 5, |inner| {
            (
                prop::sample::select(vec!["a", "b", "c", "d", "p:c"]),
                prop::collection::vec(attribute(), 0..4),
                prop::collection::vec(prop_oneof![inner, misc()], 0..5),
            )
                .prop_map(|(name, attributes, content)| {
                    format!(
                        "<{name}{}>{}</{name} >",
                        attributes.concat(),
                        content.concat()
                    )
                })
        })
    }

    /// A document, well-formed or not: an element among comments and instructions,
    /// then maybe one byte changed.
    fn document() -> impl Strategy<Value = String> {
        (
            prop::option::of(Just("<?xml version=\"1.0\"?>")),
            misc(),
            element(),
            prop::option::of((
                any::<prop::sample::Index>(),
                prop::sample::select(vec![
                    "<", ">", "\"", "'", "=", "/", "!", "-", "?", "]", " ", "",
                ]),
            )),
        )
            .prop_map(|(declaration, before, root, change)| {
                let misc = if before.contains('<') {
                    before
                } else {
                    String::new()
                };
                let mut text = format!("{}{misc}{root}", declaration.unwrap_or_default());
                if let Some((at, with)) = change {
                    let at = at.index(text.len());
                    if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                        text.replace_range(at..at + 1, with);
                    }
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// What the parser reads, the scan reads the same way: it refuses nothing
        /// the parser accepts, and counts the elements, depth, attributes and
        /// namespaces the parser finds.
        #[test]
        fn the_scan_reads_markup_as_the_parser_does(text in document()) {
            let scanned = scan(&text, UNLIMITED);
            let Ok(doc) = roxmltree::Document::parse(&text) else {
                return Ok(());
            };
            let shape = scanned.map_err(|e| TestCaseError::fail(format!("{e}: {text:?}")))?;
            let elements: Vec<_> = doc.descendants().filter(|n| n.is_element()).collect();
            prop_assert_eq!(shape.elements, elements.len(), "{:?}", text);
            let depth = elements
                .iter()
                .map(|n| n.ancestors().filter(|a| a.is_element()).count())
                .max()
                .unwrap_or(0);
            prop_assert_eq!(shape.depth, depth, "{:?}", text);
            let attributes = elements.iter().map(|n| n.attributes().len()).max().unwrap_or(0);
            if text.contains("xmlns") {
                prop_assert!(shape.attributes >= attributes, "{:?}", text);
            } else {
                prop_assert_eq!(shape.attributes, attributes, "{:?}", text);
            }
            let namespaces = elements.iter().map(|n| n.namespaces().len()).max().unwrap_or(0);
            prop_assert_eq!(shape.namespaces, namespaces, "{:?}", text);
        }
    }

    #[test]
    fn each_limit_is_checked_at_its_value() {
        let at = |limits: Limits, text: &str| scan(text, limits).map(|_| ());
        let limits = Limits {
            depth: 2,
            attributes: 2,
            namespaces: 2,
            namespace_uri: 3,
        };
        assert_eq!(at(limits, "<a><b/></a>"), Ok(()));
        assert_eq!(
            at(limits, "<a><b><c/></b></a>"),
            Err(PskcError::TooDeep { max: 2 })
        );
        assert_eq!(at(limits, "<a x='' y=''/>"), Ok(()));
        assert_eq!(
            at(limits, "<a x='' y='' z=''/>"),
            Err(PskcError::TooManyAttributes { max: 2 })
        );
        assert_eq!(
            at(limits, "<a xmlns='u' xmlns:p='u'><b xmlns:p='v'/></a>"),
            Ok(())
        );
        assert_eq!(
            at(limits, "<a xmlns='u' xmlns:p='u'><b xmlns:q='v'/></a>"),
            Err(PskcError::TooManyNamespaces { max: 2 })
        );
        // Namespaces go out of scope with their element.
        assert_eq!(
            at(
                limits,
                "<a><b xmlns:p='u' xmlns:q='u'/><b xmlns:r='u' xmlns:s='u'></b></a>"
            ),
            Ok(())
        );
        // The parser keeps a default namespace declared twice on one element twice.
        assert_eq!(
            at(
                Limits {
                    attributes: 3,
                    ..limits
                },
                "<a xmlns='' xmlns='' xmlns=''/>"
            ),
            Err(PskcError::TooManyNamespaces { max: 2 })
        );
        assert_eq!(at(limits, "<a xmlns:p='uuu'/>"), Ok(()));
        assert_eq!(
            at(limits, "<a xmlns:p='uuuu'/>"),
            Err(PskcError::NamespaceUriTooLong { max: 3 })
        );
        // Only namespace declarations have URIs.
        assert_eq!(at(limits, "<a xmlnsx='uuuu' p:xmlns='uuuu'/>"), Ok(()));
    }
}
