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
//!   ([`EntryError::Uri`](crate::EntryError::Uri) with `NotOtpauth`, no label) when
//!   the image has OTP codes too; an image with no OTP code at all, or with no QR
//!   code, is refused as a whole ([`ImportError::Malformed`]). A QR code the
//!   detector finds but cannot read (damaged) refuses the whole image too, rather
//!   than leave an account out unsaid.
//!
//! Entries come in this order: the `otpauth://` codes from top to bottom (then left
//! to right), then the migration exports' entries in batch order.
//! [`EntryReport::index`](crate::EntryReport::index) is the entry's position in that
//! order.
//!
//! Sources: the PNG specification (W3C) and JPEG (ITU T.81 / JFIF) as the `png` and
//! `zune-jpeg` crates implement them; ISO/IEC 18004 QR codes as `rqrr` reads them;
//! the `otpauth://` and `otpauth-migration://` contents as this crate's
//! [`Format::OtpauthList`] and [`Format::GoogleMigration`] read them; Apple's page
//! "Securing Logins with iCloud Keychain Verification Codes" (Apple Developer
//! documentation, AuthenticationServices) for `apple-otpauth:`, the standard URI
//! under another scheme. Tested on Google Authenticator transfer screenshots (PNG
//! and JPEG) and on images drawn by the tests.
//!
//! # Bounds
//!
//! The file is at most [`MAX_INPUT_LEN`] bytes, like every import. An image above
//! [`MAX_PIXELS`] is refused from its header, before any pixel is decoded. The
//! decoded image is held as one byte per pixel (at most [`MAX_PIXELS`] bytes), its
//! black and white form as one byte per pixel, the finder-pattern count's area
//! labels as four bytes per pixel and its fill stack as one word per pixel at most,
//! plus the QR detector's working copies of the black and white image; a PNG's
//! decoder buffers at most [`MAX_PIXELS`] × 8 bytes (16-bit RGBA, for interlaced
//! images; other PNGs are read row by row). The detector's time grows with the
//! pixel count times a power of the number of finder patterns, so an image with
//! more than [`MAX_FINDER_PATTERNS`] is refused before the detector runs (which
//! also bounds the QR codes of one image to 13). The entries read are bounded by
//! [`MAX_ENTRIES`](crate::MAX_ENTRIES), as for every format.
//!
//! A panic inside the image or QR decoders (third-party code) is caught and
//! reported as a malformed file, in builds that unwind.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use zeroize::Zeroizing;

use crate::secret::wiped_vec;
use crate::{Format, Import, ImportError, MAX_INPUT_LEN, label_of, otpauth_list};

/// The most pixels (width × height) of an image that is decoded: 16 megapixels, a 5K
/// screen's screenshot (14.7 megapixels) or a 12-megapixel phone photo. The import's
/// time grows with the pixel count: about 4 s of one core (release build) for the
/// worst 16-megapixel images tried (two detection passes over a grid of
/// [`MAX_FINDER_PATTERNS`] finder patterns), about 12 s at 40 megapixels.
pub const MAX_PIXELS: usize = 16_000_000;

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
/// has more than [`MAX_FINDER_PATTERNS`] finder patterns, or a QR code was found whose content could
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
        .ok_or(malformed("the image is larger than 16 megapixels"))?;
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
            .ok_or(malformed("the image is larger than 16 megapixels"))?;
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
    let needed = width.saturating_mul(channels);
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
    let sum = (u32::from(r).saturating_mul(19_595))
        .saturating_add(u32::from(g).saturating_mul(38_470))
        .saturating_add(u32::from(b).saturating_mul(7_471));
    u8::try_from(sum.checked_shr(16).unwrap_or(0)).unwrap_or(u8::MAX)
}

/// `value` with opacity `alpha`, drawn over white.
fn over_white(value: u8, alpha: u8) -> u8 {
    let a = u32::from(alpha);
    let mixed = u32::from(value)
        .saturating_mul(a)
        .saturating_add(255_u32.saturating_mul(255_u32.saturating_sub(a)))
        .checked_div(255)
        .unwrap_or(255);
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
///
/// The image is made black and white first with a local threshold (each pixel
/// against the average of its row around it, as the QR detector would do itself),
/// and when that finds no readable code, again with one threshold for the whole
/// image (Otsu's), which reads dense codes drawn with soft edges. Each black and
/// white image is checked for finder patterns before the detector runs (see
/// [`MAX_FINDER_PATTERNS`]).
fn scan(grey: Grey) -> Result<Vec<Zeroizing<String>>, ImportError> {
    let grey_pixels = Zeroizing::new(grey.pixels);
    let (width, height) = (grey.width, grey.height);
    let local = Zeroizing::new(local_threshold(width, height, &grey_pixels));
    let first = detect(width, height, &local)?;
    drop(local);
    if first.unreadable == 0 && !first.texts.is_empty() {
        return Ok(first.texts);
    }
    let global = Zeroizing::new(global_threshold(&grey_pixels));
    drop(grey_pixels);
    let second = detect(width, height, &global)?;
    if second.unreadable == 0 && !second.texts.is_empty() {
        return Ok(second.texts);
    }
    if first.unreadable > 0 || second.unreadable > 0 {
        return Err(malformed("a QR code in the image could not be read"));
    }
    Ok(Vec::new())
}

/// The most finder patterns (the three squares in a QR code's corners) an image may
/// have: 13 QR codes' worth. The QR detector tries the patterns in threes, copying
/// the image for each trial, so its time grows with the pixel count times a power
/// of the pattern count; the count is taken from the black and white image (a
/// bound on what the detector finds: every pattern it accepts has the 1:1:3:1:1
/// run of this check on some row, and claims an outer ring not counted before)
/// and the image is refused above it.
pub const MAX_FINDER_PATTERNS: usize = 40;

/// The readable codes of one black and white image, and how many failed to read.
struct Pass {
    texts: Vec<Zeroizing<String>>,
    unreadable: usize,
}

fn detect(width: usize, height: usize, black: &[u8]) -> Result<Pass, ImportError> {
    if finder_patterns(width, height, black) > MAX_FINDER_PATTERNS {
        return Err(malformed(
            "the image has more than 40 shapes like a QR code's corner squares",
        ));
    }
    let mut prepared = rqrr::PreparedImage::prepare_from_bitmap(width, height, |x, y| {
        y.checked_mul(width)
            .and_then(|row| row.checked_add(x))
            .and_then(|i| black.get(i))
            .is_some_and(|b| *b != 0)
    });
    // At most a third of the finder patterns counted: 13 codes.
    let grids = prepared.detect_grids();
    let mut found = Vec::with_capacity(grids.len());
    let mut unreadable = 0_usize;
    for grid in &grids {
        let Ok((_, text)) = grid.decode() else {
            unreadable = unreadable.saturating_add(1);
            continue;
        };
        let top_left = grid
            .bounds
            .iter()
            .min_by_key(|p| (p.y, p.x))
            .map_or((0, 0), |p| (p.y, p.x));
        found.push((top_left, Zeroizing::new(text)));
    }
    found.sort_by_key(|(at, _)| *at);
    Ok(Pass {
        texts: found.into_iter().map(|(_, text)| text).collect(),
        unreadable,
    })
}

/// 1 for black, 0 for white: each pixel against 95% of the mean of two running
/// averages along its row (one from each side, over about an eighth of the width),
/// the averages carried from row to row.
fn local_threshold(width: usize, height: usize, grey: &[u8]) -> Vec<u8> {
    let span = (width / 8).max(1);
    let keep = span.saturating_sub(1);
    let mut out = Vec::with_capacity(grey.len());
    let mut sums = vec![0_usize; width];
    let (mut from_left, mut from_right) = (0_usize, 0_usize);
    let step = |avg: usize, px: u8| {
        avg.saturating_mul(keep)
            .checked_div(span)
            .unwrap_or(0)
            .saturating_add(usize::from(px))
    };
    for row in grey.chunks(width.max(1)).take(height) {
        sums.fill(0);
        for (x, px) in row.iter().enumerate() {
            from_left = step(from_left, *px);
            if let Some(sum) = sums.get_mut(x) {
                *sum = sum.saturating_add(from_left);
            }
        }
        for (x, px) in row.iter().enumerate().rev() {
            from_right = step(from_right, *px);
            if let Some(sum) = sums.get_mut(x) {
                *sum = sum.saturating_add(from_right);
            }
        }
        let limit = span.saturating_mul(200);
        for (px, sum) in row.iter().zip(&sums) {
            let threshold = sum.saturating_mul(95).checked_div(limit).unwrap_or(0);
            out.push(u8::from(usize::from(*px) < threshold));
        }
    }
    out
}

/// 1 for black, 0 for white: each pixel against one threshold, the one that
/// separates the image's grey levels best (Otsu's method).
fn global_threshold(grey: &[u8]) -> Vec<u8> {
    let mut histogram = [0_u64; 256];
    for px in grey {
        if let Some(n) = histogram.get_mut(usize::from(*px)) {
            *n = n.saturating_add(1);
        }
    }
    let total: u64 = histogram.iter().sum();
    let weighted: f64 = histogram
        .iter()
        .zip(0_u32..)
        .map(|(n, level)| f64::from(level) * (*n as f64))
        .sum();
    let (mut below, mut below_weighted) = (0_u64, 0.0_f64);
    let (mut best, mut best_level) = (-1.0_f64, 128_u32);
    for (n, level) in histogram.iter().zip(0_u32..) {
        below = below.saturating_add(*n);
        below_weighted += f64::from(level) * (*n as f64);
        let above = total.saturating_sub(below);
        if below == 0 || above == 0 {
            continue;
        }
        let mean_below = below_weighted / below as f64;
        let mean_above = (weighted - below_weighted) / above as f64;
        let between = below as f64 * above as f64 * (mean_below - mean_above).powi(2);
        if between > best {
            best = between;
            best_level = level;
        }
    }
    grey.iter()
        .map(|px| u8::from(u32::from(*px) <= best_level))
        .collect()
}

/// How many finder patterns the QR detector can find in the black and white image,
/// at most (counting stops past [`MAX_FINDER_PATTERNS`]). The detector's test,
/// made here on the same image: a row crosses black, white, black, white, black
/// runs of about 1:1:3:1:1 (each within three quarters of the average run length
/// of its share), the outer black ("ring") and the middle black ("stone") are two
/// different 4-connected black areas, the stone's area is 10 to 70% of the
/// ring's, and the ring was not taken by another pattern. Each area is filled once
/// (its label kept in a map of one word per pixel), so the work is two passes over
/// the pixels at most.
fn finder_patterns(width: usize, height: usize, black: &[u8]) -> usize {
    let mut areas = Areas {
        width,
        black,
        label: vec![0; black.len()],
        size: vec![0],
        ring: vec![false],
        stack: Vec::new(),
    };
    let mut count = 0_usize;
    for (y, row) in black.chunks(width.max(1)).take(height).enumerate() {
        // The last five runs' lengths, oldest first, and the current run.
        let mut runs = [0_usize; 5];
        let mut changes = 0_usize;
        let mut run = 0_usize;
        let mut colour = row.first().copied().unwrap_or(0);
        // A white pixel past the end closes a pattern at the right edge.
        for (x, px) in row.iter().copied().chain(core::iter::once(0)).enumerate() {
            if px == colour {
                run = run.saturating_add(1);
                continue;
            }
            runs.rotate_left(1);
            if let Some(last) = runs.last_mut() {
                *last = run;
            }
            run = 1;
            colour = px;
            changes = changes.saturating_add(1);
            if px != 0 || changes < 5 || !looks_like_finder(&runs) {
                continue;
            }
            let [_, _, c, d, e] = runs;
            let ring_x = x.saturating_sub(e);
            let stone_x = ring_x.saturating_sub(d).saturating_sub(c);
            let at = |x: usize| y.checked_mul(width).and_then(|r| r.checked_add(x));
            let (Some(ring_at), Some(stone_at)) = (at(ring_x), at(stone_x)) else {
                continue;
            };
            if areas.take_ring(ring_at, stone_at) {
                count = count.saturating_add(1);
                if count > MAX_FINDER_PATTERNS {
                    return count;
                }
            }
        }
    }
    count
}

fn looks_like_finder(runs: &[usize; 5]) -> bool {
    let [a, b, c, d, e] = *runs;
    let unit = a.saturating_add(b).saturating_add(d).saturating_add(e) / 4;
    let slack = unit.saturating_mul(3) / 4;
    let within = |len: usize, share: usize| {
        let mid = unit.saturating_mul(share);
        len >= mid.saturating_sub(slack) && len <= mid.saturating_add(slack)
    };
    within(a, 1) && within(b, 1) && within(c, 3) && within(d, 1) && within(e, 1)
}

/// The 4-connected black areas of a black and white image, labelled as they are
/// first asked about.
struct Areas<'a> {
    width: usize,
    black: &'a [u8],
    /// Each pixel's area label (0: not labelled yet).
    label: Vec<u32>,
    /// Each label's pixel count (label 0 unused).
    size: Vec<usize>,
    /// Whether each label was taken as a finder pattern's ring.
    ring: Vec<bool>,
    stack: Vec<usize>,
}

impl Areas<'_> {
    /// Takes the area at `ring_at` as a finder pattern's ring if the area at
    /// `stone_at` can be its stone; whether it was taken.
    fn take_ring(&mut self, ring_at: usize, stone_at: usize) -> bool {
        let (Some(ring), Some(stone)) = (self.area(ring_at), self.area(stone_at)) else {
            return false;
        };
        if ring == stone || self.ring.get(ring).copied().unwrap_or(true) {
            return false;
        }
        let ring_size = self.size.get(ring).copied().unwrap_or(0);
        let stone_size = self.size.get(stone).copied().unwrap_or(0);
        let ratio = stone_size
            .saturating_mul(100)
            .checked_div(ring_size)
            .unwrap_or(0);
        if !(11..70).contains(&ratio) {
            return false;
        }
        if let Some(taken) = self.ring.get_mut(ring) {
            *taken = true;
        }
        true
    }

    /// The label of the black area holding pixel `at`, filled now if new.
    fn area(&mut self, at: usize) -> Option<usize> {
        if self.black.get(at) != Some(&1) {
            return None;
        }
        match self.label.get(at).copied() {
            Some(0) => {}
            Some(label) => return usize::try_from(label).ok(),
            None => return None,
        }
        let id = self.size.len();
        let label = u32::try_from(id).ok()?;
        let mut count = 0_usize;
        self.stack.clear();
        self.stack.push(at);
        if let Some(l) = self.label.get_mut(at) {
            *l = label;
        }
        let width = self.width;
        while let Some(i) = self.stack.pop() {
            count = count.saturating_add(1);
            let x = i.checked_rem(width.max(1)).unwrap_or(0);
            let left = (x > 0).then(|| i.checked_sub(1)).flatten();
            let right = (x.saturating_add(1) < width)
                .then(|| i.checked_add(1))
                .flatten();
            for n in [left, right, i.checked_sub(width), i.checked_add(width)]
                .into_iter()
                .flatten()
            {
                if self.black.get(n) == Some(&1)
                    && let Some(l) = self.label.get_mut(n).filter(|l| **l == 0)
                {
                    *l = label;
                    self.stack.push(n);
                }
            }
        }
        self.size.push(count);
        self.ring.push(false);
        Some(id)
    }
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

    /// A 7 × 7-module finder pattern of `m` pixels per module at (x, y) in a
    /// `width`-wide black (1) and white (0) image.
    fn draw_finder(black: &mut [u8], width: usize, x: usize, y: usize, m: usize) {
        for yy in 0..7 * m {
            for xx in 0..7 * m {
                let (mx, my) = (xx / m, yy / m);
                let ring = mx.min(my).min(6 - mx).min(6 - my);
                black[(y + yy) * width + x + xx] = u8::from(ring != 1);
            }
        }
    }

    #[test]
    fn finder_patterns_are_counted_once_each() {
        let (width, height) = (200, 100);
        let mut black = vec![0; width * height];
        assert_eq!(finder_patterns(width, height, &black), 0);
        for (i, m) in [1, 2, 3, 4].into_iter().enumerate() {
            draw_finder(&mut black, width, 5 + i * 45, 10, m);
        }
        assert_eq!(finder_patterns(width, height, &black), 4);
        // Touching the right edge still counts (the virtual white pixel at the end).
        draw_finder(&mut black, width, width - 14, 60, 2);
        assert_eq!(finder_patterns(width, height, &black), 5);
        // A square whose middle touches its ring is no finder pattern.
        let mut joined = vec![0; width * height];
        draw_finder(&mut joined, width, 5, 10, 3);
        for yy in 10 + 9..10 + 12 {
            for xx in 5 + 3..5 + 6 {
                joined[yy * width + xx] = 1;
            }
        }
        assert_eq!(finder_patterns(width, height, &joined), 0);
        // A solid block crossed by a 1:1:3:1:1 row only: the stone is too large.
        let mut stripes = vec![0; width * height];
        for x in 0..7 {
            for y in 0..30 {
                stripes[y * width + x] = u8::from(x != 1 && x != 5);
            }
        }
        for y in 0..30 {
            for x in 2..5 {
                stripes[y * width + x] = 1;
            }
        }
        assert_eq!(finder_patterns(width, height, &stripes), 0);
    }

    #[test]
    fn finder_pattern_count_stops_past_the_cap() {
        let per_row = 25;
        let (width, height) = (per_row * 10, 30);
        let mut black = vec![0; width * height];
        for i in 0..per_row {
            draw_finder(&mut black, width, i * 10 + 1, 1, 1);
            draw_finder(&mut black, width, i * 10 + 1, 15, 1);
        }
        assert_eq!(
            finder_patterns(width, height, &black),
            MAX_FINDER_PATTERNS + 1
        );
    }

    #[test]
    fn thresholds() {
        // A dark square on a light background, both ways.
        let (w, h) = (64, 64);
        let grey: Vec<u8> = (0..w * h)
            .map(|i| {
                if (20..40).contains(&(i % w)) && (20..40).contains(&(i / w)) {
                    30
                } else {
                    220
                }
            })
            .collect();
        for black in [local_threshold(w, h, &grey), global_threshold(&grey)] {
            assert_eq!(black[30 * w + 30], 1);
            assert_eq!(black[5 * w + 5], 0);
            assert_eq!(black.iter().filter(|b| **b == 1).count(), 400);
        }
        // One grey level everywhere: all black or all white, never a mix.
        let flat = vec![128; w * h];
        let global = global_threshold(&flat);
        assert!(global.iter().all(|b| *b == global[0]));
    }

    #[test]
    fn content_kinds() {
        assert!(matches!(
            content("OTPAUTH-MIGRATION://offline?data=x"),
            Content::Migration
        ));
        assert!(matches!(
            content("apple-otpauth://totp/x"),
            Content::Otpauth
        ));
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
