//! Where uploaded bytes live. An upload is first *staged* (appended to, chunk by chunk, as a
//! resumable upload arrives: any node may take the next chunk), then *finished* into a blob
//! under a key of its own; thumbnails and other derived files are *put* whole. Reads may ask
//! for a byte range. Two implementations: `Disk` (the default, under the data directory) and
//! S3 (for clusters).

mod disk;
mod s3;

pub use disk::Disk;
pub use s3::{S3, S3Settings};

use crate::MediaResult;
use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Bytes as they arrive from a request or leave for a response.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// How an append went: the upload's length now, and the error that cut the body short, if one
/// did (what arrived before it is kept, so the client continues from `len`).
#[derive(Debug)]
pub struct Appended {
    pub len: u64,
    pub cut: Option<std::io::Error>,
    /// The whole upload's digest, when this one body was all of it (hashed as it was written,
    /// so finishing need not read it again).
    pub whole: Option<Digested>,
}

/// SHA-256 (hex) and first bytes of an upload, taken as it streamed in.
#[derive(Clone, Debug)]
pub struct Digested {
    pub sha256: String,
    pub head: Vec<u8>,
}

/// A finished upload: its blob key, SHA-256 (hex) and first bytes (to sniff its type).
#[derive(Clone, Debug)]
pub struct Staged {
    pub key: String,
    pub sha256: String,
    pub len: u64,
    pub head: Vec<u8>,
}

/// How many leading bytes `Staged::head` holds: enough for every signature `sniff` knows.
pub const HEAD_BYTES: usize = 8192;

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Appends `body` to the staged upload `upload`, which holds exactly `offset` bytes, taking
    /// at most `max` bytes of it (a body that goes on is cut there, with an error).
    async fn append(
        &self,
        upload: &str,
        offset: u64,
        body: ByteStream,
        max: u64,
    ) -> MediaResult<Appended>;
    /// Turns the staged upload into a blob (its key is derived from the upload's id), durably.
    /// `whole` is the digest an append took of all of it, if one did.
    async fn finish(&self, upload: &str, whole: Option<Digested>) -> MediaResult<Staged>;
    /// Forgets a staged upload (cancelled or expired).
    async fn discard(&self, upload: &str) -> MediaResult<()>;
    /// Stores `bytes` under `key`, replacing what was there.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> MediaResult<()>;
    /// The bytes of `key` in `range` (start, end exclusive; the whole blob if `None`).
    async fn get(&self, key: &str, range: Option<(u64, u64)>) -> MediaResult<ByteStream>;
    /// The whole blob, if it is at most `max` bytes (else `None`): for pictures to decode.
    async fn read(&self, key: &str, max: u64) -> MediaResult<Option<Vec<u8>>>;
    /// Removes `key`; removing what is not there is not an error.
    async fn delete(&self, key: &str) -> MediaResult<()>;
    /// Answers when the store can be written to (for readiness).
    async fn check(&self) -> MediaResult<()>;
}

/// The key a finished upload's blob is stored under.
pub fn blob_key(upload: &str) -> String {
    format!("blobs/{upload}")
}

/// The key of one derived variant (a thumbnail) of a blob.
pub fn variant_key(blob: &str, variant: &str) -> String {
    format!("{blob}.{variant}")
}

/// Copies `body` into `writer`, at most `max` bytes: how many were written, the error that cut
/// the body short (or the note that it went on past `max`), and, when `digest` is asked for
/// and the body was all `max` bytes, its digest. A write error is returned as such: storage
/// failed, not the client.
pub(crate) async fn copy_body(
    mut body: ByteStream,
    max: u64,
    writer: &mut (impl AsyncWrite + Unpin),
    digest: bool,
) -> std::io::Result<(u64, Option<std::io::Error>, Option<Digested>)> {
    let mut written = 0u64;
    let mut hasher = digest.then(Sha256::new);
    let mut head = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => return Ok((written, Some(e), None)),
        };
        let take = chunk.len().min((max - written) as usize);
        writer.write_all(&chunk[..take]).await?;
        if let Some(hasher) = hasher.as_mut() {
            hasher.update(&chunk[..take]);
            if head.len() < HEAD_BYTES {
                let more = take.min(HEAD_BYTES - head.len());
                head.extend_from_slice(&chunk[..more]);
            }
        }
        written += take as u64;
        if take < chunk.len() {
            let long = std::io::Error::other("the body is longer than the upload");
            return Ok((written, Some(long), None));
        }
    }
    let whole = match hasher {
        Some(hasher) if written == max => Some(Digested {
            sha256: disk::hex(&hasher.finalize()),
            head,
        }),
        _ => None,
    };
    Ok((written, None, whole))
}
