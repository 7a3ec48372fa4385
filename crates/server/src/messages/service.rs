//! The messages service: checking and sending messages, typing, reading events (catch-up and
//! history) and moving read positions.

use crate::accounts::Caller;
use crate::delivery::bus::{Bus, Publication};
use crate::delivery::committer::{Committer, Reply, encode};
use crate::delivery::hub::ConnHandle;
use crate::error::{AppError, AppResult};
use crate::files::Files;
use std::sync::Arc;
use tern_proto::rest::ReadPosition;
use tern_proto::{Content, ConvId, ErrorCode, Event, Limits, ServerFrame, UserId};
use tern_store::{Store, WriteOp, WriteOutcome};

/// Longest accepted client message id, in bytes.
pub const CMID_MAX: usize = 64;
/// Page size when a fetch or history request names none.
pub const DEFAULT_PAGE: u32 = 100;
/// Rough upper bound on the JSON size of one page of events; a page stops growing past it (but
/// always holds at least one event) and says `has_more`.
pub const PAGE_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct Messages {
    pub(super) store: Arc<dyn Store>,
    pub(super) committer: Committer,
    bus: Arc<Bus>,
    pub(super) limits: Limits,
    /// Fills in the details of the files a message shows.
    files: Files,
}

/// A page of events and whether more exist beyond it.
pub struct Page {
    pub events: Vec<Event>,
    pub has_more: bool,
}

impl Messages {
    pub fn new(
        store: Arc<dyn Store>,
        committer: Committer,
        bus: Arc<Bus>,
        limits: Limits,
        files: Files,
    ) -> Self {
        Messages {
            store,
            committer,
            files,
            bus,
            limits,
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Checks a client's message before it goes anywhere near storage. Whether what it replies
    /// to and whom it mentions are in the conversation is the write batch's to check.
    pub fn check_message(&self, cmid: &str, content: &Content) -> AppResult<()> {
        check_cmid(cmid, CMID_MAX)?;
        match content {
            Content::Text { text, mentions, .. } => {
                self.check_text(text)?;
                let max = self.limits.max_users_per_request as usize;
                if mentions.len() > max {
                    return Err(AppError::bad_request(format!(
                        "at most {max} mentions per message (use @all)"
                    )));
                }
                Ok(())
            }
            Content::Image { .. }
            | Content::File { .. }
            | Content::Voice { .. }
            | Content::Video { .. } => Ok(()),
            _ => Err(AppError::client(
                ErrorCode::UnsupportedContent,
                "clients can send content of type text, image, file, voice and video",
            )),
        }
    }

    /// A client's message checked and, if it shows files, completed from their uploads.
    async fn prepare(&self, sender: UserId, cmid: &str, content: Content) -> AppResult<Content> {
        self.check_message(cmid, &content)?;
        if content.files().is_empty() {
            return Ok(content);
        }
        self.files.complete(sender, content).await
    }

    /// The rules of a message's text (also of an edit's).
    pub(super) fn check_text(&self, text: &str) -> AppResult<()> {
        if text.trim().is_empty() {
            return Err(AppError::client(
                ErrorCode::InvalidContent,
                "text must not be empty",
            ));
        }
        if text.contains('\0') {
            return Err(AppError::client(
                ErrorCode::InvalidContent,
                "text must not contain NUL characters",
            ));
        }
        let max = self.limits.max_text_chars as usize;
        if text.chars().count() > max {
            return Err(AppError::client(
                ErrorCode::TextTooLong,
                format!("text is limited to {max} characters"),
            ));
        }
        Ok(())
    }

    /// Sends from a WebSocket connection: the ack (or error) arrives in that connection's
    /// queue, in commit order. Returns once the write is queued, not committed.
    pub async fn send_from(
        &self,
        conn: &ConnHandle,
        rid: Option<u64>,
        conv: ConvId,
        cmid: String,
        content: Content,
    ) -> AppResult<()> {
        let content = self.prepare(conn.user, &cmid, content).await?;
        let op = WriteOp::Append {
            conv,
            sender: conn.user,
            cmid,
            content,
        };
        let reply = Reply::Connection {
            conn: conn.clone(),
            rid,
        };
        conn.send_started();
        let queued = self.committer.submit(op, reply).await;
        if queued.is_err() {
            // Never queued, so no ack will come; the caller answers with the error instead.
            conn.send_abandoned();
        }
        queued
    }

    /// Sends and waits for the commit (HTTP). Returns the stored event and whether it was a
    /// resend of an earlier one.
    pub async fn send(
        &self,
        caller: Caller,
        conv: ConvId,
        cmid: String,
        content: Content,
    ) -> AppResult<(Event, bool)> {
        let content = self.prepare(caller.user, &cmid, content).await?;
        let op = WriteOp::Append {
            conv,
            sender: caller.user,
            cmid,
            content,
        };
        match self.committer.write(op).await? {
            WriteOutcome::Appended { event, duplicate } => Ok((event, duplicate)),
            other => Err(AppError::unexpected(other)),
        }
    }

    /// Relays "typing" to the other members' connections, on every node; nothing is stored.
    pub async fn typing(&self, conn: &ConnHandle, conv: ConvId) -> AppResult<()> {
        if !self.bus.is_member(conv, conn.user).await {
            return Err(AppError::not_member());
        }
        let frame = encode(&ServerFrame::Typing {
            conv,
            user: conn.user,
        });
        let publication = Publication::ToMembers {
            conv,
            frame: frame.to_string(),
        };
        self.bus.publish(publication, Some(conn.id)).await;
        Ok(())
    }

    /// Events after `after`, oldest first, up to what `user` may see.
    pub async fn fetch(
        &self,
        user: UserId,
        conv: ConvId,
        after: u64,
        limit: Option<u32>,
    ) -> AppResult<Page> {
        let visible = self.visible_last_seq(user, conv).await?;
        let limit = self.page_limit(limit)?;
        let mut events = self
            .store
            .events_after(conv, after, visible, limit + 1)
            .await?;
        let mut has_more = events.len() > limit as usize;
        events.truncate(limit as usize);
        let fit = events_within_budget(events.iter());
        has_more |= fit < events.len();
        events.truncate(fit);
        Ok(Page { events, has_more })
    }

    /// The newest events before `before` (or the newest of all), returned oldest first.
    pub async fn history(
        &self,
        user: UserId,
        conv: ConvId,
        before: Option<u64>,
        limit: Option<u32>,
    ) -> AppResult<Page> {
        let visible = self.visible_last_seq(user, conv).await?;
        let limit = self.page_limit(limit)?;
        let before = before.unwrap_or(u64::MAX).min(visible.saturating_add(1));
        let mut events = self.store.events_before(conv, before, limit).await?;
        // Keep the newest events that fit; the dropped older ones are the next page.
        let fit = events_within_budget(events.iter().rev());
        events.drain(..events.len() - fit);
        // Seqs start at 1 with no gaps, so anything older exists exactly when the page's
        // oldest seq is above 1.
        let has_more = events.first().is_some_and(|e| e.seq > 1);
        Ok(Page { events, has_more })
    }

    /// Moves the read position; the user's other connections hear of it (not `origin`).
    pub async fn mark_read(
        &self,
        user: UserId,
        conv: ConvId,
        seq: u64,
        origin: Option<&ConnHandle>,
    ) -> AppResult<ReadPosition> {
        let op = WriteOp::MarkRead { conv, user, seq };
        let outcome = self.committer.write_from(origin.map(|c| c.id), op).await?;
        match outcome {
            WriteOutcome::ReadMoved {
                read_seq,
                unread,
                unread_mentions,
                ..
            } => Ok(ReadPosition {
                read_seq,
                unread,
                unread_mentions,
            }),
            other => Err(AppError::unexpected(other)),
        }
    }

    /// Highest seq `user` may read in `conv`: everything while a member (no seq exists past the
    /// last), up to the removal after leaving. One lookup: this runs on every fetch and page.
    pub(super) async fn visible_last_seq(&self, user: UserId, conv: ConvId) -> AppResult<u64> {
        let member = self
            .store
            .membership(conv, user)
            .await?
            .ok_or_else(AppError::not_member)?;
        Ok(member.left_seq.unwrap_or(u64::MAX))
    }

    fn page_limit(&self, limit: Option<u32>) -> AppResult<u32> {
        match limit.unwrap_or(DEFAULT_PAGE.min(self.limits.max_page)) {
            0 => Err(AppError::bad_request("limit must be at least 1")),
            n if n > self.limits.max_page => Err(AppError::bad_request(format!(
                "limit is at most {}",
                self.limits.max_page
            ))),
            n => Ok(n),
        }
    }
}

/// A client message id: 1 to `max` bytes. Control characters (NUL above all, which PostgreSQL
/// cannot store) never reach a write batch, where one bad op would cost its neighbours a retry.
pub(super) fn check_cmid(cmid: &str, max: usize) -> AppResult<()> {
    if cmid.is_empty() || cmid.len() > max || cmid.chars().any(char::is_control) {
        return Err(AppError::bad_request(format!(
            "cmid must be 1 to {max} bytes, without control characters"
        )));
    }
    Ok(())
}

/// How many of `events`, taken in order, fit in `PAGE_BYTES` (at least one).
fn events_within_budget<'a>(events: impl Iterator<Item = &'a Event>) -> usize {
    let mut used = 0;
    let mut count = 0;
    for event in events {
        used += approx_json_size(event);
        if count > 0 && used > PAGE_BYTES {
            break;
        }
        count += 1;
    }
    count
}

fn approx_json_size(event: &Event) -> usize {
    let content = match &event.content {
        Content::Text { text, mentions, .. } => text.len() + 12 * mentions.len(),
        Content::Edit { text, .. } => text.len(),
        _ => 128,
    };
    let reactions: usize = event
        .reactions
        .iter()
        .map(|r| 24 + r.emoji.len() + 12 * r.users.len())
        .sum();
    192 + event.cmid.as_ref().map_or(0, String::len) + content + reactions
}
