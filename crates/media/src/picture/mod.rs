//! Pictures made safe and quick to show: decoded within limits (a few bytes can claim billions
//! of pixels), turned upright (EXIF orientation), cleaned of metadata (GPS!), measured, given a
//! placeholder colour and thumbnails. CPU-bound: the server runs it off the async threads.

mod strip;

use crate::{MediaError, MediaResult};
use image::codecs::gif::GifDecoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Decode limits: a picture larger than this is kept as a plain file (no preview).
#[derive(Clone, Copy, Debug)]
pub struct PictureLimits {
    /// Most pixels (width × height) a picture may have.
    pub max_pixels: u64,
}

/// The smaller renditions made of a picture, by the longest side they may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// For lists, quotes and avatars: at most 320 px.
    Thumb,
    /// For the message bubble and a phone's screen: at most 1280 px.
    Preview,
    /// For a profile picture in a circle: the centre square, at most 256 px. Always made.
    Square,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Thumb, Variant::Preview, Variant::Square];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Thumb => "thumb",
            Variant::Preview => "preview",
            Variant::Square => "square",
        }
    }

    pub fn parse(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }

    fn side(self) -> u32 {
        match self {
            Variant::Thumb => 320,
            Variant::Preview => 1280,
            Variant::Square => 256,
        }
    }
}

/// A smaller rendition, encoded.
#[derive(Clone, Debug)]
pub struct Rendition {
    pub variant: Variant,
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// What was learnt and made from a picture.
#[derive(Clone, Debug)]
pub struct Picture {
    /// As shown: after the EXIF orientation is applied.
    pub width: u32,
    pub height: u32,
    /// The average colour, `#rrggbb`: a placeholder while the picture loads.
    pub color: String,
    /// A GIF with more than one frame (served as uploaded, so it keeps moving).
    pub animated: bool,
    /// What to serve instead of the uploaded bytes: metadata removed, and turned upright if it
    /// had to be re-encoded for that. `None` when the upload is already clean.
    pub cleaned: Option<Vec<u8>>,
    /// The renditions smaller than the picture itself (none for a small picture).
    pub renditions: Vec<Rendition>,
}

/// Decodes and processes a picture of type `mime` (one `sniff` marks as a picture).
pub fn process(bytes: &[u8], mime: &str, limits: PictureLimits) -> MediaResult<Picture> {
    let format = ImageFormat::from_mime_type(mime)
        .ok_or_else(|| MediaError::Picture(format!("{mime} is not a picture tern decodes")))?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decode_limits = Limits::default();
    // Width and height are checked against the pixel limit before anything is allocated; the
    // allocation limit covers what a decoder needs beyond the pixels.
    decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 << 20));
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(MediaError::Picture(format!(
            "the picture is {w}×{h} pixels, more than the {} allowed",
            limits.max_pixels
        )));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    image.apply_orientation(orientation);
    let animated = format == ImageFormat::Gif && gif_frames(bytes, limits)? > 1;

    let cleaned = if format == ImageFormat::Gif {
        // GIF has no EXIF; it is served as uploaded so that it keeps moving.
        None
    } else if orientation != Orientation::NoTransforms {
        // The orientation lives in the metadata being removed: the pixels are turned instead.
        Some(encode_like(&image, format)?)
    } else {
        let stripped = match format {
            ImageFormat::Jpeg => strip::jpeg(bytes),
            ImageFormat::Png => strip::png(bytes),
            ImageFormat::WebP => strip::webp(bytes),
            _ => None,
        };
        match stripped {
            Some(clean) if clean.len() == bytes.len() => None,
            Some(clean) => Some(clean),
            None => Some(encode_like(&image, format)?),
        }
    };

    // Each rendition is made from the next larger one, so the full picture is scaled once
    // (a 12-megapixel photo: one pass over its pixels instead of four).
    let mut renditions = Vec::new();
    let preview = scaled(&image, Variant::Preview);
    let thumb = scaled(preview.as_ref().unwrap_or(&image), Variant::Thumb);
    let square = centre_square(preview.as_ref().unwrap_or(&image));
    for (variant, small) in [
        (Variant::Thumb, thumb.as_ref()),
        (Variant::Preview, preview.as_ref()),
        (Variant::Square, Some(&square)),
    ] {
        if let Some(small) = small {
            let (bytes, mime) = encode_small(small)?;
            renditions.push(Rendition {
                variant,
                bytes,
                mime,
            });
        }
    }
    let color = average_color(thumb.as_ref().unwrap_or(&image));
    Ok(Picture {
        width: image.width(),
        height: image.height(),
        color,
        animated,
        cleaned,
        renditions,
    })
}

/// `image` scaled to fit `variant`, if it is larger than that.
fn scaled(image: &DynamicImage, variant: Variant) -> Option<DynamicImage> {
    (image.width().max(image.height()) > variant.side())
        .then(|| image.thumbnail(variant.side(), variant.side()))
}

/// The centre square of `image`, at most the square rendition's side.
fn centre_square(image: &DynamicImage) -> DynamicImage {
    let side = image.width().min(image.height());
    let centre = image.crop_imm(
        (image.width() - side) / 2,
        (image.height() - side) / 2,
        side,
        side,
    );
    scaled(&centre, Variant::Square).unwrap_or(centre)
}

fn undecodable(e: image::ImageError) -> MediaError {
    match e {
        image::ImageError::Limits(_) => {
            MediaError::Picture("the picture is larger than the decode limits".into())
        }
        other => MediaError::Picture(format!("the picture cannot be decoded: {other}")),
    }
}

/// Frames of a GIF, counting no further than two (each one is decoded).
fn gif_frames(bytes: &[u8], limits: PictureLimits) -> MediaResult<usize> {
    let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(undecodable)?;
    let mut decode_limits = Limits::default();
    decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 << 20));
    decoder.set_limits(decode_limits).map_err(undecodable)?;
    Ok(decoder.into_frames().take(2).filter(|f| f.is_ok()).count())
}

/// The whole picture again, in its own format (JPEG at high quality, the others lossless).
fn encode_like(image: &DynamicImage, format: ImageFormat) -> MediaResult<Vec<u8>> {
    let mut out = Vec::new();
    let result = match format {
        ImageFormat::Jpeg => image
            .to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90)),
        ImageFormat::WebP => image
            .to_rgba8()
            .write_with_encoder(WebPEncoder::new_lossless(&mut out)),
        _ => image.write_with_encoder(PngEncoder::new(&mut out)),
    };
    result.map_err(|e| MediaError::Picture(format!("cannot encode the picture: {e}")))?;
    Ok(out)
}

/// A rendition: JPEG unless it has transparency, which JPEG cannot keep.
fn encode_small(image: &DynamicImage) -> MediaResult<(Vec<u8>, &'static str)> {
    let mut out = Vec::new();
    let transparent = image.color().has_alpha() && image.to_rgba8().pixels().any(|p| p[3] < 255);
    let (result, mime) = if transparent {
        (
            image.write_with_encoder(PngEncoder::new(&mut out)),
            "image/png",
        )
    } else {
        (
            image
                .to_rgb8()
                .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 80)),
            "image/jpeg",
        )
    };
    result.map_err(|e| MediaError::Picture(format!("cannot encode a thumbnail: {e}")))?;
    Ok((out, mime))
}

fn average_color(image: &DynamicImage) -> String {
    let small = image.thumbnail(16, 16).to_rgb8();
    let n = u64::from(small.width() * small.height()).max(1);
    let mut sum = [0u64; 3];
    for p in small.pixels() {
        for (s, c) in sum.iter_mut().zip(p.0) {
            *s += u64::from(c);
        }
    }
    format!("#{:02x}{:02x}{:02x}", sum[0] / n, sum[1] / n, sum[2] / n)
}

#[cfg(test)]
mod tests;
