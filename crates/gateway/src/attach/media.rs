//! What an upload's bytes are: the media type sniffed from their start,
//! and for images their size and a thumbnail, decoded under limits so a
//! small file that claims a huge canvas is refused before any pixel is
//! allocated.

use std::io::Cursor;

use ferrochat_domain::attachments::Dimensions;
use image::{ImageFormat, ImageReader, Limits};

/// Bytes read before the type is decided: every signature `infer` knows
/// sits well within this.
pub(crate) const SNIFF_BYTES: usize = 8 * 1024;

/// Unknown bytes.
pub(crate) const OCTET_STREAM: &str = "application/octet-stream";

/// The media type of a file that starts with `head`.
pub(crate) fn sniff(head: &[u8]) -> &'static str {
    infer::get(head).map_or(OCTET_STREAM, |t| t.mime_type())
}

/// The image formats decoded for a thumbnail.
pub(crate) fn decodable(media_type: &str) -> bool {
    matches!(
        media_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// Why an image was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MediaError {
    #[error("file: the image is {width}x{height} pixels, more than the {max} this server takes")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    #[error("file: the image needs more memory to decode than this server allows")]
    TooMuchMemory,
    #[error("file: the image cannot be decoded ({0})")]
    Corrupt(String),
}

pub(crate) struct Thumbnail {
    pub(crate) dimensions: Dimensions,
    /// PNG.
    pub(crate) png: Vec<u8>,
}

/// Decodes `bytes` (at most `max_pixels`) and scales it to fit in
/// `side` x `side`. CPU-bound: run it on a blocking thread.
pub(crate) fn thumbnail(bytes: &[u8], max_pixels: u64, side: u32) -> Result<Thumbnail, MediaError> {
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| MediaError::Corrupt(e.to_string()))
    };
    // The header alone first: its claimed size decides before decoding.
    let (width, height) = reader()?.into_dimensions().map_err(refusal)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            max: max_pixels,
        });
    }
    let mut limits = Limits::default();
    // RGBA at 16 bits per channel, and room for the decoder's own buffers.
    limits.max_alloc = Some(
        max_pixels
            .saturating_mul(8)
            .saturating_add(64 * 1024 * 1024),
    );
    let mut decoding = reader()?;
    decoding.limits(limits);
    let image = decoding.decode().map_err(refusal)?;
    let small = image.thumbnail(side, side);
    let mut png = Vec::new();
    small
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    Ok(Thumbnail {
        dimensions: Dimensions { width, height },
        png,
    })
}

fn refusal(e: image::ImageError) -> MediaError {
    match e {
        image::ImageError::Limits(_) => MediaError::TooMuchMemory,
        e => MediaError::Corrupt(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use image::{DynamicImage, RgbImage};

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(RgbImage::new(width, height))
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn sniffs_from_the_bytes() {
        assert_eq!(sniff(&png(2, 2)), "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(sniff(b"just some text"), OCTET_STREAM);
    }

    #[test]
    fn thumbnails_keep_the_aspect_ratio() {
        let t = thumbnail(&png(640, 320), 1_000_000, 100).unwrap();
        assert_eq!(
            t.dimensions,
            Dimensions {
                width: 640,
                height: 320
            }
        );
        let small = image::load_from_memory(&t.png).unwrap();
        assert_eq!((small.width(), small.height()), (100, 50));
    }

    #[test]
    fn too_many_pixels_are_refused_before_decoding() {
        let e = thumbnail(&png(300, 300), 10_000, 100).err().unwrap();
        assert!(
            matches!(e, MediaError::TooManyPixels { width: 300, .. }),
            "{e}"
        );
    }

    #[test]
    fn garbage_is_refused() {
        let mut bytes = png(10, 10);
        bytes.truncate(40);
        assert!(matches!(
            thumbnail(&bytes, 1_000_000, 10),
            Err(MediaError::Corrupt(_))
        ));
    }
}
