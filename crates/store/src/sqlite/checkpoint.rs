//! The checkpointer: copies committed pages from the write-ahead log back into the database
//! file on its own thread and connection.
//!
//! SQLite would otherwise checkpoint inside a commit on the writer thread whenever the log
//! passes 1,000 pages: a burst of writes and two fsyncs that stalls every message queued
//! behind that commit for milliseconds (it was the whole p99 of the 1:1 latency benchmark).
//! A passive checkpoint here runs beside the writer without blocking it.
//!
//! The log can only start over from its beginning (instead of growing, which costs the kernel
//! a zeroed page per frame) when a checkpoint has copied *every* frame before the writer's next
//! transaction, and under steady writes this thread never catches up exactly. So once the log
//! is long, the writer finishes the job itself between two batches (`after_write`): by then
//! only the frames of the last few batches are left to copy, and both fsyncs are short.

use super::workers::lock;
use crate::{StoreError, StoreResult};
use rusqlite::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the log is copied back while writes keep coming.
const INTERVAL: Duration = Duration::from_millis(100);
/// Log length (frames of one page, 4 KiB each) from which the writer restarts it.
const RESTART_FRAMES: i64 = 1024;

pub struct Checkpointer {
    state: Arc<State>,
    thread: std::sync::Mutex<Option<JoinHandle<()>>>,
}

struct State {
    /// Set by every write, cleared by the checkpoint that follows it.
    dirty: AtomicBool,
    /// Set when the log is long enough to be worth restarting; taken by the writer.
    restart_due: AtomicBool,
    stop: AtomicBool,
}

impl Checkpointer {
    pub fn start(conn: Connection) -> StoreResult<Checkpointer> {
        let state = Arc::new(State {
            dirty: AtomicBool::new(false),
            restart_due: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        });
        let shared = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("tern-sqlite-checkpoint".into())
            .spawn(move || run(&conn, &shared))
            .map_err(|e| StoreError::Internal(format!("starting the checkpointer: {e}")))?;
        Ok(Checkpointer {
            state,
            thread: std::sync::Mutex::new(Some(thread)),
        })
    }

    /// Notes that the log has grown.
    pub fn wrote(&self) {
        self.state.dirty.store(true, Ordering::Relaxed);
    }

    /// Run by the writer thread between batches: copies the last frames when the log is due a
    /// restart, so that the next transaction writes from its beginning again.
    pub fn after_write(&self, writer: &Connection) {
        if self.state.restart_due.swap(false, Ordering::Relaxed)
            && let Err(e) = checkpoint(writer)
        {
            tracing::warn!(error = %e, "SQLite checkpoint on the writer failed");
        }
    }

    /// Runs a last checkpoint and stops the thread.
    pub async fn stop(&self) {
        self.state.stop.store(true, Ordering::Relaxed);
        let thread = lock(&self.thread).take();
        if let Some(thread) = thread {
            thread.thread().unpark();
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

fn run(conn: &Connection, state: &State) {
    loop {
        std::thread::park_timeout(INTERVAL);
        let stopping = state.stop.load(Ordering::Relaxed);
        if state.dirty.swap(false, Ordering::Relaxed) || stopping {
            match checkpoint(conn) {
                Ok(frames) if frames >= RESTART_FRAMES => {
                    state.restart_due.store(true, Ordering::Relaxed);
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "SQLite checkpoint failed; retrying later");
                    state.dirty.store(true, Ordering::Relaxed);
                }
            }
        }
        if stopping {
            return;
        }
    }
}

/// A PASSIVE checkpoint: copies what no reader still needs, never waits for or blocks anyone.
/// Returns the length of the log in frames.
fn checkpoint(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
}
