//! The contacts service: requests (limited per hour), answers, removal, the lists, and blocks;
//! each change reaches the other side's devices as a `contact` frame.

use crate::accounts::names::check_text;
use crate::delivery::bus::{Bus, Publication};
use crate::delivery::committer::{Committer, encode_string};
use crate::error::{AppError, AppResult};
use std::sync::Arc;
use tern_proto::rest::ContactRequests;
use tern_proto::{ContactChange, ErrorCode, ServerFrame, UserId, UserProfile};
use tern_store::{Asked, Store, WriteOp};

/// Longest note with a contact request, in characters.
pub const CONTACT_NOTE_MAX: usize = 200;
/// Most contact requests one user may send in an hour (a flood of them is spam).
pub const CONTACT_REQUESTS_PER_HOUR: u64 = 30;
const HOUR_MS: i64 = 3_600_000;

#[derive(Clone)]
pub struct Contacts {
    store: Arc<dyn Store>,
    committer: Committer,
    bus: Arc<Bus>,
}

impl Contacts {
    pub fn new(store: Arc<dyn Store>, committer: Committer, bus: Arc<Bus>) -> Self {
        Contacts {
            store,
            committer,
            bus,
        }
    }

    /// `from` asks `to` to become contacts; true when they are contacts now (`to` had asked
    /// first, or they already were), false when the request waits for `to`'s answer.
    pub async fn ask(&self, from: UserId, to: UserId, note: &str) -> AppResult<bool> {
        let note = check_text(note, CONTACT_NOTE_MAX, "notes")?;
        if from == to {
            return Err(AppError::bad_request("you cannot ask yourself"));
        }
        let (me, them) = (self.profile(from).await?, self.profile(to).await?);
        // Either side's block stops it; the refusal says no more than that.
        if self.store.blocks(to, from).await? || self.store.blocks(from, to).await? {
            return Err(AppError::from(tern_store::Refusal::Blocked));
        }
        let since = tern_store::now_ms() - HOUR_MS;
        if self.store.requests_sent_since(from, since).await? >= CONTACT_REQUESTS_PER_HOUR {
            return Err(AppError::client(
                ErrorCode::RateLimited,
                format!("at most {CONTACT_REQUESTS_PER_HOUR} contact requests an hour"),
            ));
        }
        match self.store.ask(from, to, &note).await? {
            Asked::Requested => {
                self.tell(to, ContactChange::Requested, me, Some(note))
                    .await;
                Ok(false)
            }
            Asked::Added => {
                self.added(me, them).await;
                Ok(true)
            }
            Asked::AlreadyContacts => Ok(true),
        }
    }

    /// `user` accepts or declines `from`'s request. A decline is not told to `from`.
    pub async fn answer(&self, user: UserId, from: UserId, accept: bool) -> AppResult<()> {
        if !self.store.answer(user, from, accept).await? {
            return Err(AppError::client(
                ErrorCode::NotFound,
                "no request from this user waits for your answer",
            ));
        }
        if accept {
            let (me, them) = (self.profile(user).await?, self.profile(from).await?);
            self.added(me, them).await;
        }
        Ok(())
    }

    pub async fn remove(&self, user: UserId, other: UserId) -> AppResult<()> {
        if !self.store.remove_contact(user, other).await? {
            return Err(AppError::client(
                ErrorCode::NotFound,
                "not one of your contacts",
            ));
        }
        let me = self.profile(user).await?;
        self.tell(other, ContactChange::Removed, me, None).await;
        Ok(())
    }

    pub async fn list(&self, user: UserId) -> AppResult<Vec<UserProfile>> {
        Ok(self.store.contacts(user).await?)
    }

    pub async fn requests(&self, user: UserId) -> AppResult<ContactRequests> {
        let (incoming, outgoing) = self.store.contact_requests(user).await?;
        Ok(ContactRequests { incoming, outgoing })
    }

    /// `user` blocks `other` (or lifts it): nothing is told to `other`.
    pub async fn block(&self, user: UserId, other: UserId, blocked: bool) -> AppResult<()> {
        if user == other {
            return Err(AppError::bad_request("you cannot block yourself"));
        }
        self.committer
            .write(WriteOp::Block {
                user,
                other,
                blocked,
            })
            .await?;
        Ok(())
    }

    pub async fn blocked(&self, user: UserId) -> AppResult<Vec<UserProfile>> {
        Ok(self.store.blocked(user).await?)
    }

    async fn profile(&self, user: UserId) -> AppResult<UserProfile> {
        self.store
            .user(user)
            .await?
            .ok_or_else(|| AppError::client(ErrorCode::NotFound, "no such user"))
    }

    /// Both sides' devices hear that they are contacts now.
    async fn added(&self, a: UserProfile, b: UserProfile) {
        let (a_id, b_id) = (a.id, b.id);
        self.tell(b_id, ContactChange::Added, a, None).await;
        self.tell(a_id, ContactChange::Added, b, None).await;
    }

    async fn tell(
        &self,
        to: UserId,
        change: ContactChange,
        user: UserProfile,
        note: Option<String>,
    ) {
        let frame = encode_string(&ServerFrame::Contact { change, user, note });
        self.bus
            .publish(Publication::ToUser { user: to, frame }, None)
            .await;
    }
}
