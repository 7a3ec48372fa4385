//! The files service: resumable uploads (created, appended to chunk by chunk, finished into a
//! file), what a user may read, and the quota. Finishing hashes the bytes (identical content is
//! stored once), sniffs the type from them, and makes pictures safe to show.

use super::links::Links;
use crate::config::Files as FilesConfig;
use crate::error::{AppError, AppResult};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tern_media::picture::{self, PictureLimits};
use tern_media::storage::{ByteStream, variant_key};
use tern_media::{MediaError, Storage, sniff};
use tern_proto::rest::{PictureDetails, UploadStatus, UploadedFile};
use tern_proto::{ErrorCode, FileId, UserId};
use tern_store::{BlobRecord, FileRecord, PictureInfo, Store, UploadRecord, now_ms};
use tokio::sync::Semaphore;

/// Longest file name kept, in characters.
const NAME_MAX: usize = 200;

/// Pictures larger than this many bytes are kept as plain files (decoding needs them whole).
const PICTURE_BYTES_MAX: u64 = 64 << 20;

#[derive(Clone)]
pub struct Files {
    store: Arc<dyn Store>,
    storage: Arc<dyn Storage>,
    config: FilesConfig,
    pub(super) links: Links,
    /// Pictures decoded at once: each may need hundreds of MB.
    decoding: Arc<Semaphore>,
    /// Uploads a request is writing to on this node: a second request for one is refused rather
    /// than interleaved with the first.
    busy: Arc<Mutex<HashSet<String>>>,
}

/// What an append did: where the upload stands, and its file if that finished it.
pub struct AppendOutcome {
    pub offset: u64,
    pub file: Option<UploadedFile>,
}

impl Files {
    pub fn new(
        store: Arc<dyn Store>,
        storage: Arc<dyn Storage>,
        config: FilesConfig,
        links: Links,
    ) -> Files {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Files {
            store,
            storage,
            config,
            links,
            decoding: Arc::new(Semaphore::new(cores)),
            busy: Arc::default(),
        }
    }

    pub fn config(&self) -> &FilesConfig {
        &self.config
    }

    /// Answers when file storage can be written (for readiness).
    pub async fn check(&self) -> Result<(), MediaError> {
        self.storage.check().await
    }

    pub(super) fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    pub(super) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Starts a resumable upload of `length` bytes named `name`, within the size limit and the
    /// owner's quota. Returns its id.
    pub async fn create_upload(&self, owner: UserId, length: u64, name: &str) -> AppResult<String> {
        let max = self.config.max_file_bytes;
        if length > max {
            return Err(AppError::client(
                ErrorCode::FileTooLarge,
                format!("files are limited to {max} bytes"),
            ));
        }
        let quota = self.config.quota_bytes;
        if quota > 0 {
            let used = self.store.storage_used(owner).await?;
            if used.saturating_add(length) > quota {
                return Err(AppError::client(
                    ErrorCode::QuotaExceeded,
                    format!("this would take you past your quota of {quota} bytes ({used} used)"),
                ));
            }
        }
        let id = random_id();
        self.store
            .create_upload(UploadRecord {
                id: id.clone(),
                owner,
                length,
                received: 0,
                name: clean_name(name),
                created_at: now_ms(),
                file: None,
            })
            .await?;
        Ok(id)
    }

    /// `owner`'s upload `id` (another user's is as good as missing).
    pub async fn upload(&self, owner: UserId, id: &str) -> AppResult<UploadRecord> {
        match self.store.upload(id.to_string()).await? {
            Some(upload) if upload.owner == owner => Ok(upload),
            _ => Err(AppError::client(ErrorCode::NotFound, "no such upload")),
        }
    }

    /// Where an upload stands, with its file once finished.
    pub async fn status(&self, owner: UserId, id: &str) -> AppResult<UploadStatus> {
        let upload = self.upload(owner, id).await?;
        let file = match &upload.file {
            Some(file) => self.store.file(file.clone()).await?.map(|f| details(&f)),
            None => None,
        };
        Ok(UploadStatus {
            offset: upload.received,
            length: upload.length,
            file,
        })
    }

    /// Appends `body` to `owner`'s upload `id` at `offset` (where it must stand); finishes it
    /// when it is complete. What arrived before a cut body is kept.
    pub async fn append(
        &self,
        owner: UserId,
        id: &str,
        offset: u64,
        body: ByteStream,
    ) -> AppResult<AppendOutcome> {
        let upload = self.upload(owner, id).await?;
        if upload.file.is_some() || offset != upload.received {
            return Err(offset_mismatch(upload.received));
        }
        let _busy = Busy::take(&self.busy, id).ok_or_else(|| {
            AppError::client(
                ErrorCode::OffsetMismatch,
                "another request is writing to this upload; ask where it stands",
            )
        })?;
        let appended = self
            .storage
            .append(id, offset, body, upload.length - offset)
            .await
            .map_err(storage_error)?;
        if !self
            .store
            .upload_received(id.to_string(), offset, appended.len)
            .await?
        {
            return Err(offset_mismatch(upload.received));
        }
        if let Some(cut) = appended.cut {
            tracing::debug!(upload = id, at = appended.len, error = %cut, "upload body cut short");
        }
        let file = if appended.len == upload.length {
            Some(self.finish(&upload, appended.whole).await?)
        } else {
            None
        };
        Ok(AppendOutcome {
            offset: appended.len,
            file,
        })
    }

    /// Cancels `owner`'s upload in progress.
    pub async fn cancel(&self, owner: UserId, id: &str) -> AppResult<()> {
        let upload = self.upload(owner, id).await?;
        if upload.file.is_none() {
            self.storage.discard(id).await.map_err(storage_error)?;
        }
        self.store.delete_upload(id.to_string()).await?;
        Ok(())
    }

    /// A whole upload: into its blob, stored once per content, a picture made safe to show.
    async fn finish(
        &self,
        upload: &UploadRecord,
        whole: Option<tern_media::Digested>,
    ) -> AppResult<UploadedFile> {
        let staged = self
            .storage
            .finish(&upload.id, whole)
            .await
            .map_err(storage_error)?;
        let blob = match self.store.blob_by_sha(staged.sha256.clone()).await? {
            // The same bytes were uploaded before: nothing to learn from them again.
            Some(existing) => existing,
            None => self.describe(&staged.key, &upload.id, &staged).await?,
        };
        let (file, _) = self
            .store
            .finish_upload(
                upload.id.clone(),
                blob.clone(),
                FileId(random_id()),
                upload.owner,
                upload.name.clone(),
            )
            .await?;
        // Another blob holds the same content (found before, or stored meanwhile): ours goes.
        if file.blob.id != upload.id {
            self.delete_blob_bytes(&staged.key, &blob).await;
        }
        Ok(details(&file))
    }

    /// Learns what a new blob is: its type from its bytes and, for a picture, its size and
    /// renditions (stored beside it), its metadata removed from what is served.
    async fn describe(
        &self,
        key: &str,
        id: &str,
        staged: &tern_media::Staged,
    ) -> AppResult<BlobRecord> {
        let sniffed = sniff(&staged.head);
        let mut blob = BlobRecord {
            id: id.to_string(),
            sha256: staged.sha256.clone(),
            size: staged.len,
            mime: sniffed.mime.clone(),
            picture: None,
            variants: Vec::new(),
            created_at: now_ms(),
        };
        if !sniffed.picture || staged.len > PICTURE_BYTES_MAX {
            return Ok(blob);
        }
        let Some(bytes) = self
            .storage
            .read(key, PICTURE_BYTES_MAX)
            .await
            .map_err(storage_error)?
        else {
            return Ok(blob);
        };
        let limits = PictureLimits {
            max_pixels: self.config.max_image_pixels,
        };
        let mime = sniffed.mime.clone();
        let permit = self
            .decoding
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::Unavailable("shutting down".into()))?;
        let processed = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            picture::process(&bytes, &mime, limits)
        })
        .await
        .map_err(|e| AppError::Internal(format!("picture task failed: {e}")))?;
        let picture = match processed {
            Ok(picture) => picture,
            Err(MediaError::Picture(why)) => {
                // Kept as a plain file: downloadable, never shown inline as a picture.
                tracing::debug!(upload = id, %why, "not shown as a picture");
                blob.mime = "application/octet-stream".into();
                return Ok(blob);
            }
            Err(e) => return Err(storage_error(e)),
        };
        for rendition in &picture.renditions {
            let name = rendition.variant.name();
            self.storage
                .put(&variant_key(key, name), rendition.bytes.clone())
                .await
                .map_err(storage_error)?;
            blob.variants
                .push((name.to_string(), rendition.mime.to_string()));
        }
        if let Some(cleaned) = picture.cleaned {
            blob.size = cleaned.len() as u64;
            self.storage
                .put(key, cleaned)
                .await
                .map_err(storage_error)?;
        }
        blob.picture = Some(PictureInfo {
            width: picture.width,
            height: picture.height,
            color: Some(picture.color),
            animated: picture.animated,
        });
        Ok(blob)
    }

    /// Removes a blob's bytes and renditions (best effort: a sweep finds what is left).
    pub(super) async fn delete_blob_bytes(&self, key: &str, blob: &BlobRecord) {
        for (variant, _) in &blob.variants {
            if let Err(e) = self.storage.delete(&variant_key(key, variant)).await {
                tracing::warn!(key, variant, error = %e, "cannot delete a rendition");
            }
        }
        if let Err(e) = self.storage.delete(key).await {
            tracing::warn!(key, error = %e, "cannot delete a blob");
        }
    }

    /// The file `id` if `user` may read it.
    pub async fn readable(&self, user: UserId, id: &str) -> AppResult<FileRecord> {
        if !FileId::is_valid(id) {
            return Err(AppError::bad_request("a file id is 32 hexadecimal digits"));
        }
        self.store
            .readable_file(user, FileId(id.to_string()))
            .await?
            .ok_or_else(|| {
                AppError::client(ErrorCode::NotFound, "no such file (or not yours to read)")
            })
    }
}

/// What a client is told of a file.
pub fn details(file: &FileRecord) -> UploadedFile {
    UploadedFile {
        id: file.id.clone(),
        name: file.name.clone(),
        size: file.blob.size,
        mime: file.blob.mime.clone(),
        picture: file.blob.picture.as_ref().map(|p| PictureDetails {
            width: p.width,
            height: p.height,
            color: p.color.clone(),
            animated: p.animated,
        }),
        variants: file
            .blob
            .variants
            .iter()
            .map(|(name, _)| name.clone())
            .collect(),
    }
}

fn offset_mismatch(received: u64) -> AppError {
    AppError::client(
        ErrorCode::OffsetMismatch,
        format!("the upload stands at {received} bytes; continue from there"),
    )
}

pub(super) fn storage_error(e: MediaError) -> AppError {
    match e {
        MediaError::NotFound => {
            AppError::client(ErrorCode::FileGone, "the file is no longer available")
        }
        MediaError::Unavailable(detail) => AppError::Unavailable(format!("file storage: {detail}")),
        MediaError::Picture(detail) => AppError::Internal(detail),
    }
}

/// A random id: 128 bits as 32 hex digits (file and upload ids cannot be guessed).
fn random_id() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file name as given, without any path (`../../etc/passwd` is `passwd`), control
/// characters or surrounding blanks, at most `NAME_MAX` characters; "file" if nothing is left.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_MAX)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "file".to_string()
    } else {
        cleaned.to_string()
    }
}

/// Marks an upload as being written on this node until dropped.
struct Busy {
    set: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl Busy {
    fn take(set: &Arc<Mutex<HashSet<String>>>, id: &str) -> Option<Busy> {
        let mut busy = set.lock().unwrap_or_else(|p| p.into_inner());
        busy.insert(id.to_string()).then(|| Busy {
            set: set.clone(),
            id: id.to_string(),
        })
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn names_lose_their_path_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\照片.jpg"), "照片.jpg");
        assert_eq!(clean_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(clean_name("  ..  "), "file");
        assert_eq!(clean_name(".bashrc"), "bashrc");
        assert_eq!(clean_name(""), "file");
        assert_eq!(clean_name(&"x".repeat(500)).chars().count(), 200);
    }
}
