//! QR codes of `otpauth://` URIs, drawn by the `qrcode` crate: in the terminal with
//! Unicode half blocks, or as SVG or PNG files.

use std::io::Cursor;

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};
use zeroize::Zeroizing;

use crate::error::CliError;

/// Pixels per QR module in PNG output: a 33-module code with its quiet zone is
/// 328 pixels wide, comfortably scannable from a screen.
const PNG_MODULE_PX: u32 = 8;

fn encode(uri: &str) -> Result<QrCode, CliError> {
    // Level M (15 % recovery) is what authenticator enrolment pages use: the code
    // stays small enough for a terminal while tolerating glare on a screen.
    QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M)
        .map_err(|e| CliError::usage(format_args!("cannot draw a QR code for this URI: {e}")))
}

/// Which terminal background the code is drawn for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Background {
    /// Light text on a dark background (most terminals): dark modules are drawn as
    /// blank cells and light modules as blocks in the text colour.
    Dark,
    /// Dark text on a light background.
    Light,
}

/// The QR code as lines of Unicode half blocks (two modules per character cell),
/// with the quiet zone phone scanners need.
pub fn terminal(uri: &str, background: Background) -> Result<Zeroizing<String>, CliError> {
    let code = encode(uri)?;
    let mut renderer = code.render::<unicode::Dense1x2>();
    if background == Background::Dark {
        renderer
            .dark_color(unicode::Dense1x2::Light)
            .light_color(unicode::Dense1x2::Dark);
    }
    Ok(Zeroizing::new(renderer.quiet_zone(true).build()))
}

/// The QR code as an SVG document.
pub fn svg(uri: &str) -> Result<Zeroizing<String>, CliError> {
    let code = encode(uri)?;
    Ok(Zeroizing::new(
        code.render::<svg::Color<'_>>()
            .min_dimensions(256, 256)
            .quiet_zone(true)
            .build(),
    ))
}

/// The QR code as a greyscale PNG file's bytes.
pub fn png(uri: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let code = encode(uri)?;
    let image = code
        .render::<image::Luma<u8>>()
        .module_dimensions(PNG_MODULE_PX, PNG_MODULE_PX)
        .quiet_zone(true)
        .build();
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| CliError::state(format_args!("cannot encode the PNG: {e}")))?;
    Ok(Zeroizing::new(out.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/Example:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example";

    /// Decodes a greyscale bitmap with `rqrr`, an independent QR decoder.
    fn decode(width: usize, height: usize, dark: impl Fn(usize, usize) -> bool) -> String {
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
            if dark(x, y) { 0 } else { 255 }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    /// Reads the half-block drawing back into modules, as a camera would see it.
    fn decode_terminal(text: &str, background: Background) -> String {
        let rows: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        let width = rows[0].len();
        assert!(rows.iter().all(|r| r.len() == width));
        // Scale each module to 4x4 pixels so the decoder has room to work.
        const S: usize = 4;
        decode(width * S, rows.len() * 2 * S, |x, y| {
            let ch = rows[y / (2 * S)][x / S];
            let top = (y / S).is_multiple_of(2);
            let filled = match ch {
                '█' => true,
                '▀' => top,
                '▄' => !top,
                ' ' => false,
                other => panic!("unexpected {other:?}"),
            };
            // On a dark background, filled cells are light.
            match background {
                Background::Dark => !filled,
                Background::Light => filled,
            }
        })
    }

    #[test]
    fn terminal_code_scans_on_both_backgrounds() {
        for bg in [Background::Dark, Background::Light] {
            let text = terminal(URI, bg).unwrap();
            assert_eq!(decode_terminal(&text, bg), URI, "{bg:?}");
        }
    }

    #[test]
    fn png_scans() {
        let bytes = png(URI).unwrap();
        let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
            .unwrap()
            .to_luma8();
        let (w, h) = (img.width() as usize, img.height() as usize);
        let text = decode(w, h, |x, y| img.get_pixel(x as u32, y as u32).0[0] < 128);
        assert_eq!(text, URI);
    }

    #[test]
    fn svg_is_a_document() {
        let text = svg(URI).unwrap();
        assert!(text.starts_with("<?xml"), "{}", &text[..40]);
        assert!(text.contains("<svg"));
    }

    #[test]
    fn too_long_is_an_error_not_a_panic() {
        let long = format!("otpauth://totp/x?secret={}", "A".repeat(8000));
        let e = terminal(&long, Background::Dark).err().unwrap();
        assert_eq!(e.exit.code(), 2);
        assert!(!e.message.contains("AAAA"));
    }
}
