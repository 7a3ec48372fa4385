//! Read receipts ("seen by"): a conversation's read positions, and who has and has not read a
//! message by them.

use super::{Client, unexpected};
use crate::error::SdkResult;
use tern_proto::{ClientFrame, ConvId, Receipt, ServerFrame, UserId};

impl Client {
    /// The read positions of the members of `conv` who share theirs (none when you do not
    /// share yours). Moves after this arrive as `ClientEvent::Receipts`.
    pub async fn receipts(&self, conv: ConvId) -> SdkResult<Vec<Receipt>> {
        match self
            .request(ClientFrame::Receipts { rid: None, conv })
            .await?
        {
            ServerFrame::Receipts { receipts, .. } => Ok(receipts),
            other => Err(unexpected(other)),
        }
    }
}

/// Who has read the message at `seq` and who has not, by the positions in `receipts` (every
/// member who shares theirs), leaving out its `sender`. Members who do not share theirs are in
/// neither list.
pub fn seen_by(receipts: &[Receipt], seq: u64, sender: UserId) -> (Vec<UserId>, Vec<UserId>) {
    let (mut read, mut unread) = (Vec::new(), Vec::new());
    for r in receipts.iter().filter(|r| r.user != sender) {
        if r.seq >= seq {
            read.push(r.user);
        } else {
            unread.push(r.user);
        }
    }
    (read, unread)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_by_splits_the_members_by_position_without_the_sender() {
        let r = |user, seq| Receipt::at(UserId(user), seq);
        let receipts = [r(1, 9), r(2, 5), r(3, 4)];
        assert_eq!(
            seen_by(&receipts, 5, UserId(1)),
            (vec![UserId(2)], vec![UserId(3)])
        );
    }
}
