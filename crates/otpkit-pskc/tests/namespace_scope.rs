//! The namespaces an element declares are in scope until its end tag and no
//! further: elements that each declare many prefixes one after another are each
//! counted with their own (and their ancestors'), never with an earlier sibling's.

use otpkit_pskc::{Decryption, Options, PskcError, import, import_with};

const FIGURE_3: &str = include_str!("data/rfc6030-figure-3.xml");

/// An element declaring ten prefixes `{name}0` … `{name}9`, with an end tag.
fn declaring(name: &str) -> String {
    let declarations: String = (0..10)
        .map(|i| format!(r#" xmlns:{name}{i}="urn:example:{name}""#))
        .collect();
    format!("<Extension{declarations}></Extension>")
}

#[test]
fn namespaces_declared_by_a_closed_element_are_out_of_scope_for_its_siblings() {
    // Each extension has 11 namespaces in scope (the default one and its ten),
    // within the default limit of 16; the two together would be 21.
    let xml = FIGURE_3.replace(
        "<KeyPackage>",
        &format!("<KeyPackage>{}{}", declaring("p"), declaring("q")),
    );
    let import = import(xml.as_bytes(), Decryption::None).unwrap();
    assert_eq!(import.tokens().count(), 1);

    // Nested, they are all in scope at the inner one: refused.
    let nested = FIGURE_3.replace(
        "<KeyPackage>",
        &format!(
            "<KeyPackage>{}",
            declaring("p").replace("></Extension>", &format!(">{}</Extension>", declaring("q")))
        ),
    );
    assert_eq!(
        import_with(nested.as_bytes(), Decryption::None, &Options::default()).unwrap_err(),
        PskcError::TooManyNamespaces { max: 16 }
    );
}
