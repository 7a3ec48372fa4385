//! The threads that own SQLite connections. SQLite is a synchronous library: rather than hand
//! every statement to a connection thread and back (two wake-ups per statement, which was most
//! of the server's CPU under load), a whole operation, a batch of writes or a summary read, is
//! sent to a thread as one job and runs there start to finish with cached prepared statements.
//!
//! One writer thread executes every write, so writers never contend for SQLite's lock; a few
//! reader threads share one queue and answer reads from WAL snapshots in parallel with it.

use crate::{StoreError, StoreResult};
use rusqlite::Connection;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot};

/// Work for a connection thread; `None` tells one thread to stop.
type Job = Option<Box<dyn FnOnce(&mut Connection) + Send>>;

/// Run on a thread after each of its jobs has answered.
pub type AfterJob = Box<dyn Fn(&Connection) + Send + Sync>;

/// Jobs waiting per group of threads; senders wait (asynchronously) when it is full.
const QUEUE: usize = 256;

/// A group of threads, each owning one connection, taking jobs from one shared queue.
pub struct Workers {
    name: &'static str,
    queue: mpsc::Sender<Job>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Workers {
    /// Starts one thread per connection (opened by the caller, so that a database that cannot
    /// be opened fails there rather than inside a thread).
    pub fn start(
        name: &'static str,
        connections: Vec<Connection>,
        after_job: Option<AfterJob>,
    ) -> StoreResult<Workers> {
        let after_job = after_job.map(Arc::new);
        let (queue, receiver) = mpsc::channel::<Job>(QUEUE);
        let receiver = Arc::new(Mutex::new(receiver));
        let mut threads = Vec::with_capacity(connections.len());
        for (i, conn) in connections.into_iter().enumerate() {
            let receiver = Arc::clone(&receiver);
            let after_job = after_job.clone();
            let thread = std::thread::Builder::new()
                .name(format!("tern-sqlite-{name}-{i}"))
                .spawn(move || serve(conn, &receiver, after_job.as_deref()))
                .map_err(|e| StoreError::Internal(format!("starting a SQLite thread: {e}")))?;
            threads.push(thread);
        }
        Ok(Workers {
            name,
            queue,
            threads: Mutex::new(threads),
        })
    }

    /// Runs `job` on one of the connections and returns its result.
    pub async fn run<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let name = self.name;
        let job: Box<dyn FnOnce(&mut Connection) + Send> = Box::new(move |conn| {
            let result = catch_unwind(AssertUnwindSafe(|| job(conn))).unwrap_or_else(|_| {
                // A bug, not bad input: the transaction (if any) rolled back while unwinding,
                // and the thread lives on.
                tracing::error!("a SQLite {name} job panicked");
                Err(StoreError::Internal(format!(
                    "a SQLite {name} job panicked"
                )))
            });
            // The caller may have gone (a dropped request); the work is done either way.
            let _ = reply.send(result);
        });
        self.queue
            .send(Some(job))
            .await
            .map_err(|_| self.stopped())?;
        // A job is only dropped unanswered when the threads stop before reaching it.
        answer.await.map_err(|_| self.stopped())?
    }

    /// Stops every thread once the jobs queued before have run, and waits for them.
    pub async fn stop(&self) {
        let threads = std::mem::take(&mut *lock(&self.threads));
        for _ in 0..threads.len() {
            if self.queue.send(None).await.is_err() {
                break;
            }
        }
        let _ = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        })
        .await;
    }

    fn stopped(&self) -> StoreError {
        StoreError::Unavailable(format!("the SQLite {} threads have stopped", self.name))
    }
}

fn serve(
    mut conn: Connection,
    receiver: &Mutex<mpsc::Receiver<Job>>,
    after_job: Option<&AfterJob>,
) {
    loop {
        // One thread waits on the queue at a time; the others wait for the lock, which is
        // released as soon as a job is taken.
        let job = lock(receiver).blocking_recv();
        let Some(Some(job)) = job else { return };
        job(&mut conn);
        if let Some(after_job) = after_job {
            after_job(&conn);
        }
    }
}

/// A poisoned lock only means another thread panicked while holding it; the data (a queue
/// receiver or a list of handles) is still sound.
pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_a_stopped_group_says_so() {
        let workers =
            Workers::start("test", vec![Connection::open_in_memory().unwrap()], None).unwrap();
        let panicked = workers
            .run(|_| -> StoreResult<()> { panic!("a bug in a job") })
            .await;
        assert!(
            matches!(panicked, Err(StoreError::Internal(_))),
            "{panicked:?}"
        );
        // The one thread survived and answers the next job.
        let answer = workers
            .run(|conn| Ok(conn.query_row("SELECT 6 * 7", [], |row| row.get::<_, i64>(0))?))
            .await;
        assert_eq!(answer.unwrap(), 42);
        workers.stop().await;
        let after = workers.run(|_| Ok(())).await;
        assert!(
            matches!(after, Err(StoreError::Unavailable(_))),
            "{after:?}"
        );
    }
}
