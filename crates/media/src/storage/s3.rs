//! Storage on any S3-compatible object store (AWS S3, MinIO, Ceph, OpenStack Swift's S3 layer),
//! shared by every node of a cluster. S3 has no append, so each chunk of a resumable upload is
//! an object of its own (`staging/<upload>/<offset>`, written as it streams in, kept up to a
//! cut); finishing streams the chunks in order into the blob, hashing as it goes, then deletes
//! them. Any node can take any chunk: the upload's state is in the database.

use super::{Appended, ByteStream, Digested, HEAD_BYTES, Staged, Storage, blob_key, copy_body};
use crate::{MediaError, MediaResult};
use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload,
    RetryConfig,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Where and how to reach the store.
#[derive(Clone, Debug)]
pub struct S3Settings {
    /// `http(s)://host:port` (path-style requests, so any S3-compatible server works).
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Keys start with this (several deployments may share a bucket); "" for none.
    pub prefix: String,
}

pub struct S3 {
    store: Arc<dyn ObjectStore>,
}

impl S3 {
    pub fn open(settings: &S3Settings) -> MediaResult<S3> {
        // rustls needs one process-wide crypto provider (reqwest's TLS, for https:// endpoints);
        // a second install does nothing.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientOptions::new()
            .with_allow_http(settings.endpoint.starts_with("http://"))
            .with_connect_timeout(Duration::from_secs(3));
        let store = AmazonS3Builder::new()
            .with_endpoint(&settings.endpoint)
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key)
            .with_secret_access_key(&settings.secret_key)
            .with_virtual_hosted_style_request(false)
            // An unreachable store must turn into `unavailable` within seconds, not minutes:
            // the client retries, not tern.
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(10),
            })
            // Replaces every client option, so it carries allow_http itself.
            .with_client_options(client)
            .build()
            .map_err(unavailable)?;
        let store: Arc<dyn ObjectStore> = match settings.prefix.trim_matches('/') {
            "" => Arc::new(store),
            prefix => Arc::new(PrefixStore::new(store, prefix)),
        };
        Ok(S3 { store })
    }

    fn chunk(upload: &str, offset: u64) -> Path {
        // Zero-padded, so listing order is offset order.
        Path::from(format!("staging/{upload}/{offset:020}"))
    }

    /// The chunks of an upload, in order, each with its offset and size.
    async fn chunks(&self, upload: &str) -> MediaResult<Vec<(u64, u64, Path)>> {
        let prefix = Path::from(format!("staging/{upload}"));
        let mut found: Vec<(u64, u64, Path)> = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| {
                let offset = meta
                    .location
                    .filename()
                    .and_then(|name| name.parse::<u64>().ok())
                    .unwrap_or(u64::MAX);
                (offset, meta.size, meta.location)
            })
            .try_collect()
            .await
            .map_err(unavailable)?;
        found.sort_by_key(|(offset, _, _)| *offset);
        Ok(found)
    }
}

#[async_trait]
impl Storage for S3 {
    async fn append(
        &self,
        upload: &str,
        offset: u64,
        body: ByteStream,
        max: u64,
    ) -> MediaResult<Appended> {
        let mut writer = BufWriter::new(self.store.clone(), S3::chunk(upload, offset));
        let (written, cut, _) = match copy_body(body, max, &mut writer, false).await {
            Ok(copied) => copied,
            Err(e) => {
                writer.abort().await.ok();
                return Err(MediaError::Unavailable(e.to_string()));
            }
        };
        if written == 0 {
            // Nothing arrived: no empty object, the upload simply stays where it was.
            writer.abort().await.ok();
        } else if let Err(e) = writer.shutdown().await {
            return Err(MediaError::Unavailable(e.to_string()));
        }
        Ok(Appended {
            len: offset + written,
            cut,
            whole: None,
        })
    }

    async fn finish(&self, upload: &str, _whole: Option<Digested>) -> MediaResult<Staged> {
        // The chunks are read back to compose the blob anyway: hashed on the way.
        let key = blob_key(upload);
        let mut writer = BufWriter::new(self.store.clone(), Path::from(key.as_str()));
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut len = 0u64;
        let chunks = self.chunks(upload).await?;
        for (offset, _, path) in &chunks {
            // A chunk the upload went past (a resend after a crash overwrote a longer one at
            // an earlier offset) is left out.
            if *offset != len {
                continue;
            }
            let mut stream = self
                .store
                .get(path)
                .await
                .map_err(unavailable)?
                .into_stream();
            while let Some(bytes) = stream.next().await {
                let bytes = bytes.map_err(unavailable)?;
                if head.len() < HEAD_BYTES {
                    let take = bytes.len().min(HEAD_BYTES - head.len());
                    head.extend_from_slice(&bytes[..take]);
                }
                hasher.update(&bytes);
                len += bytes.len() as u64;
                if let Err(e) = writer.write_all(&bytes).await {
                    writer.abort().await.ok();
                    return Err(MediaError::Unavailable(e.to_string()));
                }
            }
        }
        if len == 0 {
            // A zero-byte file: no chunk was ever written.
            writer.abort().await.ok();
            self.store
                .put(&Path::from(key.as_str()), PutPayload::new())
                .await
                .map_err(unavailable)?;
        } else {
            writer
                .shutdown()
                .await
                .map_err(|e| MediaError::Unavailable(e.to_string()))?;
        }
        for (_, _, path) in chunks {
            self.store.delete(&path).await.ok();
        }
        Ok(Staged {
            key,
            sha256: super::disk::hex(&hasher.finalize()),
            len,
            head,
        })
    }

    async fn discard(&self, upload: &str) -> MediaResult<()> {
        for (_, _, path) in self.chunks(upload).await? {
            self.store.delete(&path).await.map_err(unavailable)?;
        }
        Ok(())
    }

    async fn put(&self, key: &str, bytes: Vec<u8>) -> MediaResult<()> {
        self.store
            .put(&Path::from(key), PutPayload::from(Bytes::from(bytes)))
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn get(&self, key: &str, range: Option<(u64, u64)>) -> MediaResult<ByteStream> {
        let options = GetOptions {
            range: range.map(|(start, end)| GetRange::Bounded(start..end)),
            ..GetOptions::default()
        };
        let result = self
            .store
            .get_opts(&Path::from(key), options)
            .await
            .map_err(not_found_or_unavailable)?;
        Ok(result.into_stream().map_err(std::io::Error::other).boxed())
    }

    async fn read(&self, key: &str, max: u64) -> MediaResult<Option<Vec<u8>>> {
        let path = Path::from(key);
        let meta = self
            .store
            .head(&path)
            .await
            .map_err(not_found_or_unavailable)?;
        if meta.size > max {
            return Ok(None);
        }
        let bytes = self
            .store
            .get(&path)
            .await
            .map_err(not_found_or_unavailable)?
            .bytes()
            .await
            .map_err(unavailable)?;
        Ok(Some(bytes.to_vec()))
    }

    async fn delete(&self, key: &str) -> MediaResult<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn check(&self) -> MediaResult<()> {
        let probe = Path::from("readiness-probe");
        self.store
            .put(&probe, PutPayload::from_static(b"ok"))
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

fn unavailable(e: object_store::Error) -> MediaError {
    MediaError::Unavailable(e.to_string())
}

fn not_found_or_unavailable(e: object_store::Error) -> MediaError {
    match e {
        object_store::Error::NotFound { .. } => MediaError::NotFound,
        other => unavailable(other),
    }
}
