//! Files: resumable uploads in progress, the blobs that hold uploaded bytes once per content,
//! the files users uploaded (one blob under a name), and which messages show them, which decides
//! who may download them. The bytes themselves live in `tern-media`'s storage.

use crate::backend::Backend;
use crate::rows::Columns;
use crate::sql::{Sql, args, stmt};
use crate::{StoreError, StoreResult};
use async_trait::async_trait;
use tern_proto::{FileId, UserId};

/// A resumable upload in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadRecord {
    pub id: String,
    pub owner: UserId,
    /// The size announced when it was created.
    pub length: u64,
    /// How many bytes have been stored so far.
    pub received: u64,
    pub name: String,
    pub created_at: i64,
    /// Set once finished: the file it became.
    pub file: Option<FileId>,
}

/// What tern learnt of a picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PictureInfo {
    pub width: u32,
    pub height: u32,
    pub color: Option<String>,
    pub animated: bool,
}

/// Bytes stored once per content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRecord {
    pub id: String,
    pub sha256: String,
    /// The size served (after metadata was removed from a picture).
    pub size: u64,
    pub mime: String,
    pub picture: Option<PictureInfo>,
    /// The smaller renditions stored beside it: (variant name, MIME type).
    pub variants: Vec<(String, String)>,
    pub created_at: i64,
}

/// One upload of a blob by one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    pub id: FileId,
    pub owner: UserId,
    pub name: String,
    pub created_at: i64,
    pub blob: BlobRecord,
}

#[async_trait]
pub trait FileStore: Send + Sync {
    async fn create_upload(&self, upload: UploadRecord) -> StoreResult<()>;
    async fn upload(&self, id: String) -> StoreResult<Option<UploadRecord>>;
    /// Moves an upload from `from` to `to` received bytes; false if it is no longer at `from`
    /// (another request moved it) or is gone.
    async fn upload_received(&self, id: String, from: u64, to: u64) -> StoreResult<bool>;
    /// Forgets an upload (cancelled, or swept); false if there was none.
    async fn delete_upload(&self, id: String) -> StoreResult<bool>;
    /// The blob holding the content with this SHA-256, if one does.
    async fn blob_by_sha(&self, sha256: String) -> StoreResult<Option<BlobRecord>>;
    /// Records a finished upload as `file` of `owner`: its blob is `blob`, or the blob that
    /// already holds the same content. The upload names the file from then on. Returns the file and whether
    /// `blob` itself was kept (if not, its stored bytes are the caller's to delete).
    async fn finish_upload(
        &self,
        upload: String,
        blob: BlobRecord,
        file: FileId,
        owner: UserId,
        name: String,
    ) -> StoreResult<(FileRecord, bool)>;
    async fn file(&self, id: FileId) -> StoreResult<Option<FileRecord>>;
    /// The file if `user` may read it: they uploaded it, they can see a message showing it, it
    /// is someone's profile picture, or the picture of a group they are in.
    async fn readable_file(&self, user: UserId, id: FileId) -> StoreResult<Option<FileRecord>>;
    /// Bytes counted against `user`'s quota: each distinct blob of their files once, and the
    /// announced size of their uploads in progress.
    async fn storage_used(&self, user: UserId) -> StoreResult<u64>;
    /// Uploads created before `before` (abandoned, or finished long ago), at most `limit`.
    async fn stale_uploads(&self, before: i64, limit: u32) -> StoreResult<Vec<String>>;
    /// Forgets files created before `before` that no message ever showed and that are no
    /// person's or group's picture; returns how many.
    async fn forget_unshown_files(&self, before: i64) -> StoreResult<u64>;
    /// Blobs created before `before` that no file names any more, at most `limit`.
    async fn orphan_blobs(&self, before: i64, limit: u32) -> StoreResult<Vec<BlobRecord>>;
    /// Forgets a blob if still no file names it; true if it was forgotten (then its stored
    /// bytes are the caller's to delete).
    async fn delete_blob(&self, id: String) -> StoreResult<bool>;
    /// The secret stored under `name`, storing `proposed` first if there is none: every node
    /// gets the same one.
    async fn shared_secret(&self, name: String, proposed: String) -> StoreResult<String>;
}

#[async_trait]
impl<B: Backend> FileStore for B {
    async fn create_upload(&self, upload: UploadRecord) -> StoreResult<()> {
        self.write_job(move |sql| {
            Box::pin(async move {
                sql.exec(
                    stmt!(
                        "INSERT INTO uploads (id, owner_id, length, received, name, created_at)
                         VALUES ($1, $2, $3, 0, $4, $5)"
                    ),
                    args![
                        upload.id.as_str(),
                        upload.owner.0,
                        upload.length as i64,
                        upload.name.as_str(),
                        upload.created_at
                    ],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    async fn upload(&self, id: String) -> StoreResult<Option<UploadRecord>> {
        self.read_job(move |sql| {
            Box::pin(async move {
                sql.one(
                    stmt!(
                        "SELECT id, owner_id, length, received, name, created_at, file_id
                         FROM uploads WHERE id = $1"
                    ),
                    args![id.as_str()],
                    upload_record,
                )
                .await
            })
        })
        .await
    }

    async fn upload_received(&self, id: String, from: u64, to: u64) -> StoreResult<bool> {
        self.write_job(move |sql| {
            Box::pin(async move {
                let changed = sql
                    .exec(
                        stmt!("UPDATE uploads SET received = $3 WHERE id = $1 AND received = $2"),
                        args![id.as_str(), from as i64, to as i64],
                    )
                    .await?;
                Ok(changed == 1)
            })
        })
        .await
    }

    async fn delete_upload(&self, id: String) -> StoreResult<bool> {
        self.write_job(move |sql| {
            Box::pin(async move {
                let changed = sql
                    .exec(
                        stmt!("DELETE FROM uploads WHERE id = $1"),
                        args![id.as_str()],
                    )
                    .await?;
                Ok(changed == 1)
            })
        })
        .await
    }

    async fn blob_by_sha(&self, sha256: String) -> StoreResult<Option<BlobRecord>> {
        self.read_job(move |sql| Box::pin(async move { blob_where_sha(sql, &sha256).await }))
            .await
    }

    async fn finish_upload(
        &self,
        upload: String,
        blob: BlobRecord,
        file: FileId,
        owner: UserId,
        name: String,
    ) -> StoreResult<(FileRecord, bool)> {
        self.write_job(move |sql| {
            Box::pin(async move {
                insert_blob(sql, &blob).await?;
                let kept = blob_where_sha(sql, &blob.sha256)
                    .await?
                    .ok_or_else(|| StoreError::Conflict("the blob was removed meanwhile".into()))?;
                let now = blob.created_at;
                // The blob must still exist: a sweep may have removed an orphan meanwhile
                // (it only takes old ones, so this is a retry in the rarest case).
                let inserted = sql
                    .exec(
                        stmt!(
                            "INSERT INTO files (id, owner_id, blob_id, name, created_at)
                             SELECT $1, $2, $3, $4, $5 WHERE EXISTS
                               (SELECT 1 FROM blobs WHERE id = $3)"
                        ),
                        args![
                            file.0.as_str(),
                            owner.0,
                            kept.id.as_str(),
                            name.as_str(),
                            now
                        ],
                    )
                    .await?;
                if inserted == 0 {
                    return Err(StoreError::Conflict(
                        "the blob was removed meanwhile".into(),
                    ));
                }
                sql.exec(
                    stmt!("UPDATE uploads SET file_id = $2 WHERE id = $1"),
                    args![upload.as_str(), file.0.as_str()],
                )
                .await?;
                let ours = kept.id == blob.id;
                let record = FileRecord {
                    id: file,
                    owner,
                    name,
                    created_at: now,
                    blob: kept,
                };
                Ok((record, ours))
            })
        })
        .await
    }

    async fn file(&self, id: FileId) -> StoreResult<Option<FileRecord>> {
        self.read_job(move |sql| {
            Box::pin(async move {
                sql.one(
                    stmt!(concat!(
                        file_columns!(),
                        " FROM files f JOIN blobs b ON b.id = f.blob_id WHERE f.id = $1"
                    )),
                    args![id.0.as_str()],
                    file_record,
                )
                .await
            })
        })
        .await
    }

    async fn readable_file(&self, user: UserId, id: FileId) -> StoreResult<Option<FileRecord>> {
        self.read_job(move |sql| {
            Box::pin(async move {
                sql.one(
                    stmt!(concat!(
                        file_columns!(),
                        " FROM files f JOIN blobs b ON b.id = f.blob_id
                         WHERE f.id = $1 AND (f.owner_id = $2
                           OR EXISTS (SELECT 1 FROM users u WHERE u.avatar = f.id)
                           OR EXISTS (
                           SELECT 1 FROM conversations c JOIN members m
                             ON m.conv_id = c.id AND m.user_id = $2 AND m.left_seq IS NULL
                            WHERE c.avatar = f.id)
                           OR EXISTS (
                           SELECT 1 FROM file_refs r JOIN members m
                             ON m.conv_id = r.conv_id AND m.user_id = $2
                            WHERE r.file_id = f.id
                              AND (m.left_seq IS NULL OR r.seq <= m.left_seq)))"
                    )),
                    args![id.0.as_str(), user.0],
                    file_record,
                )
                .await
            })
        })
        .await
    }

    async fn storage_used(&self, user: UserId) -> StoreResult<u64> {
        self.read_job(move |sql| {
            Box::pin(async move {
                let used = sql
                    .one(
                        stmt!(
                            "SELECT CAST(
                               (SELECT COALESCE(SUM(b.size), 0) FROM blobs b WHERE b.id IN
                                 (SELECT blob_id FROM files WHERE owner_id = $1))
                             + (SELECT COALESCE(SUM(length), 0) FROM uploads
                                 WHERE owner_id = $1 AND file_id IS NULL)
                             AS BIGINT) AS used"
                        ),
                        args![user.0],
                        |row| row.int("used"),
                    )
                    .await?
                    .unwrap_or(0);
                Ok(used.max(0) as u64)
            })
        })
        .await
    }

    async fn stale_uploads(&self, before: i64, limit: u32) -> StoreResult<Vec<String>> {
        self.read_job(move |sql| {
            Box::pin(async move {
                sql.all(
                    stmt!(
                        "SELECT id FROM uploads WHERE created_at < $1 ORDER BY created_at LIMIT $2"
                    ),
                    args![before, i64::from(limit)],
                    |row| row.text("id"),
                )
                .await
            })
        })
        .await
    }

    async fn forget_unshown_files(&self, before: i64) -> StoreResult<u64> {
        self.write_job(move |sql| {
            Box::pin(async move {
                sql.exec(
                    stmt!(
                        "DELETE FROM files WHERE created_at < $1 AND NOT referenced
                           AND NOT EXISTS (SELECT 1 FROM file_refs r WHERE r.file_id = files.id)
                           AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar = files.id)
                           AND NOT EXISTS
                             (SELECT 1 FROM conversations c WHERE c.avatar = files.id)"
                    ),
                    args![before],
                )
                .await
            })
        })
        .await
    }

    async fn orphan_blobs(&self, before: i64, limit: u32) -> StoreResult<Vec<BlobRecord>> {
        self.read_job(move |sql| {
            Box::pin(async move {
                sql.all(
                    stmt!(concat!(
                        blob_columns!(),
                        " FROM blobs b WHERE b.created_at < $1
                         AND NOT EXISTS (SELECT 1 FROM files f WHERE f.blob_id = b.id)
                         ORDER BY b.created_at LIMIT $2"
                    )),
                    args![before, i64::from(limit)],
                    blob_record,
                )
                .await
            })
        })
        .await
    }

    async fn delete_blob(&self, id: String) -> StoreResult<bool> {
        self.write_job(move |sql| {
            Box::pin(async move {
                let changed = sql
                    .exec(
                        stmt!(
                            "DELETE FROM blobs WHERE id = $1
                               AND NOT EXISTS (SELECT 1 FROM files WHERE blob_id = $1)"
                        ),
                        args![id.as_str()],
                    )
                    .await?;
                Ok(changed == 1)
            })
        })
        .await
    }

    async fn shared_secret(&self, name: String, proposed: String) -> StoreResult<String> {
        self.write_job(move |sql| {
            Box::pin(async move {
                sql.exec(
                    stmt!(
                        "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING"
                    ),
                    args![name.as_str(), proposed.as_str()],
                )
                .await?;
                sql.one(
                    stmt!("SELECT value FROM secrets WHERE name = $1"),
                    args![name.as_str()],
                    |row| row.text("value"),
                )
                .await?
                .ok_or_else(|| StoreError::Internal(format!("secret {name} vanished")))
            })
        })
        .await
    }
}

/// Records that the message at (`conv`, `seq`) shows `files`, in the message's transaction.
pub(crate) async fn record_refs(
    sql: &mut impl Sql,
    conv: i64,
    seq: i64,
    files: &[&FileId],
) -> StoreResult<()> {
    for file in files {
        sql.exec(
            stmt!(
                "INSERT INTO file_refs (file_id, conv_id, seq) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING"
            ),
            args![file.0.as_str(), conv, seq],
        )
        .await?;
        sql.exec(
            stmt!("UPDATE files SET referenced = TRUE WHERE id = $1 AND NOT referenced"),
            args![file.0.as_str()],
        )
        .await?;
    }
    Ok(())
}

/// The message at (`conv`, `seq`) was recalled: it shows no file any more, and a file no other
/// message shows is forgotten (its blob goes with the next sweep if nothing else names it).
pub(crate) async fn forget_refs(sql: &mut impl Sql, conv: i64, seq: i64) -> StoreResult<()> {
    let files = sql
        .all(
            stmt!("DELETE FROM file_refs WHERE conv_id = $1 AND seq = $2 RETURNING file_id"),
            args![conv, seq],
            |row| row.text("file_id"),
        )
        .await?;
    for file in files {
        sql.exec(
            stmt!(
                "DELETE FROM files WHERE id = $1
                   AND NOT EXISTS (SELECT 1 FROM file_refs WHERE file_id = $1)"
            ),
            args![file.as_str()],
        )
        .await?;
    }
    Ok(())
}

macro_rules! blob_columns {
    () => {
        "SELECT b.id AS blob_id, b.sha256, b.size, b.mime, b.width, b.height, b.color,
                b.animated, b.variants, b.created_at AS blob_created_at"
    };
}
use blob_columns;

macro_rules! file_columns {
    () => {
        concat!(blob_columns!(), ", f.id, f.owner_id, f.name, f.created_at")
    };
}
use file_columns;

async fn insert_blob(sql: &mut impl Sql, blob: &BlobRecord) -> StoreResult<()> {
    let picture = blob.picture.as_ref();
    let variants = blob
        .variants
        .iter()
        .map(|(name, mime)| format!("{name}:{mime}"))
        .collect::<Vec<_>>()
        .join(" ");
    sql.exec(
        stmt!(
            "INSERT INTO blobs
               (id, sha256, size, mime, width, height, color, animated, variants, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (sha256) DO NOTHING"
        ),
        args![
            blob.id.as_str(),
            blob.sha256.as_str(),
            blob.size as i64,
            blob.mime.as_str(),
            picture.map(|p| i64::from(p.width)),
            picture.map(|p| i64::from(p.height)),
            picture.and_then(|p| p.color.as_deref()),
            picture.is_some_and(|p| p.animated),
            variants.as_str(),
            blob.created_at
        ],
    )
    .await?;
    Ok(())
}

async fn blob_where_sha(sql: &mut impl Sql, sha256: &str) -> StoreResult<Option<BlobRecord>> {
    sql.one(
        stmt!(concat!(
            blob_columns!(),
            " FROM blobs b WHERE b.sha256 = $1"
        )),
        args![sha256],
        blob_record,
    )
    .await
}

fn upload_record(row: &dyn Columns) -> StoreResult<UploadRecord> {
    Ok(UploadRecord {
        id: row.text("id")?,
        owner: UserId(row.int("owner_id")?),
        length: row.int("length")? as u64,
        received: row.int("received")? as u64,
        name: row.text("name")?,
        created_at: row.int("created_at")?,
        file: row.opt_text("file_id")?.map(FileId),
    })
}

fn blob_record(row: &dyn Columns) -> StoreResult<BlobRecord> {
    let picture = match (row.opt_int("width")?, row.opt_int("height")?) {
        (Some(width), Some(height)) => Some(PictureInfo {
            width: width as u32,
            height: height as u32,
            color: row.opt_text("color")?,
            animated: row.flag("animated")?,
        }),
        _ => None,
    };
    let variants = row
        .text("variants")?
        .split_whitespace()
        .filter_map(|v| v.split_once(':'))
        .map(|(name, mime)| (name.to_string(), mime.to_string()))
        .collect();
    Ok(BlobRecord {
        id: row.text("blob_id")?,
        sha256: row.text("sha256")?,
        size: row.int("size")? as u64,
        mime: row.text("mime")?,
        picture,
        variants,
        created_at: row.int("blob_created_at")?,
    })
}

fn file_record(row: &dyn Columns) -> StoreResult<FileRecord> {
    Ok(FileRecord {
        id: FileId(row.text("id")?),
        owner: UserId(row.int("owner_id")?),
        name: row.text("name")?,
        created_at: row.int("created_at")?,
        blob: blob_record(row)?,
    })
}
