//! QR codes in a PNG or JPEG image: screenshots of Google Authenticator's
//! "Transfer accounts" screen and of a site's 2FA setup page.
//!
//! Every QR code of the image is found and decoded (pure Rust: `png` or
//! `zune-jpeg` for the pixels, `rqrr` for the codes), then read by what it holds:
//!
//! - `otpauth://` (and Apple's `apple-otpauth://`): one entry each, read as
//!   [`Format::OtpauthList`] reads a line;
//! - `otpauth-migration://offline?data=…`: Google Authenticator's transfer codes,
//!   read as [`Format::GoogleMigration`] reads its lines: the codes of one multi-QR
//!   export are assembled in batch order, whatever their order in the image (or
//!   across images, with [`import_images`]), and [`Import::missing_batches`] names
//!   the batches that were not there;
//! - anything else (a web address, text): refused as an entry
//!   ([`EntryError::Uri`](crate::EntryError::Uri) with `NotOtpauth`) when the image has OTP codes too; an
//!   image with no OTP code at all, or with no QR code, is refused as a whole
//!   ([`ImportError::Malformed`]).
//!
//! Entries come in this order: the `otpauth://` codes from top to bottom (then left
//! to right), then the migration exports' entries in batch order.
//! [`EntryReport::index`](crate::EntryReport::index) is the entry's position in that
//! order.
//!
//! The image forms were read from the PNG specification (W3C, third edition) and
//! JPEG (ITU T.81 / JFIF) as the `png` and `zune-jpeg` crates implement them; the
//! content forms from Google's Key URI Format wiki page, Google Authenticator's
//! migration payload as other apps document it (Aegis, extract_otp_secrets), and
//! Apple's "Securing Logins with iCloud Keychain Verification Codes" page for
//! `apple-otpauth:`.
//!
//! # Bounds
//!
//! The file is at most [`MAX_INPUT_LEN`](crate::MAX_INPUT_LEN) bytes, like every
//! import. An image above [`MAX_PIXELS`] is refused from its header, before any pixel
//! is decoded: the decoded image is then held as one byte per pixel (at most
//! [`MAX_PIXELS`] bytes) plus the QR detector's working copies of it, and a PNG's
//! decoder buffers at most [`MAX_PIXELS`] × 8 bytes (16-bit RGBA, for interlaced
//! images; other PNGs are read row by row). The detector's grouping of finder
//! patterns grows with their count, which the pixel cap bounds. An image with more
//! than [`MAX_CODES`] QR codes is refused. The entries read are bounded by
//! [`MAX_ENTRIES`](crate::MAX_ENTRIES), as for every format.
//!
//! A panic inside the image or QR decoders (third-party code) is caught and
//! reported as a malformed file, in builds that unwind.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use zeroize::Zeroizing;

use crate::secret::wiped_vec;
use crate::{Format, Import, ImportError, MAX_INPUT_LEN, label_of, otpauth_list};

/// The most pixels (width × height) of an image that is decoded: 40 megapixels, more
/// than an 8K screen (33 megapixels) or a 12-megapixel phone photo.
pub const MAX_PIXELS: usize = 40_000_000;

/// The most QR codes read from one image.
pub const MAX_CODES: usize = 100;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = b"\xff\xd8\xff";

fn malformed(what: &'static str) -> ImportError {
    ImportError::malformed(Format::QrImage, what)
}

/// Whether `data` starts as a PNG or JPEG file does (for [`crate::detect`]).
pub(crate) fn is_image(data: &[u8]) -> bool {
    data.starts_with(PNG_MAGIC) || data.starts_with(JPEG_MAGIC)
}

/// The text of every QR code in a PNG or JPEG image, from top to bottom and left to
/// right. The texts may hold secrets (they are otpauth URIs, usually): each is wiped
/// when dropped.
///
/// Errors: the file is too large, not a PNG or JPEG, damaged, above [`MAX_PIXELS`],
/// holds more than [`MAX_CODES`] codes, or a QR code was found whose content could
/// not be read (damaged, or not UTF-8 text). An image without a QR code gives an
/// empty list.
pub fn decode_qr_codes(data: &[u8]) -> Result<Vec<Zeroizing<String>>, ImportError> {
    if data.len() > MAX_INPUT_LEN {
        return Err(ImportError::TooLarge {
            len: data.len(),
            max: MAX_INPUT_LEN,
        });
    }
    catch_unwind(AssertUnwindSafe(|| {
        let grey = decode_image(data)?;
        scan(grey)
    }))
    .unwrap_or(Err(malformed(
        "the image or QR decoder failed on this file",
    )))
}

/// A greyscale image, one byte per pixel (0 black, 255 white), row by row.
struct Grey {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

fn check_size(width: usize, height: usize) -> Result<usize, ImportError> {
    let pixels = width
        .checked_mul(height)
        .filter(|p| *p <= MAX_PIXELS)
        .ok_or(malformed("the image is larger than 40 megapixels"))?;
    if pixels == 0 {
        return Err(malformed("the image is empty"));
    }
    Ok(pixels)
}

fn decode_image(data: &[u8]) -> Result<Grey, ImportError> {
    if data.starts_with(PNG_MAGIC) {
        decode_png(data)
    } else if data.starts_with(JPEG_MAGIC) {
        decode_jpeg(data)
    } else {
        Err(malformed("the file is not a PNG or JPEG image"))
    }
}

fn decode_png(data: &[u8]) -> Result<Grey, ImportError> {
    let damaged = |_| malformed("the PNG image is damaged");
    // Pixels at 16 bits and 4 channels, one frame: what an interlaced image buffers.
    let limits = png::Limits {
        bytes: MAX_PIXELS.saturating_mul(8),
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(data), limits);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    let header = decoder.read_header_info().map_err(damaged)?;
    let width = usize::try_from(header.width).map_err(|_| malformed("the image is too wide"))?;
    let height = usize::try_from(header.height).map_err(|_| malformed("the image is too high"))?;
    let interlaced = header.interlaced;
    let count = check_size(width, height)?;
    let mut reader = decoder.read_info().map_err(damaged)?;
    let (color, _) = reader.output_color_type();
    let channels = color.samples();
    let mut pixels = Vec::with_capacity(count);
    if interlaced {
        let size = reader
            .output_buffer_size()
            .ok_or(malformed("the image is larger than 40 megapixels"))?;
        let mut frame = vec![0; size];
        let info = reader.next_frame(&mut frame).map_err(damaged)?;
        let line = info.line_size;
        for row in frame.chunks(line).take(height) {
            grey_row(row, color, channels, width, &mut pixels)?;
        }
    } else {
        while let Some(row) = reader.next_row().map_err(damaged)? {
            grey_row(row.data(), color, channels, width, &mut pixels)?;
        }
    }
    if pixels.len() != count {
        return Err(malformed("the PNG image is damaged"));
    }
    Ok(Grey {
        width,
        height,
        pixels,
    })
}

/// Appends one row of 8-bit samples as grey, transparent pixels over white (a
/// transparent background is white where the image is shown).
fn grey_row(
    row: &[u8],
    color: png::ColorType,
    channels: usize,
    width: usize,
    out: &mut Vec<u8>,
) -> Result<(), ImportError> {
    let needed = width.checked_mul(channels).unwrap_or(usize::MAX);
    let row = row
        .get(..needed)
        .ok_or(malformed("the PNG image is damaged"))?;
    for px in row.chunks_exact(channels.max(1)) {
        let value = match (color, px) {
            (png::ColorType::Grayscale, [g]) => *g,
            (png::ColorType::GrayscaleAlpha, [g, a]) => over_white(*g, *a),
            (png::ColorType::Rgb, [r, g, b]) => luma(*r, *g, *b),
            (png::ColorType::Rgba, [r, g, b, a]) => over_white(luma(*r, *g, *b), *a),
            (
                png::ColorType::Grayscale
                | png::ColorType::GrayscaleAlpha
                | png::ColorType::Rgb
                | png::ColorType::Rgba
                | png::ColorType::Indexed,
                _,
            ) => return Err(malformed("the PNG image's colour type is not supported")),
        };
        out.push(value);
    }
    Ok(())
}

/// ITU-R BT.601 luma in 16.16 fixed point (the weights add up to 65536).
fn luma(r: u8, g: u8, b: u8) -> u8 {
    let sum = u32::from(r) * 19_595 + u32::from(g) * 38_470 + u32::from(b) * 7_471;
    u8::try_from(sum >> 16).unwrap_or(u8::MAX)
}

/// `value` with opacity `alpha`, drawn over white.
fn over_white(value: u8, alpha: u8) -> u8 {
    let a = u32::from(alpha);
    let mixed = (u32::from(value) * a + 255 * (255 - a)) / 255;
    u8::try_from(mixed).unwrap_or(u8::MAX)
}

fn decode_jpeg(data: &[u8]) -> Result<Grey, ImportError> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let damaged = |_| malformed("the JPEG image is damaged");
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::Luma)
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX));
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(data), options);
    decoder.decode_headers().map_err(damaged)?;
    let (width, height) = decoder
        .dimensions()
        .ok_or(malformed("the JPEG image is damaged"))?;
    let (width, height) = (usize::from(width), usize::from(height));
    let count = check_size(width, height)?;
    let size = decoder
        .output_buffer_size()
        .ok_or(malformed("the JPEG image is damaged"))?;
    if size != count {
        return Err(malformed("the JPEG image's colour type is not supported"));
    }
    let mut pixels = vec![0; size];
    decoder.decode_into(&mut pixels).map_err(damaged)?;
    Ok(Grey {
        width,
        height,
        pixels,
    })
}

/// The QR codes of the image, top to bottom then left to right.
fn scan(grey: Grey) -> Result<Vec<Zeroizing<String>>, ImportError> {
    let Grey {
        width,
        height,
        pixels,
    } = grey;
    let pixels = Zeroizing::new(pixels);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        y.checked_mul(width)
            .and_then(|row| row.checked_add(x))
            .and_then(|i| pixels.get(i))
            .copied()
            .unwrap_or(u8::MAX)
    });
    drop(pixels);
    let grids = prepared.detect_grids();
    if grids.len() > MAX_CODES {
        return Err(malformed("the image has more than 100 QR codes"));
    }
    let mut found = Vec::with_capacity(grids.len());
    for grid in &grids {
        let (_, text) = grid
            .decode()
            .map_err(|_| malformed("a QR code in the image could not be read"))?;
        let top_left = grid
            .bounds
            .iter()
            .min_by_key(|p| (p.y, p.x))
            .map_or((0, 0), |p| (p.y, p.x));
        found.push((top_left, Zeroizing::new(text)));
    }
    found.sort_by_key(|(at, _)| *at);
    Ok(found.into_iter().map(|(_, text)| text).collect())
}

/// What one QR code holds.
enum Content {
    Migration,
    Otpauth,
    Other,
}

fn content(text: &str) -> Content {
    let starts = |prefix: &str| {
        text.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if starts("otpauth-migration:") {
        Content::Migration
    } else if starts("otpauth:") || starts("apple-otpauth:") {
        Content::Otpauth
    } else {
        Content::Other
    }
}

/// One image (PNG or JPEG).
pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    import_texts(decode_qr_codes(data)?)
}

/// Several images of one export, in any order: the QR codes of all of them are read
/// together, so that a Google Authenticator export shown as several QR codes (one
/// screenshot each) is assembled whole. Entries come as for one image, over the
/// images in the order given.
///
/// ```no_run
/// let images = [std::fs::read("export-2.png")?, std::fs::read("export-1.png")?];
/// let images: Vec<&[u8]> = images.iter().map(Vec::as_slice).collect();
/// let import = otpkit_transfer::qr_image::import_images(&images)?;
/// assert!(import.missing_batches.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import_images(images: &[&[u8]]) -> Result<Import, ImportError> {
    let mut texts = Vec::new();
    for image in images {
        let found = decode_qr_codes(image)?;
        if texts.len().saturating_add(found.len()) > crate::MAX_ENTRIES {
            return Err(ImportError::TooManyEntries {
                max: crate::MAX_ENTRIES,
            });
        }
        texts.extend(found);
    }
    import_texts(texts)
}

fn import_texts(texts: Vec<Zeroizing<String>>) -> Result<Import, ImportError> {
    if texts.is_empty() {
        return Err(malformed("no QR code found in the image"));
    }
    let mut out = Import::new();
    let mut migration = Zeroizing::new(String::new());
    let mut any_otp = false;
    for text in &texts {
        match content(text) {
            Content::Migration => {
                any_otp = true;
                migration.push_str(text.trim());
                migration.push('\n');
            }
            Content::Otpauth => any_otp = true,
            Content::Other => {}
        }
    }
    if !any_otp {
        return Err(malformed(
            "no QR code in the image holds an otpauth:// or otpauth-migration:// URI",
        ));
    }
    for text in &texts {
        match content(text) {
            Content::Migration => {}
            Content::Otpauth | Content::Other => {
                let result = otpauth_list::parse_uri(text);
                let label = match &result {
                    Ok((account, _)) => label_of(account.issuer.as_deref(), &account.name),
                    Err(_) => String::new(),
                };
                out.push(label, result)?;
            }
        }
    }
    if !migration.is_empty() {
        let part = crate::migration::import(migration.as_bytes())?;
        out.missing_batches.extend(part.missing_batches);
        for report in part.report {
            if out.report.len() >= crate::MAX_ENTRIES {
                return Err(ImportError::TooManyEntries {
                    max: crate::MAX_ENTRIES,
                });
            }
            out.report.push(crate::EntryReport {
                index: out.report.len(),
                ..report
            });
        }
        wiped_vec::append(&mut out.accounts, part.accounts);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_and_alpha() {
        assert_eq!(luma(0, 0, 0), 0);
        assert_eq!(luma(255, 255, 255), 255);
        assert_eq!(over_white(0, 0), 255);
        assert_eq!(over_white(0, 255), 0);
        assert_eq!(over_white(100, 255), 100);
    }

    #[test]
    fn content_kinds() {
        assert!(matches!(
            content("OTPAUTH-MIGRATION://offline?data=x"),
            Content::Migration
        ));
        assert!(matches!(content("apple-otpauth://totp/x"), Content::Otpauth));
        assert!(matches!(content("https://example.com"), Content::Other));
        assert!(matches!(content("é"), Content::Other));
    }

    #[test]
    fn no_codes_and_no_otp_codes_are_malformed() {
        assert!(matches!(
            import_texts(Vec::new()),
            Err(ImportError::Malformed { .. })
        ));
        assert!(matches!(
            import_texts(vec![Zeroizing::new("https://example.com".into())]),
            Err(ImportError::Malformed { .. })
        ));
    }
}
