//! Keeping storage from only growing: every `files.sweep_interval_ms`, on every node (each step
//! is safe to repeat and to race), abandoned uploads are removed, files no message ever showed
//! are forgotten after `files.unshown_grace_s`, and the bytes of blobs no file names any more
//! (a recalled message's, an unshown file's) are deleted.

use super::service::Files;
use tern_media::storage::blob_key;
use tern_store::now_ms;
use tokio_util::sync::CancellationToken;

/// Items handled per step and round, so one round never holds the database for long.
const BATCH: u32 = 500;

/// A blob younger than this is never taken for an orphan: its file may be being recorded.
const ORPHAN_MIN_AGE_MS: i64 = 10 * 60 * 1000;

pub fn start(files: Files, shutdown: CancellationToken) {
    let period = files.config().sweep_interval_ms;
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = interval.tick() => {}
            }
            if let Err(e) = sweep(&files).await {
                tracing::warn!(error = %e, "file sweep failed; retrying next round");
            }
        }
    });
}

/// One round of the three steps.
pub async fn sweep(files: &Files) -> crate::error::AppResult<()> {
    let store = files.store();
    let config = files.config();
    let now = now_ms();
    let seconds = |s: u64| i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX);
    for upload in store
        .stale_uploads(now - seconds(config.upload_expiry_s), BATCH)
        .await?
    {
        if let Err(e) = files.storage().discard(&upload).await {
            tracing::warn!(upload, error = %e, "cannot remove an abandoned upload's bytes");
            continue;
        }
        store.delete_upload(upload).await?;
    }
    let grace = seconds(config.unshown_grace_s);
    let forgotten = store.forget_unshown_files(now - grace).await?;
    if forgotten > 0 {
        tracing::info!(files = forgotten, "forgot files no message showed");
    }
    let orphans = store
        .orphan_blobs(now - grace.min(ORPHAN_MIN_AGE_MS), BATCH)
        .await?;
    for blob in orphans {
        if store.delete_blob(blob.id.clone()).await? {
            files.delete_blob_bytes(&blob_key(&blob.id), &blob).await;
        }
    }
    Ok(())
}
