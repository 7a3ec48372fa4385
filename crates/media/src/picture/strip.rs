//! Removing metadata from a picture's container without decoding it: EXIF (with its GPS
//! position, camera serial number, time), XMP, IPTC and comments. The pixels and the colour
//! profile stay byte for byte. `None` when the bytes are not the container they claim to be.

/// JPEG: drops APP1 (EXIF, XMP), APP13 (IPTC) and COM segments before the image data.
pub fn jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut at = 2;
    loop {
        if bytes.get(at) != Some(&0xFF) {
            return None;
        }
        // Fill bytes (0xFF repeated) may precede a marker.
        let mut marker_at = at + 1;
        while bytes.get(marker_at) == Some(&0xFF) {
            marker_at += 1;
        }
        let marker = *bytes.get(marker_at)?;
        match marker {
            // Start of scan: entropy-coded data to the end, copied as is.
            0xDA => {
                out.extend_from_slice(&bytes[at..]);
                return Some(out);
            }
            0xD0..=0xD7 | 0x01 => {
                out.extend_from_slice(&bytes[at..=marker_at]);
                at = marker_at + 1;
            }
            0xD9 => {
                out.extend_from_slice(&bytes[at..=marker_at]);
                return Some(out);
            }
            _ => {
                let len =
                    u16::from_be_bytes([*bytes.get(marker_at + 1)?, *bytes.get(marker_at + 2)?])
                        as usize;
                let end = marker_at + 1 + len;
                if len < 2 || end > bytes.len() {
                    return None;
                }
                if !matches!(marker, 0xE1 | 0xED | 0xFE) {
                    out.extend_from_slice(&bytes[at..end]);
                }
                at = end;
            }
        }
    }
}

/// PNG: drops the eXIf, tEXt, zTXt, iTXt and tIME chunks.
pub fn png(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIGNATURE) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIGNATURE);
    let mut at = SIGNATURE.len();
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let end = at.checked_add(12)?.checked_add(len)?;
        if end > bytes.len() {
            return None;
        }
        if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME") {
            out.extend_from_slice(&bytes[at..end]);
        }
        if kind == b"IEND" {
            break;
        }
        at = end;
    }
    Some(out)
}

/// WebP: drops the EXIF and XMP chunks and clears their flags in the VP8X header.
pub fn webp(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..12]);
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let kind = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let end = (at + 8).checked_add(len + (len & 1))?.min(bytes.len());
        if at + 8 + len > bytes.len() {
            return None;
        }
        match kind {
            b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let start = out.len();
                out.extend_from_slice(&bytes[at..end]);
                // Flags byte: bit 3 EXIF, bit 2 XMP.
                if let Some(flags) = out.get_mut(start + 8) {
                    *flags &= !0b0000_1100;
                }
            }
            _ => out.extend_from_slice(&bytes[at..end]),
        }
        at = end;
    }
    let riff_len = u32::try_from(out.len() - 8).ok()?;
    out[4..8].copy_from_slice(&riff_len.to_le_bytes());
    Some(out)
}
