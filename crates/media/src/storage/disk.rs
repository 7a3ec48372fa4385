//! Storage on a local directory (the default: zero setup). Staged uploads are files under
//! `staging/`, appended to in place; finishing one renames it into `blobs/`, so a finished
//! upload is never copied.

use super::{Appended, ByteStream, Digested, HEAD_BYTES, Staged, Storage, blob_key, copy_body};
use crate::{MediaError, MediaResult};
use async_trait::async_trait;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use tokio::fs;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

pub struct Disk {
    root: PathBuf,
}

impl Disk {
    /// Storage under `root`, creating it if needed.
    pub async fn open(root: impl Into<PathBuf>) -> MediaResult<Disk> {
        let root = root.into();
        for sub in ["staging", "blobs"] {
            fs::create_dir_all(root.join(sub)).await?;
        }
        Ok(Disk { root })
    }

    /// Keys are made by tern (`blobs/<hex>`, `blobs/<hex>.thumb`), never by a client; anything
    /// else is refused rather than joined to a path.
    fn path(&self, key: &str) -> MediaResult<PathBuf> {
        let safe = key.split('/').all(|part| {
            !part.is_empty()
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
        });
        if !safe {
            return Err(MediaError::Unavailable(format!(
                "refused storage key {key:?}"
            )));
        }
        Ok(self.root.join(key))
    }

    fn staged(&self, upload: &str) -> MediaResult<PathBuf> {
        self.path(&format!("staging/{upload}"))
    }
}

#[async_trait]
impl Storage for Disk {
    async fn append(
        &self,
        upload: &str,
        offset: u64,
        body: ByteStream,
        max: u64,
    ) -> MediaResult<Appended> {
        let path = self.staged(upload)?;
        let mut file = fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .await?;
        // Whatever a cut request left beyond the recorded offset is overwritten.
        file.set_len(offset).await?;
        file.seek(SeekFrom::Start(offset)).await?;
        // From the first byte, the upload is hashed as it is written: if this body is all of
        // it (the usual case), finishing need not read it back.
        let (written, cut, whole) = copy_body(body, max, &mut file, offset == 0).await?;
        file.flush().await?;
        // The offset reported to the client must survive a crash.
        file.sync_data().await?;
        Ok(Appended {
            len: offset + written,
            cut,
            whole,
        })
    }

    async fn finish(&self, upload: &str, whole: Option<Digested>) -> MediaResult<Staged> {
        let from = self.staged(upload)?;
        let key = blob_key(upload);
        let to = self.path(&key)?;
        let (sha256, len, head) = match whole {
            Some(digest) => (digest.sha256, fs::metadata(&from).await?.len(), digest.head),
            None => hash_file(&from).await?,
        };
        fs::rename(&from, &to).await?;
        if let Some(dir) = to.parent() {
            // The rename itself survives a crash once its directory is synced.
            if let Ok(dir) = fs::File::open(dir).await {
                dir.sync_all().await.ok();
            }
        }
        Ok(Staged {
            key,
            sha256,
            len,
            head,
        })
    }

    async fn discard(&self, upload: &str) -> MediaResult<()> {
        remove(&self.staged(upload)?).await
    }

    async fn put(&self, key: &str, bytes: Vec<u8>) -> MediaResult<()> {
        let path = self.path(key)?;
        // Written aside and renamed, so a reader never sees half a file.
        let part = path.with_extension("part");
        let mut file = fs::File::create(&part).await?;
        file.write_all(&bytes).await?;
        file.sync_data().await?;
        fs::rename(&part, &path).await?;
        Ok(())
    }

    async fn get(&self, key: &str, range: Option<(u64, u64)>) -> MediaResult<ByteStream> {
        let mut file = fs::File::open(self.path(key)?).await?;
        let len = file.metadata().await?.len();
        let (start, end) = range.unwrap_or((0, len));
        file.seek(SeekFrom::Start(start)).await?;
        let reader = file.take(end.saturating_sub(start));
        Ok(tokio_util_stream(reader))
    }

    async fn read(&self, key: &str, max: u64) -> MediaResult<Option<Vec<u8>>> {
        let path = self.path(key)?;
        if fs::metadata(&path).await?.len() > max {
            return Ok(None);
        }
        Ok(Some(fs::read(&path).await?))
    }

    async fn delete(&self, key: &str) -> MediaResult<()> {
        remove(&self.path(key)?).await
    }

    async fn check(&self) -> MediaResult<()> {
        let probe = self.root.join("staging/.probe");
        fs::write(&probe, b"ok").await?;
        fs::remove_file(&probe).await?;
        Ok(())
    }
}

async fn remove(path: &Path) -> MediaResult<()> {
    match fs::remove_file(path).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// SHA-256, length and first bytes of a file, read once.
async fn hash_file(path: &Path) -> MediaResult<(String, u64, Vec<u8>)> {
    let mut file = fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut head = Vec::new();
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        if head.len() < HEAD_BYTES {
            let take = n.min(HEAD_BYTES - head.len());
            head.extend_from_slice(&buf[..take]);
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((hex(&hasher.finalize()), len, head))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A reader as a stream of chunks of at most 1 MiB (fewer trips to the blocking pool).
fn tokio_util_stream(reader: impl tokio::io::AsyncRead + Send + Unpin + 'static) -> ByteStream {
    futures_util::stream::unfold(reader, |mut reader| async move {
        let mut buf = bytes::BytesMut::with_capacity(1 << 20);
        match reader.read_buf(&mut buf).await {
            Ok(0) => None,
            Ok(_) => Some((Ok(buf.freeze()), reader)),
            Err(e) => Some((Err(e), reader)),
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn body(parts: Vec<std::io::Result<&'static [u8]>>) -> ByteStream {
        futures_util::stream::iter(parts.into_iter().map(|p| p.map(Bytes::from_static))).boxed()
    }

    async fn all(stream: ByteStream) -> Vec<u8> {
        let chunks: Vec<_> = stream.collect().await;
        chunks
            .into_iter()
            .flat_map(|c| c.unwrap().to_vec())
            .collect()
    }

    #[tokio::test]
    async fn a_cut_upload_keeps_what_arrived_and_continues_from_there() {
        let dir = tempfile::tempdir().unwrap();
        let disk = Disk::open(dir.path()).await.unwrap();
        let cut = body(vec![
            Ok(b"hello "),
            Err(std::io::Error::other("connection reset")),
        ]);
        let first = disk.append("u1", 0, cut, 11).await.unwrap();
        assert_eq!(first.len, 6);
        assert!(first.cut.is_some());
        let rest = disk
            .append("u1", 6, body(vec![Ok(b"world")]), 5)
            .await
            .unwrap();
        assert_eq!((rest.len, rest.cut.is_none()), (11, true));
        let staged = disk.finish("u1", None).await.unwrap();
        assert_eq!(staged.len, 11);
        assert_eq!(staged.head, b"hello world");
        // sha256("hello world")
        assert_eq!(
            staged.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(
            all(disk.get(&staged.key, None).await.unwrap()).await,
            b"hello world"
        );
        assert_eq!(
            all(disk.get(&staged.key, Some((6, 9))).await.unwrap()).await,
            b"wor"
        );
    }

    #[tokio::test]
    async fn a_whole_upload_in_one_body_is_hashed_as_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let disk = Disk::open(dir.path()).await.unwrap();
        let appended = disk
            .append("u3", 0, body(vec![Ok(b"hello "), Ok(b"world")]), 11)
            .await
            .unwrap();
        let whole = appended.whole.expect("all of it in one body");
        let staged = disk.finish("u3", Some(whole)).await.unwrap();
        assert_eq!(
            staged.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(
            (staged.len, staged.head.as_slice()),
            (11, &b"hello world"[..])
        );
        // Not from the first byte, or not to the last: no digest (finishing reads it back).
        let part = disk
            .append("u4", 0, body(vec![Ok(b"hel")]), 11)
            .await
            .unwrap();
        assert!(part.whole.is_none());
        let rest = disk
            .append("u4", 3, body(vec![Ok(b"lo world")]), 8)
            .await
            .unwrap();
        assert!(rest.whole.is_none());
    }

    #[tokio::test]
    async fn a_body_longer_than_the_upload_is_cut_at_its_length() {
        let dir = tempfile::tempdir().unwrap();
        let disk = Disk::open(dir.path()).await.unwrap();
        let appended = disk
            .append("u2", 0, body(vec![Ok(b"abcdef")]), 4)
            .await
            .unwrap();
        assert_eq!(appended.len, 4);
        assert!(appended.cut.is_some());
        // A resend of a chunk that had reached the disk but not the database overwrites it.
        let again = disk
            .append("u2", 2, body(vec![Ok(b"XY")]), 2)
            .await
            .unwrap();
        assert_eq!(again.len, 4);
        let staged = disk.finish("u2", None).await.unwrap();
        assert_eq!(staged.head, b"abXY");
    }

    #[tokio::test]
    async fn keys_from_outside_never_become_paths() {
        let dir = tempfile::tempdir().unwrap();
        let disk = Disk::open(dir.path()).await.unwrap();
        for key in [
            "../etc/passwd",
            "blobs/../../x",
            "/etc/passwd",
            "blobs//x",
            "",
        ] {
            assert!(disk.get(key, None).await.is_err(), "{key}");
        }
        assert!(matches!(
            disk.get("blobs/missing", None).await,
            Err(MediaError::NotFound)
        ));
        disk.delete("blobs/missing").await.unwrap();
        disk.check().await.unwrap();
    }
}
