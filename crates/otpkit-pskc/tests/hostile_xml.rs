//! Files inside the size limit (4 MiB) shaped so that parsing them would take time
//! or memory growing faster than their size: thousands of attributes or namespace
//! declarations on one element, many namespaces in scope over many elements that
//! declare one more, a long namespace URI over many prefixed attributes, many keys
//! sharing one long device record. Each is refused, or read, well within a second
//! (on a thread, so a slow import fails the test instead of hanging it), with a
//! typed error that names the limit; markup-looking text in comments, CDATA,
//! processing instructions and attribute values is not mistaken for markup.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use otpkit_pskc::{Decryption, Import, KeyError, Options, PskcError, import};

const MAX: usize = 4 << 20;
const DEADLINE: Duration = Duration::from_secs(1);
const PSKC: &str = r#"xmlns="urn:ietf:params:xml:ns:keyprov:pskc""#;
const FIGURE_3: &str = include_str!("data/rfc6030-figure-3.xml");

/// Imports `xml` on a thread and waits at most [`DEADLINE`].
fn import_within_deadline(xml: String) -> Result<Import, PskcError> {
    assert!(xml.len() <= MAX, "{} bytes", xml.len());
    let (done, result) = mpsc::channel();
    let start = Instant::now();
    thread::spawn(move || {
        let _ = done.send(import(xml.as_bytes(), Decryption::None));
    });
    match result.recv_timeout(DEADLINE) {
        Ok(r) => {
            println!("{:?}", start.elapsed());
            r
        }
        Err(_) => panic!("not done within {DEADLINE:?}"),
    }
}

/// `open` then `repeat` as often as fits in 4 MiB with `close`.
fn fill(open: &str, repeat: impl Fn(usize) -> String, close: &str) -> String {
    let mut xml = String::with_capacity(MAX);
    xml.push_str(open);
    for i in 0.. {
        let next = repeat(i);
        if xml.len() + next.len() + close.len() > MAX {
            break;
        }
        xml.push_str(&next);
    }
    xml.push_str(close);
    xml
}

#[test]
fn thousands_of_attributes_on_one_element_are_refused() {
    let xml = fill(
        &format!("<KeyContainer {PSKC}"),
        |i| format!(" a{i:07}=\"\""),
        "/>",
    );
    assert_eq!(
        import_within_deadline(xml).unwrap_err(),
        PskcError::TooManyAttributes { max: 64 }
    );
}

#[test]
fn thousands_of_namespace_declarations_on_one_element_are_refused() {
    let xml = fill(
        &format!("<KeyContainer {PSKC}"),
        |i| format!(" xmlns:p{i:07}=\"u\""),
        "/>",
    );
    assert_eq!(
        import_within_deadline(xml).unwrap_err(),
        PskcError::TooManyAttributes { max: 64 }
    );
}

#[test]
fn many_namespaces_in_scope_are_refused() {
    // 60 declarations on each of three nested elements (180 in scope, each element
    // under the attribute limit), then elements that each declare one more: every
    // one of them would copy all 180.
    let declare = |level: usize| -> String {
        (0..60)
            .map(|i| format!(" xmlns:n{level}x{i:02}=\"u\""))
            .collect()
    };
    let xml = fill(
        &format!(
            "<KeyContainer {PSKC}{}><a{}><b{}>",
            declare(0),
            declare(1),
            declare(2)
        ),
        |_| "<c xmlns:z=\"u\"/>".to_owned(),
        "</b></a></KeyContainer>",
    );
    assert_eq!(
        import_within_deadline(xml).unwrap_err(),
        PskcError::TooManyNamespaces { max: 16 }
    );
    // The same without the root's namespaces: 17 in scope at the first `<c>`.
    let seventeen: String = (0..16).map(|i| format!(" xmlns:p{i}=\"u\"")).collect();
    let xml = format!("<KeyContainer {PSKC}><a{seventeen}><c xmlns:z=\"u\"/></a></KeyContainer>");
    assert_eq!(
        import_within_deadline(xml).unwrap_err(),
        PskcError::TooManyNamespaces { max: 16 }
    );
}

#[test]
fn a_long_namespace_uri_over_many_prefixed_attributes_is_refused() {
    // Each element's attributes are compared pairwise, namespace URI first.
    let uri = "u".repeat(MAX / 2);
    let attributes: String = (0..64).map(|i| format!(" p:a{i:02}=\"\"")).collect();
    let xml = fill(
        &format!("<KeyContainer {PSKC} xmlns:p=\"{uri}\">"),
        |_| format!("<c{attributes}/>"),
        "</KeyContainer>",
    );
    assert_eq!(
        import_within_deadline(xml).unwrap_err(),
        PskcError::NamespaceUriTooLong { max: 256 }
    );
}

#[test]
fn many_keys_after_a_long_device_record_are_reported_without_copying_it() {
    // 8 192 keys after a 512 KiB serial number: a copy of it per key would be 4 GiB.
    let serial = "7".repeat(512 << 10);
    let keys = 8_192;
    let xml = format!(
        "<KeyContainer {PSKC}><KeyPackage><DeviceInfo><SerialNo>{serial}</SerialNo></DeviceInfo>{}</KeyPackage></KeyContainer>",
        "<Key/>".repeat(keys)
    );
    let import = import_within_deadline(xml).unwrap();
    assert_eq!(import.keys.len(), keys);
    assert_eq!(
        import.keys[0].result.clone().unwrap_err(),
        KeyError::NoAlgorithm
    );
    assert_eq!(import.keys[0].serial_number.as_deref(), Some(&serial[..]));
    for report in &import.keys[1..] {
        assert_eq!(
            report.result.clone().unwrap_err(),
            KeyError::SecondKeyInPackage
        );
        assert_eq!(report.serial_number, None);
    }
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let xml = fill(&format!("<KeyContainer {PSKC}>"), |_| "<a>".to_owned(), "");
    assert_eq!(
        import_within_deadline(xml).unwrap_err(),
        PskcError::TooDeep { max: 32 }
    );
}

#[test]
fn limits_follow_the_options() {
    let tight = Options {
        max_attributes: 3,
        max_namespaces: 1,
        max_namespace_uri: 35,
        ..Options::default()
    };
    let run = |xml: &str| otpkit_pskc::import_with(xml.as_bytes(), Decryption::None, &tight);
    // Figure 3's root: Version, Id, xmlns (35 bytes): at the limits.
    assert!(run(FIGURE_3).is_ok());
    assert_eq!(
        run(&FIGURE_3.replace("Version=\"1.0\"", "Version=\"1.0\" Model=\"x\"")).unwrap_err(),
        PskcError::TooManyAttributes { max: 3 }
    );
    assert_eq!(
        run(&FIGURE_3.replace("<Issuer>", "<Issuer xmlns:x=\"y\">")).unwrap_err(),
        PskcError::TooManyNamespaces { max: 1 }
    );
    // Redeclaring the prefix in scope adds none.
    assert!(
        run(&FIGURE_3.replace(
            "<Issuer>",
            "<Issuer xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\">"
        ))
        .is_ok()
    );
    assert_eq!(
        run(&FIGURE_3.replace(
            "urn:ietf:params:xml:ns:keyprov:pskc\"",
            "urn:ietf:params:xml:ns:keyprov:pskc \""
        ))
        .unwrap_err(),
        PskcError::NamespaceUriTooLong { max: 35 }
    );
    for (e, limit) in [
        (
            PskcError::TooManyAttributes { max: 64 },
            "more than 64 attributes",
        ),
        (
            PskcError::TooManyNamespaces { max: 16 },
            "more than 16 XML namespaces",
        ),
        (
            PskcError::NamespaceUriTooLong { max: 256 },
            "longer than 256 bytes",
        ),
    ] {
        let message = e.to_string();
        assert!(message.contains(limit), "{message}");
    }
}

/// One attribute too many, hidden among markup-like text that is no markup: only
/// an element's real attributes count.
#[test]
fn markup_in_comments_cdata_instructions_and_values_is_not_counted() {
    let crowd: String = (0..100).map(|i| format!(" a{i}=\"\"")).collect();
    let real: String = (0..63)
        .map(|i| format!(" b{i}=\"x > y = '&gt;' --> ?> ]]>\""))
        .collect();
    let xml = FIGURE_3
        .replace(
            "<Issuer>",
            &format!("<!-- <x{crowd}> --><?pi <x{crowd}> ?><Issuer{real} c='\"/>'>"),
        )
        .replace("</Issuer>", &format!("<![CDATA[<x{crowd}>]]></Issuer>"));
    let import = import_within_deadline(xml.clone()).unwrap();
    let token = import.keys[0].result.as_ref().unwrap();
    assert!(
        token
            .issuer
            .as_deref()
            .unwrap()
            .ends_with(&format!("<x{crowd}>"))
    );
    // 64 attributes on `<Issuer>`: one more is refused.
    let over = xml.replace(" c='", " d='' c='");
    assert_eq!(
        import_within_deadline(over).unwrap_err(),
        PskcError::TooManyAttributes { max: 64 }
    );
}

#[test]
fn what_the_scan_cannot_read_is_refused_with_its_place() {
    for (xml, what) in [
        ("<KeyContainer><!-- open", "an unterminated comment at 1:15"),
        (
            "<KeyContainer><![CDATA[ x",
            "an unterminated CDATA section at 1:15",
        ),
        (
            "<?xml version=\"1.0\"",
            "an unterminated processing instruction at 1:1",
        ),
        (
            "<KeyContainer>\n  <a b=\"c>",
            "an unterminated attribute value at 2:8",
        ),
        (
            "<KeyContainer a=\"<\">",
            "an unterminated attribute value at 1:17",
        ),
        ("<KeyContainer a>", "an attribute without '=' at 1:16"),
        (
            "<KeyContainer a=b>",
            "an attribute value without quotes at 1:17",
        ),
        (
            "<KeyContainer><!ELEMENT x>",
            "markup that is neither a comment nor CDATA at 1:15",
        ),
        ("<KeyContainer", "an unterminated start tag at 1:1"),
        (
            "<KeyContainer/ >",
            "a '/' in a tag not followed by '>' at 1:14",
        ),
        (
            "<KeyContainer></KeyContainer",
            "an unterminated end tag at 1:15",
        ),
    ] {
        assert_eq!(
            import(xml.as_bytes(), Decryption::None).unwrap_err(),
            PskcError::Xml(what.into()),
            "{xml}"
        );
    }
    assert_eq!(
        import(
            b"<KeyContainer><!DOCTYPE x></KeyContainer>",
            Decryption::None
        )
        .unwrap_err(),
        PskcError::DtdNotAllowed
    );
}
