//! Pictures from fixtures/media (made by scripts/make-media-fixtures.sh with ImageMagick,
//! exiftool and ffmpeg).

use super::*;

const LIMITS: PictureLimits = PictureLimits {
    max_pixels: 50_000_000,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/media/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decodes what tern serves for a picture, ignoring any orientation tag (there must be none).
fn served(bytes: &[u8], picture: &Picture) -> DynamicImage {
    let shown = picture.cleaned.as_deref().unwrap_or(bytes);
    image::load_from_memory(shown).expect("what tern serves decodes")
}

fn is_red(image: &DynamicImage, x: u32, y: u32) -> bool {
    let p = image.to_rgb8().get_pixel(x, y).0;
    p[0] > 200 && p[1] < 60 && p[2] < 60
}

#[test]
fn every_exif_orientation_is_turned_upright_and_gps_is_gone() {
    for n in 1..=8 {
        let bytes = fixture(&format!("o{n}.jpg"));
        assert!(
            contains(&bytes, b"Exif") && contains(&bytes, b"TernPhone"),
            "o{n}.jpg has EXIF"
        );
        let picture = process(&bytes, "image/jpeg", LIMITS).unwrap();
        assert_eq!(
            (picture.width, picture.height),
            (40, 60),
            "o{n}.jpg as shown"
        );
        let clean = picture.cleaned.as_deref().expect("metadata removed");
        assert!(
            !contains(clean, b"Exif") && !contains(clean, b"TernPhone"),
            "o{n}.jpg: no EXIF left"
        );
        let image = served(&bytes, &picture);
        assert_eq!(
            (image.width(), image.height()),
            (40, 60),
            "o{n}.jpg served upright"
        );
        assert!(
            is_red(&image, 3, 3),
            "o{n}.jpg: the red block is at the top left"
        );
        assert!(
            !is_red(&image, 36, 56),
            "o{n}.jpg: and not at the bottom right"
        );
        let made: Vec<Variant> = picture.renditions.iter().map(|r| r.variant).collect();
        assert_eq!(
            made,
            [Variant::Square],
            "a small picture has only its square"
        );
    }
}

#[test]
fn an_upright_jpeg_loses_its_metadata_without_being_re_encoded() {
    let bytes = fixture("o1.jpg");
    let picture = process(&bytes, "image/jpeg", LIMITS).unwrap();
    let clean = picture.cleaned.unwrap();
    // The same compressed pixels: only the EXIF segment went.
    assert!(clean.len() < bytes.len());
    assert!(bytes.ends_with(&clean[clean.len() - 200..]));
}

#[test]
fn a_large_picture_gets_thumbnails_and_a_colour() {
    let bytes = fixture("large.jpg");
    let picture = process(&bytes, "image/jpeg", LIMITS).unwrap();
    assert_eq!((picture.width, picture.height), (2000, 1500));
    let sizes: Vec<(Variant, u32, u32)> = picture
        .renditions
        .iter()
        .map(|r| {
            let image = image::load_from_memory(&r.bytes).unwrap();
            (r.variant, image.width(), image.height())
        })
        .collect();
    assert_eq!(
        sizes,
        vec![
            (Variant::Thumb, 320, 240),
            (Variant::Preview, 1280, 960),
            (Variant::Square, 256, 256)
        ]
    );
    assert!(picture.renditions.iter().all(|r| r.mime == "image/jpeg"));
    assert!(picture.color.starts_with('#') && picture.color.len() == 7);
    assert_ne!(picture.color, "#000000");
}

#[test]
fn transparency_is_kept_and_png_text_chunks_removed() {
    let bytes = fixture("transparent.png");
    assert!(contains(&bytes, b"eXIf"));
    let picture = process(&bytes, "image/png", LIMITS).unwrap();
    let clean = picture.cleaned.as_deref().expect("eXIf removed");
    assert!(!contains(clean, b"eXIf"));
    let image = image::load_from_memory(clean).unwrap();
    assert_eq!(
        image.to_rgba8().get_pixel(0, 0).0[3],
        0,
        "the corner stays transparent"
    );
}

#[test]
fn an_animated_gif_stays_animated_and_as_uploaded() {
    let bytes = fixture("animated.gif");
    let picture = process(&bytes, "image/gif", LIMITS).unwrap();
    assert!(picture.animated);
    assert!(picture.cleaned.is_none(), "served as uploaded, every frame");
    let webp = process(&fixture("still.webp"), "image/webp", LIMITS).unwrap();
    assert!(!webp.animated);
    assert_eq!((webp.width, webp.height), (48, 32));
}

#[test]
fn a_decompression_bomb_is_refused_before_it_is_decoded() {
    let bytes = fixture("bomb.png");
    assert!(bytes.len() < 100_000);
    let err = process(&bytes, "image/png", LIMITS).unwrap_err();
    assert!(err.to_string().contains("20000×20000"), "{err}");
}

#[test]
fn bytes_that_are_not_the_picture_they_claim_are_refused() {
    let err = process(&fixture("html-named.png"), "image/png", LIMITS).unwrap_err();
    assert!(err.to_string().contains("cannot be decoded"), "{err}");
    assert!(process(b"", "image/jpeg", LIMITS).is_err());
    assert!(
        process(&fixture("o1.jpg")[..300], "image/jpeg", LIMITS).is_err(),
        "a cut JPEG"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
