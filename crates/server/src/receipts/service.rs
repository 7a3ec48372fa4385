//! The receipts service: the read positions a member may see, whole (the `receipts` request)
//! or those that moved since a sync token.

use super::coalescer::Coalescer;
use super::privacy::Privacy;
use crate::error::{AppError, AppResult};
use std::sync::Arc;
use tern_proto::{ConvId, ConversationReceipts, Receipt, UserId};
use tern_store::{ChangePos, Store};

#[derive(Clone)]
pub struct Receipts {
    store: Arc<dyn Store>,
    privacy: Arc<Privacy>,
    coalescer: Arc<Coalescer>,
}

impl Receipts {
    pub fn new(store: Arc<dyn Store>, privacy: Arc<Privacy>, coalescer: Arc<Coalescer>) -> Self {
        Receipts {
            store,
            privacy,
            coalescer,
        }
    }

    /// `user` started or stopped sharing their position: the members of each of their
    /// conversations are told (their position again, or to forget it), like any receipt.
    pub async fn sharing_changed(&self, user: UserId, share: bool) -> AppResult<()> {
        for (conv, seq) in self.store.positions_of(user).await? {
            if share {
                self.coalescer.note(conv, user, seq);
            } else {
                self.coalescer.hide(conv, user);
            }
        }
        Ok(())
    }

    /// The positions of the current members of `conv` who share theirs, for a current member
    /// (`not_member` otherwise); none for a user who does not share their own.
    pub async fn list(&self, user: UserId, conv: ConvId) -> AppResult<Vec<Receipt>> {
        match self.store.membership(conv, user).await? {
            Some(m) if m.left_seq.is_none() => {}
            _ => return Err(AppError::not_member()),
        }
        if self.privacy.hides(user) {
            return Ok(Vec::new());
        }
        Ok(self.store.receipts(conv).await?)
    }

    /// For `user`'s `convs` (in which they are a current member), the other members'
    /// positions that moved since `since`; none for a user who does not share their own.
    pub async fn since(
        &self,
        user: UserId,
        convs: Vec<ConvId>,
        since: ChangePos,
    ) -> AppResult<Vec<ConversationReceipts>> {
        if self.privacy.hides(user) {
            return Ok(Vec::new());
        }
        Ok(self.store.receipts_since(user, convs, since).await?)
    }
}
