//! The coalescer: read positions that moved on this node, gathered per conversation and sent
//! as one `receipts` frame per conversation and interval, so a large group where many members
//! read at once costs each connection at most one frame per interval, never one per reader.
//!
//! A frame lists at most `RECEIPTS_FRAME_MAX` members; the others wait for the next interval
//! (only each member's latest position is kept), so frames stay small and nothing is dropped
//! while the node runs. What a restart loses, `sync` and the `receipts` request give back.

use super::privacy::Privacy;
use crate::delivery::bus::{Bus, Publication};
use crate::delivery::committer::encode_string;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tern_proto::{ConvId, Receipt, ServerFrame, UserId};
use tokio_util::sync::CancellationToken;

/// Most members listed in one `receipts` frame.
pub const RECEIPTS_FRAME_MAX: usize = 100;
/// The shortest interval honoured, whatever is configured (0 would spin).
const INTERVAL_MIN: Duration = Duration::from_millis(10);

#[derive(Default)]
pub struct Coalescer {
    /// Per conversation, each member's latest position not sent yet.
    pending: Mutex<HashMap<ConvId, HashMap<UserId, u64>>>,
}

impl Coalescer {
    /// Starts the task that sends what gathered every `interval`, until `shutdown`.
    pub fn start(
        bus: Arc<Bus>,
        privacy: Arc<Privacy>,
        interval: Duration,
        shutdown: CancellationToken,
    ) -> Arc<Coalescer> {
        let coalescer = Arc::new(Coalescer::default());
        let me = coalescer.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval.max(INTERVAL_MIN));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = shutdown.cancelled() => return,
                }
                for (conv, receipts) in me.take(&privacy) {
                    let frame = encode_string(&ServerFrame::Receipts {
                        rid: None,
                        conv,
                        receipts,
                    });
                    bus.publish(Publication::Receipts { conv, frame }, None)
                        .await;
                }
            }
        });
        coalescer
    }

    /// `user`'s read position in `conv` is now `seq` (committed).
    pub fn note(&self, conv: ConvId, user: UserId, seq: u64) {
        let mut pending = self.lock();
        let at = pending.entry(conv).or_default().entry(user).or_insert(seq);
        *at = (*at).max(seq);
    }

    /// What to send now: per conversation, up to `RECEIPTS_FRAME_MAX` positions (by user id)
    /// of members who share theirs; the rest stay for the next interval.
    fn take(&self, privacy: &Privacy) -> Vec<(ConvId, Vec<Receipt>)> {
        let mut out = Vec::new();
        let mut pending = self.lock();
        pending.retain(|&conv, moved| {
            moved.retain(|&user, _| !privacy.hides(user));
            let mut users: Vec<UserId> = moved.keys().copied().collect();
            users.sort_unstable();
            users.truncate(RECEIPTS_FRAME_MAX);
            let receipts = users
                .into_iter()
                .filter_map(|user| moved.remove(&user).map(|seq| Receipt { user, seq }))
                .collect::<Vec<_>>();
            if !receipts.is_empty() {
                out.push((conv, receipts));
            }
            !moved.is_empty()
        });
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConvId, HashMap<UserId, u64>>> {
        // Every update completes under the lock: a poisoned map is still whole.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_are_coalesced_per_member_and_bounded_per_frame() {
        let coalescer = Coalescer::default();
        let privacy = Privacy::default();
        let conv = ConvId(1);
        coalescer.note(conv, UserId(1), 5);
        coalescer.note(conv, UserId(1), 7);
        coalescer.note(conv, UserId(1), 6);
        assert_eq!(
            coalescer.take(&privacy),
            [(
                conv,
                vec![Receipt {
                    user: UserId(1),
                    seq: 7
                }]
            )],
            "one entry per member, the furthest position"
        );
        assert!(coalescer.take(&privacy).is_empty(), "sent once");

        let many = RECEIPTS_FRAME_MAX as i64 + 5;
        for user in 1..=many {
            coalescer.note(conv, UserId(user), 9);
        }
        let first = coalescer.take(&privacy);
        assert_eq!(first[0].1.len(), RECEIPTS_FRAME_MAX);
        let rest = coalescer.take(&privacy);
        assert_eq!(rest[0].1.len(), 5, "the rest go in the next interval");
        assert_eq!(rest[0].1[0].user, UserId(RECEIPTS_FRAME_MAX as i64 + 1));
    }

    #[test]
    fn a_member_who_hides_their_receipts_is_left_out() {
        let coalescer = Coalescer::default();
        let privacy = Privacy::default();
        privacy.set(UserId(2), false);
        coalescer.note(ConvId(1), UserId(2), 3);
        coalescer.note(ConvId(1), UserId(3), 3);
        let sent = coalescer.take(&privacy);
        assert_eq!(
            sent[0].1,
            [Receipt {
                user: UserId(3),
                seq: 3
            }]
        );
    }
}
