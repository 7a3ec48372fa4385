//! The chat service: the one place that validates, authorizes, stores and publishes
//! conversation state, for the HTTP API and the WebSocket gateway alike.

use crate::accounts::Caller;
use crate::bus::{Bus, Message};
use crate::committer::{Committer, Reply, encode};
use crate::error::{AppError, AppResult};
use crate::hub::ConnHandle;
use std::collections::HashMap;
use std::sync::Arc;
use tern_proto::rest::{ConversationDetail, MemberInfo};
use tern_proto::{
    Content, ConvId, ConversationSummary, ErrorCode, Event, Limits, ServerFrame, UserId,
    UserProfile,
};
use tern_store::{ChangePos, MemberRecord, Store, SummaryPage, WriteOp, WriteOutcome};

/// Longest accepted client message id, in bytes.
pub const CMID_MAX: usize = 64;
/// Page size when a fetch or history request names none.
pub const DEFAULT_PAGE: u32 = 100;
/// Rough upper bound on the JSON size of one page of events; a page stops growing past it (but
/// always holds at least one event) and says `has_more`.
pub const PAGE_BYTES: usize = 1024 * 1024;
/// Most conversations in one `sync` reply: a user in thousands of groups gets several pages
/// rather than one reply of many megabytes (each summary carries its last event).
pub const SYNC_PAGE: u32 = 100;
/// Longest group name, in characters.
pub const GROUP_NAME_MAX: usize = 128;
/// Most users one request may name. Membership changes run on the node's single writer, so
/// one request must not be able to hold it for long (a 2 MiB body holds ~300k ids).
pub const USERS_PER_REQUEST_MAX: usize = 1000;

#[derive(Clone)]
pub struct Chat {
    store: Arc<dyn Store>,
    committer: Committer,
    bus: Arc<Bus>,
    limits: Limits,
}

/// One reply to `sync`.
pub struct SyncPage {
    pub token: String,
    pub conversations: Vec<ConversationSummary>,
    /// Where the next page starts, when there is one.
    pub next: Option<String>,
}

/// A page of events and whether more exist beyond it.
pub struct Page {
    pub events: Vec<Event>,
    pub has_more: bool,
}

impl Chat {
    pub fn new(store: Arc<dyn Store>, committer: Committer, bus: Arc<Bus>, limits: Limits) -> Self {
        Chat {
            store,
            committer,
            bus,
            limits,
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// None while this node can store writes; otherwise why not (for `/readyz`).
    pub fn write_problem(&self) -> Option<&'static str> {
        self.committer.health().problem()
    }

    // --- conversations ----------------------------------------------------------------------

    pub async fn open_direct(&self, caller: Caller, peer: UserId) -> AppResult<ConversationDetail> {
        match self
            .committer
            .write(WriteOp::OpenDirect {
                a: caller.user,
                b: peer,
            })
            .await?
        {
            WriteOutcome::DirectOpened { conv, .. } => self.detail(caller, conv).await,
            other => Err(unexpected(other)),
        }
    }

    pub async fn create_group(
        &self,
        caller: Caller,
        name: &str,
        members: Vec<UserId>,
    ) -> AppResult<ConversationDetail> {
        let name = name.trim();
        let len = name.chars().count();
        if len == 0 || len > GROUP_NAME_MAX || name.chars().any(char::is_control) {
            return Err(AppError::bad_request(format!(
                "group names are 1 to {GROUP_NAME_MAX} characters, without control characters"
            )));
        }
        check_user_count(&members)?;
        let outcome = self
            .committer
            .write(WriteOp::CreateGroup {
                owner: caller.user,
                name: name.to_owned(),
                members,
            })
            .await?;
        match outcome {
            WriteOutcome::MembershipChanged { event, .. } => self.detail(caller, event.conv).await,
            other => Err(unexpected(other)),
        }
    }

    pub async fn add_members(
        &self,
        caller: Caller,
        conv: ConvId,
        users: Vec<UserId>,
    ) -> AppResult<ConversationDetail> {
        check_user_count(&users)?;
        self.committer
            .write(WriteOp::AddMembers {
                conv,
                by: caller.user,
                users,
            })
            .await?;
        self.detail(caller, conv).await
    }

    /// Removes `user` (owner only), or leaves when `user` is the caller.
    pub async fn remove_member(&self, caller: Caller, conv: ConvId, user: UserId) -> AppResult<()> {
        self.committer
            .write(WriteOp::RemoveMember {
                conv,
                by: caller.user,
                user,
            })
            .await?;
        Ok(())
    }

    pub async fn list(&self, caller: Caller) -> AppResult<Vec<ConversationSummary>> {
        Ok(self.store.summaries(caller.user, None, None).await?.0)
    }

    pub async fn detail(&self, caller: Caller, conv: ConvId) -> AppResult<ConversationDetail> {
        let summary = self
            .store
            .summary(caller.user, conv)
            .await?
            .ok_or_else(not_member)?;
        let members = if summary.active {
            self.member_profiles(conv).await?
        } else {
            Vec::new()
        };
        Ok(ConversationDetail { summary, members })
    }

    async fn member_profiles(&self, conv: ConvId) -> AppResult<Vec<MemberInfo>> {
        let records = self.store.members(conv).await?;
        let ids: Vec<UserId> = records.iter().map(|m| m.user).collect();
        let mut profiles: HashMap<UserId, UserProfile> = self
            .store
            .users(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        Ok(records
            .into_iter()
            .filter_map(|MemberRecord { user, role, .. }| {
                Some(MemberInfo {
                    user: profiles.remove(&user)?,
                    role,
                })
            })
            .collect())
    }

    // --- messages ---------------------------------------------------------------------------

    /// Checks a client's message before it goes anywhere near storage.
    pub fn check_message(&self, cmid: &str, content: &Content) -> AppResult<()> {
        // Control characters (NUL above all, which PostgreSQL cannot store) never reach a write
        // batch, where one bad op would otherwise cost its neighbours a retry.
        if cmid.is_empty() || cmid.len() > CMID_MAX || cmid.chars().any(char::is_control) {
            return Err(AppError::bad_request(format!(
                "cmid must be 1 to {CMID_MAX} bytes, without control characters"
            )));
        }
        match content {
            Content::Text { text } => {
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
            _ => Err(AppError::client(
                ErrorCode::UnsupportedContent,
                "clients can send content of type \"text\" only",
            )),
        }
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
        self.check_message(&cmid, &content)?;
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
        self.check_message(&cmid, &content)?;
        let op = WriteOp::Append {
            conv,
            sender: caller.user,
            cmid,
            content,
        };
        match self.committer.write(op).await? {
            WriteOutcome::Appended { event, duplicate } => Ok((event, duplicate)),
            other => Err(unexpected(other)),
        }
    }

    /// Relays "typing" to the other members' connections, on every node; nothing is stored.
    pub async fn typing(&self, conn: &ConnHandle, conv: ConvId) -> AppResult<()> {
        if !self.bus.is_member(conv, conn.user).await {
            return Err(not_member());
        }
        let frame = encode(&ServerFrame::Typing {
            conv,
            user: conn.user,
        });
        let message = Message::ToMembers {
            conv,
            frame: frame.to_string(),
        };
        self.bus.publish(message, Some(conn.id)).await;
        Ok(())
    }

    /// Conversations changed since `since` (an opaque token from an earlier sync), one page
    /// of at most `SYNC_PAGE` at a time: `page` is the `next` of the page before. Every page
    /// carries the token of the first one, so a change made while the pages are read is
    /// reported again by the next sync rather than missed.
    pub async fn sync(
        &self,
        user: UserId,
        since: Option<&str>,
        page: Option<&str>,
    ) -> AppResult<SyncPage> {
        let since = since.map(parse_sync_token).transpose()?;
        let (after, first_token) = match page {
            Some(page) => {
                let (after, token) = parse_sync_page(page)?;
                // The store checks that it issued the position (an empty page costs nothing):
                // a forged one must not come back as the token to keep.
                let probe = SummaryPage {
                    after: ConvId(i64::MAX),
                    limit: 0,
                };
                let pos = parse_sync_token(&token)?;
                self.store.summaries(user, Some(pos), Some(probe)).await?;
                (after, Some(token))
            }
            None => (ConvId(0), None),
        };
        let request = SummaryPage {
            after,
            limit: SYNC_PAGE + 1,
        };
        let (mut conversations, pos) = self.store.summaries(user, since, Some(request)).await?;
        let token = first_token.unwrap_or_else(|| format_sync_token(pos));
        let next = if conversations.len() > SYNC_PAGE as usize {
            conversations.truncate(SYNC_PAGE as usize);
            conversations
                .last()
                .map(|last| format_sync_page(last.id, &token))
        } else {
            None
        };
        Ok(SyncPage {
            token,
            conversations,
            next,
        })
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
    ) -> AppResult<(u64, u64)> {
        let op = WriteOp::MarkRead { conv, user, seq };
        let outcome = self.committer.write_from(origin.map(|c| c.id), op).await?;
        match outcome {
            WriteOutcome::ReadMoved {
                read_seq, unread, ..
            } => Ok((read_seq, unread)),
            other => Err(unexpected(other)),
        }
    }

    /// Highest seq `user` may read in `conv`: everything while a member (no seq exists past the
    /// last), up to the removal after leaving. One lookup: this runs on every fetch and page.
    async fn visible_last_seq(&self, user: UserId, conv: ConvId) -> AppResult<u64> {
        let member = self
            .store
            .membership(conv, user)
            .await?
            .ok_or_else(not_member)?;
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
        Content::Text { text } => text.len(),
        _ => 128,
    };
    192 + event.cmid.as_ref().map_or(0, String::len) + content
}

fn check_user_count(users: &[UserId]) -> AppResult<()> {
    if users.len() > USERS_PER_REQUEST_MAX {
        return Err(AppError::bad_request(format!(
            "at most {USERS_PER_REQUEST_MAX} users per request"
        )));
    }
    Ok(())
}

fn not_member() -> AppError {
    AppError::client(
        ErrorCode::NotMember,
        "not a member of this conversation (or it does not exist)",
    )
}

fn unexpected(outcome: WriteOutcome) -> AppError {
    AppError::Internal(format!("unexpected write outcome {outcome:?}"))
}

/// Sync tokens are opaque to clients; today a change position in decimal with a version prefix
/// so the format can change without breaking stored tokens.
fn format_sync_token(pos: ChangePos) -> String {
    format!("v1.{pos}")
}

/// A sync's next page: the last conversation id sent and the sync's token, `p1.{id}.{token}`.
fn format_sync_page(after: ConvId, token: &str) -> String {
    format!("p1.{after}.{token}")
}

fn parse_sync_page(page: &str) -> AppResult<(ConvId, String)> {
    let bad = || AppError::bad_request("sync page is not one this server issued");
    let rest = page.strip_prefix("p1.").ok_or_else(bad)?;
    let (after, token) = rest.split_once('.').ok_or_else(bad)?;
    let after = after.parse::<i64>().map_err(|_| bad())?;
    parse_sync_token(token)?;
    Ok((ConvId(after), token.to_owned()))
}

fn parse_sync_token(token: &str) -> AppResult<ChangePos> {
    match token.strip_prefix("v1.") {
        Some(pos) if !pos.is_empty() => Ok(pos.to_owned()),
        _ => Err(AppError::bad_request(
            "sync token is not one this server issued",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_tokens_round_trip_and_reject_garbage() {
        assert_eq!(
            parse_sync_token(&format_sync_token("42".into())).unwrap(),
            "42"
        );
        for bad in ["", "42", "v1.", "v2.3"] {
            assert!(parse_sync_token(bad).is_err(), "{bad}");
        }
        let page = format_sync_page(ConvId(7), "v1.42");
        assert_eq!(parse_sync_page(&page).unwrap(), (ConvId(7), "v1.42".into()));
        for bad in ["", "p1.", "p1.7", "p1.x.v1.42", "p1.7.v9.1", "p2.7.v1.42"] {
            assert!(parse_sync_page(bad).is_err(), "{bad}");
        }
    }
}
