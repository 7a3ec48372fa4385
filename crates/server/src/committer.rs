//! The Committer: the one task per node that writes conversation state. It gathers whatever
//! writes are waiting into one batch (group commit), commits it, and then, in commit order,
//! publishes the new events to the Hub and answers the writers.
//!
//! Publishing from this one task is what keeps live delivery in seq order per conversation:
//! two messages committed in one batch can never overtake each other on the way out.

use crate::bus::{Bus, Message};
use crate::error::{AppError, AppResult};
use crate::hub::ConnHandle;
use axum::extract::ws::Utf8Bytes;
use std::sync::Arc;
use tern_proto::{Content, ServerFrame, SystemEvent, UserId};
use tern_store::{Store, WriteOp, WriteOutcome, WriteResult};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Writes waiting for the committer; senders wait (backpressure) when it is full.
const QUEUE_CAPACITY: usize = 4096;

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
}

impl Committer {
    pub fn start(
        store: Arc<dyn Store>,
        bus: Arc<Bus>,
        batch_max: usize,
    ) -> (Committer, JoinHandle<()>) {
        let (jobs, rx) = mpsc::channel(QUEUE_CAPACITY);
        let task = CommitTask {
            store,
            bus,
            batch_max,
        };
        (Committer { jobs }, tokio::spawn(task.run(rx)))
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
    batch_max: usize,
}

impl CommitTask {
    async fn run(self, mut rx: mpsc::Receiver<Job>) {
        let mut jobs = Vec::with_capacity(self.batch_max);
        while rx.recv_many(&mut jobs, self.batch_max).await > 0 {
            let mut ops = Vec::with_capacity(jobs.len());
            let mut replies = Vec::with_capacity(jobs.len());
            for job in jobs.drain(..) {
                ops.push(job.op);
                replies.push((job.reply, job.origin));
            }
            match self.store.write(ops).await {
                Ok(results) => {
                    for (result, (reply, origin)) in results.into_iter().zip(replies) {
                        self.publish(&result, origin).await;
                        answer(reply, result.map_err(AppError::from));
                    }
                }
                Err(e) => {
                    let error = AppError::from(e);
                    let (code, message) = error.public();
                    for (reply, _) in replies {
                        answer(reply, Err(AppError::Client(code, message.clone())));
                    }
                }
            }
        }
        tracing::debug!("committer stopped");
    }

    /// Turns a committed result into what the Bus carries; the frame is encoded once here.
    async fn publish(&self, result: &WriteResult, skip: Option<u64>) {
        let message = match result {
            Ok(WriteOutcome::Appended {
                event,
                duplicate: false,
            }) => Message::ToMembers {
                conv: event.conv,
                frame: encode_string(&ServerFrame::Event(event.clone())),
            },
            Ok(WriteOutcome::MembershipChanged { event, notify }) => {
                let (added, removed) = membership_delta(&event.content);
                Message::Membership {
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
                moved: true,
            }) => Message::ToUser {
                user: *user,
                frame: encode_string(&ServerFrame::Read {
                    rid: None,
                    conv: *conv,
                    read_seq: *read_seq,
                    unread: *unread,
                }),
            },
            _ => return,
        };
        self.bus.publish(message, skip).await;
    }
}

/// Who joined and who left, by a membership event.
fn membership_delta(content: &Content) -> (Vec<UserId>, Vec<UserId>) {
    match content {
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
            conn.push(encode(&frame));
        }
    }
}

/// Serializes a frame once; the bytes are shared by every recipient.
pub fn encode(frame: &ServerFrame) -> Utf8Bytes {
    encode_string(frame).into()
}

fn encode_string(frame: &ServerFrame) -> String {
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
