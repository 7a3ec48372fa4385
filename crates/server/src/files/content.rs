//! Media in messages: a client sends a file by id; the server checks that the sender may show
//! it and that it is what the message says (a picture for `image`, audio for `voice`, ...), and
//! fills in what the upload says (name, size, type, a picture's size and colour), so every
//! member sees the same, true details.

use super::service::Files;
use crate::error::{AppError, AppResult};
use tern_proto::{Content, ErrorCode, FileInfo, UserId, WAVEFORM_MAX};
use tern_store::FileRecord;

/// Longest voice message or video, in milliseconds (a day).
const DURATION_MAX_MS: u32 = 24 * 3600 * 1000;
/// Largest video dimension a client may state, in pixels.
const VIDEO_SIDE_MAX: u32 = 16_384;

impl Files {
    /// `content` as it is stored: its files' details filled in from their uploads. Content
    /// without files is returned as is.
    pub async fn complete(&self, sender: UserId, content: Content) -> AppResult<Content> {
        Ok(match content {
            Content::Image {
                file, forwarded, ..
            } => {
                let record = self.sendable(sender, &file).await?;
                let Some(picture) = &record.blob.picture else {
                    return Err(invalid(
                        "this file is not a picture tern can show; send it as a file",
                    ));
                };
                Content::Image {
                    file: info(&record),
                    width: picture.width,
                    height: picture.height,
                    color: picture.color.clone(),
                    animated: picture.animated,
                    forwarded,
                }
            }
            Content::File { file, forwarded } => Content::File {
                file: info(&self.sendable(sender, &file).await?),
                forwarded,
            },
            Content::Voice {
                file,
                duration_ms,
                waveform,
                forwarded,
            } => {
                let record = self.sendable(sender, &file).await?;
                if !playable(&record) {
                    return Err(invalid("a voice message must be audio"));
                }
                check_duration(duration_ms)?;
                if waveform.len() > WAVEFORM_MAX {
                    return Err(invalid(&format!(
                        "a waveform has at most {WAVEFORM_MAX} levels"
                    )));
                }
                Content::Voice {
                    file: info(&record),
                    duration_ms,
                    waveform,
                    forwarded,
                }
            }
            Content::Video {
                file,
                duration_ms,
                width,
                height,
                poster,
                forwarded,
            } => {
                let record = self.sendable(sender, &file).await?;
                if !record.blob.mime.starts_with("video/") {
                    return Err(invalid("this file is not a video"));
                }
                check_duration(duration_ms)?;
                if width == 0 || height == 0 || width > VIDEO_SIDE_MAX || height > VIDEO_SIDE_MAX {
                    return Err(invalid(&format!(
                        "a video's width and height are 1 to {VIDEO_SIDE_MAX} pixels"
                    )));
                }
                let poster = match poster {
                    Some(poster) => {
                        let record = self.sendable(sender, &poster).await?;
                        if record.blob.picture.is_none() {
                            return Err(invalid("a video's poster must be a picture"));
                        }
                        Some(info(&record))
                    }
                    None => None,
                };
                Content::Video {
                    file: info(&record),
                    duration_ms,
                    width,
                    height,
                    poster,
                    forwarded,
                }
            }
            other => other,
        })
    }

    /// `id` checked as `user`'s profile picture: a picture they uploaded themselves (anyone can
    /// see a profile picture, so never one sent to them by someone else).
    pub async fn avatar(&self, user: UserId, id: &str) -> AppResult<tern_proto::FileId> {
        let record = self
            .sendable(user, &FileInfo::id_only(tern_proto::FileId(id.to_string())))
            .await?;
        if record.owner != user {
            return Err(invalid("a profile picture must be a picture you uploaded"));
        }
        if record.blob.picture.is_none() {
            return Err(invalid("this file is not a picture tern can show"));
        }
        Ok(record.id)
    }

    /// The file a message names, if the sender may read it.
    async fn sendable(&self, sender: UserId, file: &FileInfo) -> AppResult<FileRecord> {
        self.readable(sender, &file.id.0)
            .await
            .map_err(|e| match e {
                AppError::Client(ErrorCode::NotFound, _) => {
                    invalid("no such file (upload it first; a file must be yours or shown to you)")
                }
                other => other,
            })
    }
}

fn info(record: &FileRecord) -> FileInfo {
    FileInfo {
        id: record.id.clone(),
        name: record.name.clone(),
        size: record.blob.size,
        mime: record.blob.mime.clone(),
    }
}

/// Audio, or a WebM/MP4 that may hold only audio (browsers record voice as `audio/webm`, which
/// the bytes cannot tell from video).
fn playable(record: &FileRecord) -> bool {
    let mime = record.blob.mime.as_str();
    mime.starts_with("audio/") || mime == "video/webm" || mime == "video/mp4"
}

fn check_duration(duration_ms: u32) -> AppResult<()> {
    if duration_ms == 0 || duration_ms > DURATION_MAX_MS {
        return Err(invalid("duration_ms must be between 1 and 86400000"));
    }
    Ok(())
}

fn invalid(message: &str) -> AppError {
    AppError::client(ErrorCode::InvalidContent, message)
}
