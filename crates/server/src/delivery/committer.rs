//! The Committer: the one task per node that writes conversation state. It gathers whatever
//! writes are waiting into one batch (group commit), commits it, and then, in commit order,
//! publishes the new events to the Hub and answers the writers.
//!
//! Publishing from this one task is what keeps live delivery in seq order per conversation:
//! two messages committed in one batch can never overtake each other on the way out.
//!
//! It never stops while writers exist. A batch the database refuses fails with a retryable
//! error; a batch that fails for a reason other than the database being unavailable is retried
//! one op at a time, so one bad op fails alone rather than its neighbours; while writes fail,
//! `/readyz` says so (`WriteHealth`) and an empty write probes the database every second until
//! one succeeds. A panic (a bug) fails its batch and the loop starts over.

use crate::delivery::bus::{Bus, Publication};
use crate::delivery::hub::ConnHandle;
use crate::error::{AppError, AppResult};
use crate::receipts::Coalescer;
use axum::extract::ws::Utf8Bytes;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tern_proto::{Content, ServerFrame, SystemEvent, UserId};
use tern_store::{Store, StoreError, WriteOp, WriteOutcome, WriteResult};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// Writes waiting for the committer; senders wait (backpressure) when it is full.
const QUEUE_CAPACITY: usize = 4096;
/// While writes fail, how often an empty write checks whether the database takes writes again.
const PROBE_EVERY: Duration = Duration::from_secs(1);

/// Whether this node can store writes right now, for the readiness probe.
#[derive(Default)]
pub struct WriteHealth {
    failing: AtomicBool,
    stopped: AtomicBool,
}

impl WriteHealth {
    /// None while writes succeed; otherwise why they do not.
    pub fn problem(&self) -> Option<&'static str> {
        if self.stopped.load(Ordering::Relaxed) {
            Some("stopped")
        } else if self.failing.load(Ordering::Relaxed) {
            Some("failing")
        } else {
            None
        }
    }

    fn set_failing(&self, failing: bool) {
        if self.failing.swap(failing, Ordering::Relaxed) != failing {
            if failing {
                tracing::warn!("writes are failing; this node reports itself not ready");
            } else {
                tracing::info!("writes succeed again; this node is ready");
            }
        }
    }
}

/// Where the result of a write goes.
pub enum Reply {
    /// An `ack` (or `error`) frame into this connection's queue, in commit order; this
    /// connection does not also receive the event.
    Connection { conn: ConnHandle, rid: Option<u64> },
    /// The outcome handed back to an awaiting caller (HTTP handlers, non-send frames).
    Caller(oneshot::Sender<AppResult<WriteOutcome>>),
}

struct Job {
    op: WriteOp,
    reply: Reply,
    /// The connection the write came from: it is answered directly, so publishing skips it.
    origin: Option<u64>,
}

#[derive(Clone)]
pub struct Committer {
    jobs: mpsc::Sender<Job>,
    health: Arc<WriteHealth>,
}

impl Committer {
    /// Starts the task; `commits` ticks after every commit (followers wake on it).
    pub fn start(
        store: Arc<dyn Store>,
        bus: Arc<Bus>,
        receipts: Arc<Coalescer>,
        batch_max: usize,
        commits: watch::Sender<u64>,
    ) -> (Committer, JoinHandle<()>) {
        let (jobs, rx) = mpsc::channel(QUEUE_CAPACITY);
        let health = Arc::new(WriteHealth::default());
        let task = CommitTask {
            store,
            bus,
            receipts,
            batch_max,
            health: health.clone(),
            commits,
        };
        (Committer { jobs, health }, tokio::spawn(task.run(rx)))
    }

    pub fn health(&self) -> &WriteHealth {
        &self.health
    }

    /// Queues a write whose result goes to `reply`.
    pub async fn submit(&self, op: WriteOp, reply: Reply) -> AppResult<()> {
        let origin = match &reply {
            Reply::Connection { conn, .. } => Some(conn.id),
            Reply::Caller(_) => None,
        };
        self.enqueue(Job { op, reply, origin }).await
    }

    /// Queues a write and waits for its outcome.
    pub async fn write(&self, op: WriteOp) -> AppResult<WriteOutcome> {
        self.write_from(None, op).await
    }

    /// Like `write`, for a write made on connection `origin`, which publishing then skips.
    pub async fn write_from(&self, origin: Option<u64>, op: WriteOp) -> AppResult<WriteOutcome> {
        let (tx, rx) = oneshot::channel();
        let reply = Reply::Caller(tx);
        self.enqueue(Job { op, reply, origin }).await?;
        rx.await
            .map_err(|_| AppError::Unavailable("the committer has stopped".into()))?
    }

    async fn enqueue(&self, job: Job) -> AppResult<()> {
        self.jobs
            .send(job)
            .await
            .map_err(|_| AppError::Unavailable("the committer has stopped".into()))
    }
}

struct CommitTask {
    store: Arc<dyn Store>,
    bus: Arc<Bus>,
    receipts: Arc<Coalescer>,
    batch_max: usize,
    health: Arc<WriteHealth>,
    commits: watch::Sender<u64>,
}

impl CommitTask {
    /// Serves until every `Committer` handle is gone and the queue is drained.
    async fn run(self, mut rx: mpsc::Receiver<Job>) {
        loop {
            match AssertUnwindSafe(self.serve(&mut rx)).catch_unwind().await {
                Ok(()) => break,
                Err(_) => {
                    // A bug. The batch in hand is lost unanswered (its writers get
                    // `unavailable`, and resend); nothing of it was acknowledged.
                    tracing::error!("the committer panicked; it starts over");
                    self.health.set_failing(true);
                }
            }
        }
        self.health.stopped.store(true, Ordering::Relaxed);
        tracing::debug!("committer stopped");
    }

    async fn serve(&self, rx: &mut mpsc::Receiver<Job>) {
        let mut jobs = Vec::with_capacity(self.batch_max);
        loop {
            let failing = self.health.failing.load(Ordering::Relaxed);
            tokio::select! {
                n = rx.recv_many(&mut jobs, self.batch_max) => if n == 0 { return },
                _ = tokio::time::sleep(PROBE_EVERY), if failing => {
                    self.probe().await;
                    continue;
                }
            }
            let mut ops = Vec::with_capacity(jobs.len());
            let mut replies = Vec::with_capacity(jobs.len());
            for job in jobs.drain(..) {
                ops.push(job.op);
                replies.push((job.reply, job.origin));
            }
            let results = self.commit(ops).await;
            for (result, (reply, origin)) in results.into_iter().zip(replies) {
                if let Ok(result) = &result {
                    self.publish(result, origin).await;
                }
                answer(reply, result.and_then(|r| r.map_err(AppError::from)));
            }
        }
    }

    /// Commits a batch; one result per op. A batch that fails for another reason than the
    /// database being unavailable is tried again op by op, so a poison op fails alone.
    async fn commit(&self, ops: Vec<WriteOp>) -> Vec<AppResult<WriteResult>> {
        let count = ops.len();
        let retry = (count > 1).then(|| ops.clone());
        match self.store.write(ops).await {
            Ok(results) => {
                self.health.set_failing(false);
                self.commits.send_modify(|n| *n += 1);
                results.into_iter().map(Ok).collect()
            }
            Err(StoreError::Unavailable(detail)) => {
                self.health.set_failing(true);
                let error = AppError::Unavailable(detail);
                let (code, message) = error.public();
                (0..count)
                    .map(|_| Err(AppError::Client(code, message.clone())))
                    .collect()
            }
            Err(e) => match retry {
                Some(ops) => {
                    tracing::warn!(error = %e, ops = count, "write batch failed; retrying op by op");
                    let mut results = Vec::with_capacity(count);
                    for op in ops {
                        results.push(self.commit_one(op).await);
                    }
                    results
                }
                None => vec![Err(AppError::from(e))],
            },
        }
    }

    async fn commit_one(&self, op: WriteOp) -> AppResult<WriteResult> {
        let mut results = self.store.write(vec![op]).await?;
        self.health.set_failing(false);
        self.commits.send_modify(|n| *n += 1);
        results
            .pop()
            .ok_or_else(|| AppError::Internal("a write returned no result".into()))
    }

    /// An empty write: succeeds once the database takes writes again.
    async fn probe(&self) {
        match self.store.write(Vec::new()).await {
            Ok(_) => self.health.set_failing(false),
            Err(e) => tracing::debug!(error = %e, "write probe failed"),
        }
    }

    /// Turns a committed result into what the Bus carries; the frame is encoded once here.
    async fn publish(&self, result: &WriteResult, skip: Option<u64>) {
        if let Ok(WriteOutcome::Changed {
            events,
            duplicate: false,
        }) = result
        {
            // Every connection applies a change the same way, the one that asked included.
            for event in events {
                let publication = Publication::ToMembers {
                    conv: event.conv,
                    frame: encode_string(&ServerFrame::Event(event.clone())),
                };
                self.bus.publish(publication, None).await;
            }
            return;
        }
        let publication = match result {
            Ok(WriteOutcome::Appended {
                event,
                duplicate: false,
            }) => Publication::ToMembers {
                conv: event.conv,
                frame: encode_string(&ServerFrame::Event(event.clone())),
            },
            Ok(WriteOutcome::MembershipChanged { event, notify }) => {
                let (added, removed) = membership_delta(&event.content, notify);
                Publication::Membership {
                    conv: event.conv,
                    frame: encode_string(&ServerFrame::Event(event.clone())),
                    notify: notify.clone(),
                    added,
                    removed,
                }
            }
            Ok(WriteOutcome::ReadMoved {
                conv,
                user,
                read_seq,
                unread,
                unread_mentions,
                moved: true,
                active,
            }) => {
                // Only a read is announced: that sending moves the sender's own position, the
                // other members learn from the message itself (a receipt for every message
                // would cost every active conversation a frame per interval).
                if *active {
                    self.receipts.note(*conv, *user, *read_seq);
                }
                Publication::ToUser {
                    user: *user,
                    frame: encode_string(&ServerFrame::Read {
                        rid: None,
                        conv: *conv,
                        read_seq: *read_seq,
                        unread: *unread,
                        unread_mentions: *unread_mentions,
                    }),
                }
            }
            Ok(WriteOutcome::PreferencesChanged {
                conv,
                user,
                notify,
                top,
                changed: true,
            }) => Publication::ToUser {
                user: *user,
                frame: encode_string(&ServerFrame::Preferences {
                    rid: None,
                    conv: *conv,
                    notify: *notify,
                    top: *top,
                }),
            },
            _ => return,
        };
        self.bus.publish(publication, skip).await;
    }
}

/// Who joined and who left, by a membership event told to `notify`.
fn membership_delta(content: &Content, notify: &[UserId]) -> (Vec<UserId>, Vec<UserId>) {
    match content {
        Content::System(SystemEvent::Dissolved) => (vec![], notify.to_vec()),
        Content::System(SystemEvent::GroupCreated { members, .. }) => (members.clone(), vec![]),
        Content::System(SystemEvent::MembersAdded { users }) => (users.clone(), vec![]),
        Content::System(
            SystemEvent::MemberRemoved { user } | SystemEvent::MemberLeft { user, .. },
        ) => (vec![], vec![*user]),
        _ => (vec![], vec![]),
    }
}

fn answer(reply: Reply, result: AppResult<WriteOutcome>) {
    match reply {
        Reply::Caller(tx) => {
            // The caller may have gone away (connection closed); nothing to do then.
            let _ = tx.send(result);
        }
        Reply::Connection { conn, rid } => {
            let frame = match result {
                Ok(WriteOutcome::Appended { event, duplicate }) => ServerFrame::Ack {
                    rid,
                    conv: event.conv,
                    cmid: event.cmid.unwrap_or_default(),
                    seq: event.seq,
                    id: event.id,
                    ts: event.ts,
                    duplicate,
                },
                Ok(other) => {
                    tracing::error!(?other, "connection reply for a write that is not a send");
                    return;
                }
                Err(e) => e.into_frame(rid),
            };
            conn.push_ack(encode(&frame));
        }
    }
}

/// Serializes a frame once; the bytes are shared by every recipient.
pub fn encode(frame: &ServerFrame) -> Utf8Bytes {
    encode_string(frame).into()
}

pub fn encode_string(frame: &ServerFrame) -> String {
    match serde_json::to_string(frame) {
        Ok(s) => s,
        // Our own frame types always serialize; if that ever breaks, say so loudly.
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize a server frame");
            r#"{"type":"error","code":"internal","message":"serialization failed","retryable":true}"#
                .to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::hub::Hub;
    use tern_store::postgres::PgStore;
    use tern_store::testing::TestDatabase;

    /// PostgreSQL refuses a NUL in text: the op carrying it fails, its neighbours in the same
    /// batch commit. (The server refuses such input before it gets here; this guards the
    /// next bad op nobody has thought of yet.)
    #[tokio::test]
    async fn a_poison_op_fails_alone_and_its_batch_neighbours_commit() {
        let Some(db) = TestDatabase::create().await else {
            return;
        };
        let store: Arc<dyn Store> = Arc::new(PgStore::open(&db.url, 2).await.unwrap());
        let a = store.create_user("a", "a", "h").await.unwrap().id;
        let b = store.create_user("b", "b", "h").await.unwrap().id;
        let privacy = Arc::new(crate::receipts::Privacy::default());
        let bus = Bus::new(Arc::new(Hub::default()), store.clone(), privacy, None);
        let receipts = Arc::new(Coalescer::default());
        let (committer, _task) =
            Committer::start(store.clone(), bus, receipts, 256, watch::channel(0).0);
        let conv = match committer.write(WriteOp::OpenDirect { a, b }).await.unwrap() {
            WriteOutcome::DirectOpened { conv, .. } => conv,
            other => panic!("{other:?}"),
        };
        let append = |cmid: &str, text: &str| WriteOp::Append {
            conv,
            sender: a,
            cmid: cmid.into(),
            content: Content::text(text),
        };
        // Polled together, so that all three wait in the queue when the committer takes a batch.
        let (good, poison, after) = tokio::join!(
            committer.write(append("good", "fine")),
            committer.write(append("bad\0id", "fine")),
            committer.write(append("after", "also fine")),
        );
        assert!(
            matches!(good, Ok(WriteOutcome::Appended { .. })),
            "{good:?}"
        );
        assert!(
            matches!(after, Ok(WriteOutcome::Appended { .. })),
            "{after:?}"
        );
        assert!(poison.is_err(), "{poison:?}");
        assert_eq!(
            committer.health().problem(),
            None,
            "one bad op is not an outage"
        );
        let events = store.events_after(conv, 0, u64::MAX, 10).await.unwrap();
        assert_eq!(events.len(), 2);
    }
}
