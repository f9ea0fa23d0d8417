//! `Format::QrImage`: QR codes in PNG and JPEG images. Every image here is drawn by
//! the test itself (the `qrcode` crate for the modules, `png` and `jpeg-encoder`
//! for the file), never taken from the interop corpus.

use otpkit::otpauth::Account;
use otpkit_transfer::qr_image::{MAX_FINDER_PATTERNS, decode_qr_codes, import_images};
use otpkit_transfer::{EntryError, Format, ImportError, detect, import};

const URI: &str = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example";

/// A greyscale canvas, white.
struct Canvas {
    width: usize,
    height: usize,
    grey: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Self {
        Canvas {
            width,
            height,
            grey: vec![255; width * height],
        }
    }

    fn rect(&mut self, x: usize, y: usize, w: usize, h: usize, value: u8) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.grey[yy * self.width + xx] = value;
            }
        }
    }

    /// Draws `text` as a QR code with its top-left module at (x, y), `scale`
    /// pixels per module.
    fn qr(&mut self, text: &str, x: usize, y: usize, scale: usize) -> usize {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let n = code.width();
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == qrcode::Color::Dark {
                self.rect(x + (i % n) * scale, y + (i / n) * scale, scale, scale, 0);
            }
        }
        n * scale
    }

    fn png(&self) -> Vec<u8> {
        png_of(
            self.width,
            self.height,
            png::ColorType::Grayscale,
            &self.grey,
        )
    }

    /// RGBA: black modules, a transparent background (black where transparent).
    fn png_transparent(&self) -> Vec<u8> {
        let rgba: Vec<u8> = self
            .grey
            .iter()
            .flat_map(|&g| if g == 0 { [0, 0, 0, 255] } else { [0, 0, 0, 0] })
            .collect();
        png_of(self.width, self.height, png::ColorType::Rgba, &rgba)
    }

    /// RGB: dark blue modules on a light yellow background.
    fn png_rgb(&self) -> Vec<u8> {
        let rgb: Vec<u8> = self
            .grey
            .iter()
            .flat_map(|&g| {
                if g == 0 {
                    [10, 20, 90]
                } else {
                    [250, 245, 200]
                }
            })
            .collect();
        png_of(self.width, self.height, png::ColorType::Rgb, &rgb)
    }

    fn jpeg(&self, color: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let encoder = jpeg_encoder::Encoder::new(&mut out, 90);
        let (w, h) = (self.width as u16, self.height as u16);
        if color {
            let rgb: Vec<u8> = self.grey.iter().flat_map(|&g| [g, g, g]).collect();
            encoder
                .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
                .unwrap();
        } else {
            encoder
                .encode(&self.grey, w, h, jpeg_encoder::ColorType::Luma)
                .unwrap();
        }
        out
    }
}

fn png_of(width: usize, height: usize, color: png::ColorType, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width as u32, height as u32);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(data).unwrap();
    writer.finish().unwrap();
    out
}

fn one_code(text: &str) -> Canvas {
    let mut canvas = Canvas::new(300, 300);
    canvas.qr(text, 20, 20, 4);
    canvas
}

fn account(uri: &str) -> Account {
    Account::parse(uri).unwrap().account
}

fn what(e: ImportError) -> &'static str {
    match e {
        ImportError::Malformed {
            format: Format::QrImage,
            what,
            ..
        } => what,
        other => panic!("expected a malformed qr-image, got {other:?}"),
    }
}

#[test]
fn otpauth_code_in_png_jpeg_and_colours() {
    let canvas = one_code(URI);
    for (kind, file) in [
        ("grey PNG", canvas.png()),
        ("RGB PNG", canvas.png_rgb()),
        ("transparent PNG", canvas.png_transparent()),
        ("grey JPEG", canvas.jpeg(false)),
        ("colour JPEG", canvas.jpeg(true)),
    ] {
        assert_eq!(detect(&file), Some(Format::QrImage), "{kind}");
        let out = import(Format::QrImage, &file, None).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(out.accounts, vec![account(URI)], "{kind}");
        assert_eq!(out.report.len(), 1);
        assert_eq!(out.report[0].label, "Example:alice@example.com");
        assert!(out.missing_batches.is_empty());
    }
}

#[test]
fn apple_otpauth_code() {
    let apple = URI.replacen("otpauth://", "apple-otpauth://", 1);
    let out = import(Format::QrImage, &one_code(&apple).png(), None).unwrap();
    assert_eq!(out.accounts, vec![account(URI)]);
}

#[test]
fn several_codes_read_top_to_bottom_then_left_to_right() {
    let uris: Vec<String> = (0..3)
        .map(|i| format!("otpauth://totp/Ex:user{i}?secret=JBSWY3DPEHPK3PXP&issuer=Ex"))
        .collect();
    let mut canvas = Canvas::new(420, 420);
    canvas.qr(&uris[2], 20, 240, 4);
    canvas.qr(&uris[1], 240, 20, 4);
    canvas.qr(&uris[0], 20, 20, 4);
    let out = import(Format::QrImage, &canvas.png(), None).unwrap();
    let expected: Vec<Account> = uris.iter().map(|u| account(u)).collect();
    assert_eq!(out.accounts, expected);
    let indexes: Vec<usize> = out.report.iter().map(|r| r.index).collect();
    assert_eq!(indexes, [0, 1, 2]);
}

fn migration_accounts() -> (Vec<Account>, Vec<String>) {
    let accounts: Vec<Account> = (0..12)
        .map(|i| {
            account(&format!(
                "otpauth://totp/Ex:user{i}?secret=JBSWY3DPEHPK3PXP&issuer=Ex"
            ))
        })
        .collect();
    let uris = otpkit::migration::encode(&accounts, 6).unwrap();
    assert_eq!(uris.len(), 2);
    (accounts, uris)
}

fn migration_image(uri: &str) -> Vec<u8> {
    let mut canvas = Canvas::new(500, 500);
    canvas.qr(uri, 20, 20, 4);
    canvas.png()
}

#[test]
fn migration_batches_assemble_in_any_order_within_one_image() {
    let (accounts, uris) = migration_accounts();
    let mut canvas = Canvas::new(500, 960);
    // Batch 2 of 2 above batch 1 of 2.
    canvas.qr(&uris[1], 20, 20, 4);
    canvas.qr(&uris[0], 20, 490, 4);
    let out = import(Format::QrImage, &canvas.png(), None).unwrap();
    assert_eq!(out.accounts, accounts);
    assert!(out.missing_batches.is_empty());
    assert_eq!(out.report.len(), 12);
}

#[test]
fn migration_batches_across_images_and_missing_ones() {
    let (accounts, uris) = migration_accounts();
    let second = migration_image(&uris[1]);
    let first = migration_image(&uris[0]);
    let out = import_images(&[&second, &first]).unwrap();
    assert_eq!(out.accounts, accounts);
    assert!(out.missing_batches.is_empty());

    let partial = import(Format::QrImage, &second, None).unwrap();
    assert_eq!(partial.missing_batches, vec![0]);
    assert_eq!(partial.accounts, accounts[6..]);
}

#[test]
fn otpauth_and_migration_codes_together() {
    let (accounts, uris) = migration_accounts();
    let mut canvas = Canvas::new(500, 960);
    canvas.qr(&uris[0], 20, 20, 4);
    canvas.qr(URI, 20, 490, 4);
    let out = import(Format::QrImage, &canvas.png(), None).unwrap();
    // The otpauth code first, then the migration export.
    assert_eq!(out.accounts[0], account(URI));
    assert_eq!(out.accounts[1..], accounts[..6]);
    assert_eq!(out.missing_batches, vec![1]);
}

#[test]
fn a_code_that_is_not_otp() {
    // Alone: the image holds no account at all.
    let only = one_code("https://example.com/not-a-secret").png();
    assert_eq!(
        what(import(Format::QrImage, &only, None).unwrap_err()),
        "no QR code in the image holds an otpauth:// or otpauth-migration:// URI"
    );
    // Beside an otpauth code: refused as an entry, without its text as the label.
    let mut canvas = Canvas::new(420, 220);
    canvas.qr("https://example.com/not-a-secret", 20, 20, 4);
    canvas.qr(URI, 240, 20, 4);
    let out = import(Format::QrImage, &canvas.png(), None).unwrap();
    assert_eq!(out.report.len(), 2);
    assert_eq!(
        out.report[0].outcome,
        Err(EntryError::Uri(otpkit::otpauth::UriError::NotOtpauth))
    );
    assert_eq!(out.report[0].label, "");
    assert_eq!(out.accounts, vec![account(URI)]);
}

#[test]
fn a_bad_migration_code_is_refused_whole() {
    let bad = one_code("otpauth-migration://offline?data=notbase64!!").png();
    assert!(matches!(
        import(Format::QrImage, &bad, None),
        Err(ImportError::Migration { line: 0, .. })
    ));
}

#[test]
fn no_code_and_damaged_files() {
    let blank = Canvas::new(64, 64);
    assert_eq!(
        what(import(Format::QrImage, &blank.png(), None).unwrap_err()),
        "no QR code found in the image"
    );
    assert!(decode_qr_codes(&blank.png()).unwrap().is_empty());

    let png = one_code(URI).png();
    let jpeg = one_code(URI).jpeg(false);
    for (kind, file, expected) in [
        ("cut PNG", &png[..png.len() / 2], "the PNG image is damaged"),
        ("PNG header only", &png[..8], "the PNG image is damaged"),
        ("cut JPEG", &jpeg[..40], "the JPEG image is damaged"),
        (
            "GIF",
            &b"GIF89a\x01\x00\x01\x00"[..],
            "the file is not a PNG or JPEG image",
        ),
        ("empty", &b""[..], "the file is not a PNG or JPEG image"),
    ] {
        let e = import(Format::QrImage, file, None).unwrap_err();
        assert_eq!(what(e), expected, "{kind}");
    }
}

#[test]
fn a_damaged_code_is_an_error_not_skipped() {
    let mut canvas = Canvas::new(300, 300);
    let size = canvas.qr(URI, 20, 20, 4);
    // The finder patterns stay; the data area between them is blotted out.
    canvas.rect(20 + 40, 20 + 40, size - 80, size - 80, 0);
    let e = import(Format::QrImage, &canvas.png(), None).unwrap_err();
    assert_eq!(what(e), "a QR code in the image could not be read");
}

/// A PNG whose header claims `width` × `height` and that has no pixel data.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    drop(encoder.write_header().unwrap());
    out
}

#[test]
fn images_above_the_pixel_cap_are_refused_before_decoding() {
    // 16 000 000 pixels pass the size check (and then lack their data); one row more
    // does not.
    assert_eq!(
        what(import(Format::QrImage, &png_header(4000, 4000), None).unwrap_err()),
        "the PNG image is damaged"
    );
    assert_eq!(
        what(import(Format::QrImage, &png_header(4000, 4001), None).unwrap_err()),
        "the image is larger than 16 megapixels"
    );
    assert_eq!(
        what(
            import(
                Format::QrImage,
                &png_header(u32::MAX >> 1, u32::MAX >> 1),
                None
            )
            .unwrap_err()
        ),
        "the image is larger than 16 megapixels"
    );
    // A JPEG whose frame header claims 65000 × 65000.
    let mut jpeg = one_code(URI).jpeg(false);
    let sof = jpeg.windows(2).position(|w| w == [0xff, 0xc0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xfd, 0xe8, 0xfd, 0xe8]);
    assert_eq!(
        what(import(Format::QrImage, &jpeg, None).unwrap_err()),
        "the image is larger than 16 megapixels"
    );
}

/// A QR code's corner square: 7 × 7 modules of `m` pixels.
fn finder(canvas: &mut Canvas, x: usize, y: usize, m: usize) {
    canvas.rect(x, y, 7 * m, 7 * m, 0);
    canvas.rect(x + m, y + m, 5 * m, 5 * m, 255);
    canvas.rect(x + 2 * m, y + 2 * m, 3 * m, 3 * m, 0);
}

#[test]
fn too_many_finder_patterns_are_refused_before_the_detector_runs() {
    // A grid of corner squares: the detector would try them in threes, copying the
    // image for each try (minutes for a few hundred).
    let per_side = 12;
    let mut canvas = Canvas::new(per_side * 30, per_side * 30);
    for i in 0..per_side {
        for j in 0..per_side {
            finder(&mut canvas, i * 30 + 4, j * 30 + 4, 3);
        }
    }
    assert!(per_side * per_side > MAX_FINDER_PATTERNS);
    assert_eq!(
        what(import(Format::QrImage, &canvas.png(), None).unwrap_err()),
        "the image has more than 40 shapes like a QR code's corner squares"
    );
    // Thirteen codes' worth of them are still read (here: none is a whole code).
    let mut canvas = Canvas::new(8 * 30, 5 * 30);
    for k in 0..MAX_FINDER_PATTERNS {
        finder(&mut canvas, (k % 8) * 30 + 4, (k / 8) * 30 + 4, 3);
    }
    assert_ne!(
        what(import(Format::QrImage, &canvas.png(), None).unwrap_err()),
        "the image has more than 40 shapes like a QR code's corner squares"
    );
}

#[test]
fn oversized_input_is_refused() {
    let big = vec![0_u8; otpkit_transfer::MAX_INPUT_LEN + 1];
    assert!(matches!(
        decode_qr_codes(&big),
        Err(ImportError::TooLarge { .. })
    ));
    assert!(matches!(
        import(Format::QrImage, &big, None),
        Err(ImportError::TooLarge { .. })
    ));
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// An 8-bit greyscale PNG, Adam7-interlaced (the `png` crate writes no interlaced
/// images), its data in stored (uncompressed) deflate blocks.
fn adam7_png(canvas: &Canvas) -> Vec<u8> {
    let (w, h) = (canvas.width, canvas.height);
    let mut raw = Vec::new();
    for (x0, y0, dx, dy) in [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ] {
        if x0 >= w || y0 >= h {
            continue;
        }
        for y in (y0..h).step_by(dy) {
            raw.push(0); // filter: none
            raw.extend((x0..w).step_by(dx).map(|x| canvas.grey[y * w + x]));
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1_u32, 0_u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(w as u32).to_be_bytes());
    ihdr.extend_from_slice(&(h as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 1]); // 8-bit grey, interlaced
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn interlaced_png() {
    let canvas = one_code(URI);
    let file = adam7_png(&canvas);
    let out = import(Format::QrImage, &file, None).unwrap();
    assert_eq!(out.accounts, vec![account(URI)]);
    // Cut inside its data: damaged.
    assert_eq!(
        what(import(Format::QrImage, &file[..file.len() - 200], None).unwrap_err()),
        "the PNG image is damaged"
    );
}
