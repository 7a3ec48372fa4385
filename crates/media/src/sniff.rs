//! What a file is, read from its first bytes: the name and the type an uploader claims are
//! never trusted. Only pictures, audio and video are ever shown inline by a browser; anything
//! else (HTML, SVG, XML, scripts, PDFs, unknown bytes) is served as a download, so an upload can
//! never run in tern's origin.

/// The type found in a file's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sniffed {
    /// The MIME type served with it.
    pub mime: String,
    /// A picture tern decodes and thumbnails (JPEG, PNG, GIF, WebP).
    pub picture: bool,
    /// Audio or video a browser can play inline.
    pub playable: bool,
}

impl Sniffed {
    /// Whether a browser may show it in place (`Content-Disposition: inline`).
    pub fn inline(&self) -> bool {
        inline_type(&self.mime)
    }
}

/// Whether a file served as `mime` may be shown in place: pictures tern decodes, audio, video.
pub fn inline_type(mime: &str) -> bool {
    PICTURES.contains(&mime) || mime.starts_with("audio/") || mime.starts_with("video/")
}

/// MIME types tern decodes as pictures.
const PICTURES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// The type of a file from its first bytes (`storage::HEAD_BYTES` of them suffice).
pub fn sniff(head: &[u8]) -> Sniffed {
    let found = infer::get(head);
    let mime = match &found {
        // An Ogg file with Opus inside: browsers know the container's type.
        Some(kind) if kind.mime_type() == "audio/opus" => "audio/ogg".to_string(),
        Some(kind) => kind.mime_type().to_string(),
        None if head.is_empty() => "application/octet-stream".to_string(),
        // Text without a signature: plain text if it is UTF-8 without NULs (a cut in the middle
        // of a character at the end of the head is fine).
        None if looks_like_text(head) => "text/plain; charset=utf-8".to_string(),
        None => "application/octet-stream".to_string(),
    };
    let kind = found.map(|k| k.matcher_type());
    let picture = PICTURES.contains(&mime.as_str());
    let playable = matches!(
        kind,
        Some(infer::MatcherType::Audio) | Some(infer::MatcherType::Video)
    );
    Sniffed {
        mime,
        picture,
        playable,
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_decide_not_the_name() {
        let png = sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        assert_eq!(
            (png.mime.as_str(), png.picture, png.inline()),
            ("image/png", true, true)
        );
        let html = sniff(b"<!DOCTYPE html><script>alert(1)</script>");
        assert_eq!((html.mime.as_str(), html.inline()), ("text/html", false));
        let svg = sniff(b"<?xml version=\"1.0\"?><svg onload=\"alert(1)\"/>");
        assert!(!svg.inline(), "{svg:?}");
        let text = sniff("你好, plain text".as_bytes());
        assert_eq!(text.mime, "text/plain; charset=utf-8");
        assert!(!text.inline());
        let empty = sniff(b"");
        assert_eq!(
            (empty.mime.as_str(), empty.inline()),
            ("application/octet-stream", false)
        );
        let binary = sniff(&[0, 1, 2, 3, 255]);
        assert_eq!(binary.mime, "application/octet-stream");
    }

    #[test]
    fn audio_and_video_play_inline() {
        for (name, mime) in [("voice.ogg", "audio/ogg"), ("clip.webm", "video/webm")] {
            let path = format!("{}/../../fixtures/media/{name}", env!("CARGO_MANIFEST_DIR"));
            let sniffed = sniff(&std::fs::read(path).unwrap());
            assert_eq!(
                (sniffed.mime.as_str(), sniffed.playable),
                (mime, true),
                "{name}"
            );
        }
    }
}
