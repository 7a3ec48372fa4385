//! The conversations service: opening direct conversations, groups and their members, the
//! conversation list and sync.

use crate::accounts::Caller;
use crate::delivery::committer::Committer;
use crate::error::{AppError, AppResult};
use crate::receipts::Receipts;
use std::sync::Arc;
use tern_proto::rest::{Announcement, ConversationDetail, DETAIL_MEMBERS_MAX};
use tern_proto::{
    Content, ConvId, ConversationReceipts, ConversationSummary, MemberRole, NotifyLevel,
    SystemEvent, UserId,
};
use tern_store::{ChangePos, Store, SummaryPage, WriteOp, WriteOutcome};

/// Most conversations in one `sync` reply: a user in thousands of groups gets several pages
/// rather than one reply of many megabytes (each summary carries its last event).
pub const SYNC_PAGE: u32 = 100;
/// Most users one request may name. Membership changes run on the node's single writer, so
/// one request must not be able to hold it for long (a 2 MiB body holds ~300k ids).
pub const USERS_PER_REQUEST_MAX: usize = 1000;

#[derive(Clone)]
pub struct Conversations {
    pub(super) store: Arc<dyn Store>,
    pub(super) committer: Committer,
    receipts: Receipts,
}

/// One reply to `sync`.
pub struct SyncPage {
    pub token: String,
    pub conversations: Vec<ConversationSummary>,
    /// Where the next page starts, when there is one.
    pub next: Option<String>,
    /// With a token: the other members' read positions that moved since, in this page's
    /// conversations.
    pub receipts: Vec<ConversationReceipts>,
}

impl Conversations {
    pub fn new(store: Arc<dyn Store>, committer: Committer, receipts: Receipts) -> Self {
        Conversations {
            store,
            committer,
            receipts,
        }
    }

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
            other => Err(AppError::unexpected(other)),
        }
    }

    pub async fn create_group(
        &self,
        caller: Caller,
        name: &str,
        members: Vec<UserId>,
    ) -> AppResult<ConversationDetail> {
        let name = super::admin::group_name(name)?;
        check_user_count(&members)?;
        let outcome = self
            .committer
            .write(WriteOp::CreateGroup {
                owner: caller.user,
                name,
                members,
            })
            .await?;
        match outcome {
            WriteOutcome::MembershipChanged { event, .. } => self.detail(caller, event.conv).await,
            other => Err(AppError::unexpected(other)),
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

    /// `user`'s own preferences for `conv` (notification level, kept on top), as they now stand;
    /// the user's other connections hear of a change (not `origin`).
    pub async fn preferences(
        &self,
        user: UserId,
        conv: ConvId,
        notify: Option<NotifyLevel>,
        top: Option<bool>,
        origin: Option<u64>,
    ) -> AppResult<(NotifyLevel, Option<i64>)> {
        if notify == Some(NotifyLevel::Unknown) {
            return Err(AppError::bad_request(
                "notify is one of \"all\", \"mentions\", \"muted\"",
            ));
        }
        let op = WriteOp::Preferences {
            conv,
            user,
            notify,
            top,
        };
        match self.committer.write_from(origin, op).await? {
            WriteOutcome::PreferencesChanged { notify, top, .. } => Ok((notify, top)),
            other => Err(AppError::unexpected(other)),
        }
    }

    pub async fn list(&self, caller: Caller) -> AppResult<Vec<ConversationSummary>> {
        Ok(self.store.summaries(caller.user, None, None).await?.0)
    }

    pub async fn detail(&self, caller: Caller, conv: ConvId) -> AppResult<ConversationDetail> {
        let summary = self
            .store
            .summary(caller.user, conv)
            .await?
            .ok_or_else(AppError::not_member)?;
        if !summary.active {
            return Ok(ConversationDetail {
                summary,
                members: Vec::new(),
                member_count: 0,
                description: String::new(),
                announcement: None,
            });
        }
        let mut records = self.store.members(conv).await?;
        let member_count = records.len() as u64;
        // The owner and admins first, then the longest-standing members.
        records.sort_by_key(|m| !m.role.is_admin() as u8 + (m.role != MemberRole::Owner) as u8);
        records.truncate(DETAIL_MEMBERS_MAX);
        let members = self.member_infos(records).await?;
        let (description, announced) = self.store.group_details(conv).await?;
        let announcement = announced.and_then(|event| match event.content {
            Content::System(SystemEvent::Announced { text }) if !text.is_empty() => {
                Some(Announcement {
                    text,
                    seq: event.seq,
                    by: event.sender,
                    ts: event.ts,
                })
            }
            _ => None,
        });
        Ok(ConversationDetail {
            summary,
            members,
            member_count,
            description,
            announcement,
        })
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
        let (mut conversations, pos) = self
            .store
            .summaries(user, since.clone(), Some(request))
            .await?;
        let token = first_token.unwrap_or_else(|| format_sync_token(pos));
        let next = if conversations.len() > SYNC_PAGE as usize {
            conversations.truncate(SYNC_PAGE as usize);
            conversations
                .last()
                .map(|last| format_sync_page(last.id, &token))
        } else {
            None
        };
        // Read after the summaries: a position that moves in between is reported now and
        // again next time, never missed.
        let receipts = match since {
            Some(since) => {
                let active = conversations.iter().filter(|c| c.active).map(|c| c.id);
                self.receipts.since(user, active.collect(), since).await?
            }
            None => Vec::new(),
        };
        Ok(SyncPage {
            token,
            conversations,
            next,
            receipts,
        })
    }
}

fn check_user_count(users: &[UserId]) -> AppResult<()> {
    if users.len() > USERS_PER_REQUEST_MAX {
        return Err(AppError::bad_request(format!(
            "at most {USERS_PER_REQUEST_MAX} users per request"
        )));
    }
    Ok(())
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
