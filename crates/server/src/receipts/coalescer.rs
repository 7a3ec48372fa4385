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
pub const RECEIPTS_FRAME_MAX: usize = 500;
/// The shortest interval honoured, whatever is configured (0 would spin).
const INTERVAL_MIN: Duration = Duration::from_millis(10);
/// Turns per interval: conversation `c` is sent on turn `c % SLICES`.
const SLICES: i64 = 10;

/// What is waiting to be sent for one member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    /// Read up to this seq.
    Read(u64),
    /// Stopped sharing their position (clients forget it).
    Hidden,
}

/// One member's pending mark, with when it was first noted (the longest waiting go first).
#[derive(Clone, Copy, Debug)]
struct Pending {
    mark: Mark,
    since: u64,
}

#[derive(Default)]
pub struct Coalescer {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Per conversation, each member's latest mark not sent yet.
    pending: HashMap<ConvId, HashMap<UserId, Pending>>,
    /// Counts notes: orders the waiting marks.
    noted: u64,
}

impl Coalescer {
    /// Starts the task that sends what gathered, until `shutdown`. Each conversation's turn
    /// comes once per `interval`; the conversations take their turns spread over it (by id), so
    /// a busy node sends a steady trickle of frames rather than a burst every interval.
    pub fn start(
        bus: Arc<Bus>,
        privacy: Arc<Privacy>,
        interval: Duration,
        shutdown: CancellationToken,
    ) -> Arc<Coalescer> {
        let coalescer = Arc::new(Coalescer::default());
        let me = coalescer.clone();
        tokio::spawn(async move {
            let slice = interval.max(INTERVAL_MIN) / SLICES as u32;
            let mut ticks = tokio::time::interval(slice);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut turn = 0;
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = shutdown.cancelled() => return,
                }
                turn = (turn + 1) % SLICES;
                for (conv, receipts) in me.take(&privacy, turn) {
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
        self.put(conv, user, |was| match was {
            Some(Mark::Read(at)) => Mark::Read(at.max(seq)),
            _ => Mark::Read(seq),
        });
    }

    /// `user` stopped sharing their position: the members of `conv` are told to forget it.
    pub fn hide(&self, conv: ConvId, user: UserId) {
        self.put(conv, user, |_| Mark::Hidden);
    }

    fn put(&self, conv: ConvId, user: UserId, mark: impl FnOnce(Option<Mark>) -> Mark) {
        let mut state = self.lock();
        state.noted += 1;
        let noted = state.noted;
        let members = state.pending.entry(conv).or_default();
        let was = members.get(&user).copied();
        members.insert(
            user,
            Pending {
                mark: mark(was.map(|p| p.mark)),
                since: was.map_or(noted, |p| p.since),
            },
        );
    }

    /// What to send on `turn`: for its conversations, up to `RECEIPTS_FRAME_MAX` members, the
    /// longest waiting first (so none waits for ever however many read), leaving out reads of
    /// members who do not share theirs; the rest stay for the next interval.
    fn take(&self, privacy: &Privacy, turn: i64) -> Vec<(ConvId, Vec<Receipt>)> {
        let mut out = Vec::new();
        let mut state = self.lock();
        state.pending.retain(|&conv, members| {
            if conv.0.rem_euclid(SLICES) != turn {
                return true;
            }
            members.retain(|&user, p| p.mark == Mark::Hidden || !privacy.hides(user));
            let mut waiting: Vec<(u64, UserId)> =
                members.iter().map(|(u, p)| (p.since, *u)).collect();
            waiting.sort_unstable();
            waiting.truncate(RECEIPTS_FRAME_MAX);
            let receipts = waiting
                .into_iter()
                .filter_map(|(_, user)| {
                    members.remove(&user).map(|p| match p.mark {
                        Mark::Read(seq) => Receipt::at(user, seq),
                        Mark::Hidden => Receipt {
                            user,
                            seq: 0,
                            hidden: true,
                        },
                    })
                })
                .collect::<Vec<_>>();
            if !receipts.is_empty() {
                out.push((conv, receipts));
            }
            !members.is_empty()
        });
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Every update completes under the lock: a poisoned map is still whole.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
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
            coalescer.take(&privacy, 1),
            [(conv, vec![Receipt::at(UserId(1), 7)])],
            "one entry per member, the furthest position"
        );
        assert!(coalescer.take(&privacy, 1).is_empty(), "sent once");

        let many = RECEIPTS_FRAME_MAX as i64 + 5;
        for user in 1..=many {
            coalescer.note(conv, UserId(user), 9);
        }
        let first = coalescer.take(&privacy, 1);
        assert_eq!(first[0].1.len(), RECEIPTS_FRAME_MAX);
        // Meanwhile the first ones read further: they wait behind those noted before.
        coalescer.note(conv, UserId(1), 10);
        let rest = coalescer.take(&privacy, 1);
        assert_eq!(rest[0].1.len(), 6, "the rest go in the next interval");
        assert_eq!(rest[0].1[0].user, UserId(RECEIPTS_FRAME_MAX as i64 + 1));
        assert_eq!(rest[0].1[5], Receipt::at(UserId(1), 10));
    }

    #[test]
    fn stopping_to_share_is_announced_and_drops_a_pending_read() {
        let coalescer = Coalescer::default();
        let privacy = Privacy::default();
        coalescer.note(ConvId(1), UserId(2), 3);
        privacy.set(UserId(2), false);
        coalescer.hide(ConvId(1), UserId(2));
        let sent = coalescer.take(&privacy, 1);
        assert_eq!(
            sent[0].1,
            [Receipt {
                user: UserId(2),
                seq: 0,
                hidden: true
            }]
        );
    }

    #[test]
    fn a_member_who_hides_their_receipts_is_left_out() {
        let coalescer = Coalescer::default();
        let privacy = Privacy::default();
        privacy.set(UserId(2), false);
        coalescer.note(ConvId(1), UserId(2), 3);
        coalescer.note(ConvId(1), UserId(3), 3);
        let sent = coalescer.take(&privacy, 1);
        assert_eq!(sent[0].1, [Receipt::at(UserId(3), 3)]);
    }
}
