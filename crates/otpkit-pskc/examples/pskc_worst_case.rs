//! Times the import of files shaped to cost the most inside the default limits
//! (4 MiB, 200 000 nodes, 64 attributes per element, 16 namespaces in scope, 256-byte
//! namespace URIs), one shape per run, for the limits documented in the README:
//!
//! ```text
//! cargo build --release -p otpkit-pskc --example pskc_worst_case
//! /usr/bin/time -v target/release/examples/pskc_worst_case SHAPE
//! ```
//!
//! SHAPE is one of the names below; without one, every shape is timed in turn.

use std::time::Instant;

use otpkit_pskc::{Decryption, import};

const MAX: usize = 4 << 20;
const PSKC: &str = r#"xmlns="urn:ietf:params:xml:ns:keyprov:pskc""#;

/// `open`, then `item` as often as fits in 4 MiB with `close`.
fn fill(open: &str, item: &str, close: &str) -> String {
    let room = MAX - open.len() - close.len();
    format!("{open}{}{close}", item.repeat(room / item.len()))
}

type Shape = (&'static str, fn() -> String);

fn prefixes(n: usize, uri: &str) -> String {
    (0..n)
        .map(|i| format!(" xmlns:p{i:02}=\"{uri}\""))
        .collect()
}

const KEY: &str = r#"<KeyPackage><DeviceInfo><SerialNo>1</SerialNo></DeviceInfo><Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp"><Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data></Key></KeyPackage>"#;

fn shapes() -> Vec<Shape> {
    vec![
        // Elements that each declare one more namespace under 15 in scope: each
        // copies 15 namespaces, comparing each with those copied.
        ("namespaces", || {
            fill(
                &format!("<KeyContainer {PSKC}{}>", prefixes(14, "u")),
                "<c xmlns:zz=\"u\"/>",
                "</KeyContainer>",
            )
        }),
        // 64 attributes per element in one namespace of a 256-byte URI: every pair
        // compared, URI first.
        ("prefixed-attributes", || {
            let prefixed: String = (0..64).map(|i| format!(" p00:a{i:02}=\"\"")).collect();
            fill(
                &format!("<KeyContainer {PSKC}{}>", prefixes(1, &"u".repeat(256))),
                &format!("<c{prefixed}/>"),
                "</KeyContainer>",
            )
        }),
        // 64 unprefixed attributes per element.
        ("attributes", || {
            let plain: String = (0..64).map(|i| format!(" a{i:02}=\"\"")).collect();
            fill(
                &format!("<KeyContainer {PSKC}>"),
                &format!("<c{plain}/>"),
                "</KeyContainer>",
            )
        }),
        // As many empty elements as the node limit allows.
        ("nodes", || {
            fill(&format!("<KeyContainer {PSKC}>"), "<c/>", "</KeyContainer>")
        }),
        // '<' and '=' in a comment: the parser reserves room for a node per '<'
        // and an attribute per '='.
        ("reserve", || {
            fill(
                &format!("<KeyContainer {PSKC}><!--"),
                "<=",
                "--></KeyContainer>",
            )
        }),
        // Keys in the clear, each read in full.
        ("keys", || {
            fill(&format!("<KeyContainer {PSKC}>"), KEY, "</KeyContainer>")
        }),
        // 100 000 keys in one package after a 3 MiB serial number: only the first
        // is read with it.
        ("package", || {
            format!(
                "<KeyContainer {PSKC}><KeyPackage><DeviceInfo><SerialNo>{}</SerialNo></DeviceInfo>{}</KeyPackage></KeyContainer>",
                "7".repeat(3 << 20),
                "<Key/>".repeat(100_000)
            )
        }),
    ]
}

fn main() {
    let only = std::env::args().nth(1);
    for (name, make) in shapes() {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let xml = make();
        let start = Instant::now();
        let result = import(xml.as_bytes(), Decryption::None);
        let elapsed = start.elapsed();
        let outcome = match &result {
            Ok(import) => format!("{} keys", import.keys.len()),
            Err(e) => e.to_string(),
        };
        println!("{name}: {} bytes, {elapsed:?}: {outcome}", xml.len());
        // The address space reserved, touched or not (Linux).
        if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
            for line in status.lines().filter(|l| l.starts_with("VmPeak")) {
                println!("  {line}");
            }
        }
    }
}
