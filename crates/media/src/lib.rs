//! tern's media: where uploaded bytes are kept (`storage`: local disk, or S3 for a cluster),
//! what they are (`sniff`: the type read from the bytes, never from the name), and pictures made
//! safe to show (`picture`: EXIF orientation applied, metadata such as GPS removed, thumbnails,
//! decode limits against decompression bombs).
//!
//! Nothing here knows about users or conversations; the server's `files` feature does.

pub mod picture;
pub mod sniff;
pub mod storage;

pub use picture::{Picture, PictureLimits, Variant};
pub use sniff::{Sniffed, sniff};
pub use storage::{Appended, ByteStream, Digested, Disk, S3, S3Settings, Staged, Storage};

/// What can go wrong below the server: storage that cannot be reached or written, and bytes
/// that are not what they claim to be.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The store cannot be reached or refused the operation; retrying later may work.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The key names nothing (never written, or deleted).
    #[error("not found")]
    NotFound,
    /// A picture that cannot be decoded, or one beyond the decode limits.
    #[error("{0}")]
    Picture(String),
}

pub type MediaResult<T> = Result<T, MediaError>;

impl From<std::io::Error> for MediaError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::NotFound {
            MediaError::NotFound
        } else {
            MediaError::Unavailable(e.to_string())
        }
    }
}
