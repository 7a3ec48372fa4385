//! The SQLite backend: WAL mode, one file under the data directory, one writer thread that
//! runs every write (conversation batches in one `BEGIN IMMEDIATE` transaction each) and a few
//! reader threads, each owning its connection (see `workers`).

mod checkpoint;
mod followers;
mod migrations;
mod summaries;
mod workers;
mod writer;

pub use migrations::MIGRATIONS;

use crate::backend::{AnySql, Backend, Job};
use crate::sql::sqlite::{SqliteSql, run_now};
use crate::{ChangePos, FollowerPos, StoreResult, SummaryPage, WriteOp, WriteResult};
use checkpoint::Checkpointer;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use tern_proto::{ConvId, ConversationReceipts, ConversationSummary, Event, UserId};
use workers::Workers;

/// Reader connections: reads run in parallel with each other and with the writer.
const READERS: usize = 4;
/// Prepared statements kept per connection; the backend has fewer distinct statements.
const STATEMENT_CACHE: usize = 64;

/// How much a committed write survives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Survives a crash or kill -9 of the tern process (WAL, `synchronous=NORMAL`). Default.
    Process,
    /// Also survives power loss or an OS crash (`synchronous=FULL`: an fsync per commit, shared
    /// by every message in the batch).
    Power,
}

pub struct SqliteStore {
    writer: Workers,
    readers: Workers,
    checkpointer: Arc<Checkpointer>,
}

/// The connections of one database, before their threads start.
struct Connections {
    writer: Connection,
    readers: Vec<Connection>,
    checkpointer: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path, durability: Durability) -> StoreResult<Self> {
        let path = path.to_owned();
        // Opening and migrating touch the disk: off the async threads.
        let connections = tokio::task::spawn_blocking(move || open_all(&path, durability))
            .await
            .map_err(|e| crate::StoreError::Internal(format!("opening SQLite: {e}")))??;
        let checkpointer = Arc::new(Checkpointer::start(connections.checkpointer)?);
        let after_write = Arc::clone(&checkpointer);
        Ok(SqliteStore {
            writer: Workers::start(
                "writer",
                vec![connections.writer],
                Some(Box::new(move |conn| after_write.after_write(conn))),
            )?,
            readers: Workers::start("reader", connections.readers, None)?,
            checkpointer,
        })
    }

    async fn read_raw<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        self.readers.run(job).await
    }

    async fn write_raw<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let result = self.writer.run(job).await;
        self.checkpointer.wrote();
        result
    }
}

/// The writer (which creates and migrates the database first), the readers, the checkpointer.
fn open_all(path: &Path, durability: Durability) -> StoreResult<Connections> {
    let mut writer = open_one(path, OpenFlags::SQLITE_OPEN_CREATE, durability)?;
    writer.pragma_update(None, "journal_mode", "WAL")?;
    // Checkpoints run on the checkpointer's thread, never inside a commit (see `checkpoint`);
    // the log file is cut back to 64 MiB after each reset.
    writer.pragma_update(None, "wal_autocheckpoint", 0)?;
    writer.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    migrations::apply(&mut writer)?;
    let readers = (0..READERS)
        .map(|_| {
            let reader = open_one(path, OpenFlags::empty(), durability)?;
            // Every write goes through the writer thread; a write here would be a bug.
            reader.pragma_update(None, "query_only", true)?;
            Ok(reader)
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let checkpointer = open_one(path, OpenFlags::empty(), durability)?;
    Ok(Connections {
        writer,
        readers,
        checkpointer,
    })
}

fn open_one(path: &Path, extra: OpenFlags, durability: Durability) -> StoreResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI
        | extra;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(
        None,
        "synchronous",
        match durability {
            Durability::Process => "NORMAL",
            Durability::Power => "FULL",
        },
    )?;
    // 16 MiB of page cache per connection at most (the default is 2 MiB): the unique indexes
    // a message insert probes stay in memory instead of being re-read through the kernel.
    conn.pragma_update(None, "cache_size", -16 * 1024)?;
    Ok(conn)
}

impl Backend for SqliteStore {
    async fn read_job<T: Send + 'static>(&self, job: impl Job<T>) -> StoreResult<T> {
        self.readers
            .run(move |conn| run_now(job(&mut AnySql::Sqlite(SqliteSql::new(conn)))))
            .await
    }

    async fn write_job<T: Send + 'static>(&self, job: impl Job<T>) -> StoreResult<T> {
        self.write_raw(move |conn| run_now(job(&mut AnySql::Sqlite(SqliteSql::new(conn)))))
            .await
    }

    async fn ping(&self) -> StoreResult<()> {
        // Reads a table, so a missing or unreadable database file shows up here.
        self.read_raw(|conn| {
            conn.prepare_cached("SELECT value FROM counters LIMIT 1")?
                .query([])?
                .next()?;
            Ok(())
        })
        .await
    }

    async fn close(&self) {
        self.readers.stop().await;
        self.writer.stop().await;
        self.checkpointer.stop().await;
    }

    async fn apply(&self, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
        self.write_raw(move |conn| writer::write(conn, ops)).await
    }

    async fn summaries(
        &self,
        user: UserId,
        since: Option<ChangePos>,
        only: Option<ConvId>,
        page: Option<SummaryPage>,
    ) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
        self.read_raw(move |conn| summaries::summaries(conn, user, since, only, page))
            .await
    }

    async fn receipts_since(
        &self,
        user: UserId,
        convs: Vec<ConvId>,
        since: ChangePos,
    ) -> StoreResult<Vec<ConversationReceipts>> {
        self.read_raw(move |conn| summaries::receipts_since(conn, user, &convs, &since))
            .await
    }

    async fn log_position(&self) -> StoreResult<FollowerPos> {
        self.read_raw(|conn| followers::current(conn)).await
    }

    async fn log_read(
        &self,
        from: &FollowerPos,
        limit: u32,
    ) -> StoreResult<(Vec<Event>, FollowerPos)> {
        let from = from.clone();
        self.read_raw(move |conn| followers::read(conn, &from, limit))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountStore, EventStore};

    async fn open() -> Option<(tempfile::TempDir, SqliteStore)> {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db"), Durability::Process)
            .await
            .unwrap();
        Some((dir, store))
    }

    crate::conformance_tests!(open());

    #[tokio::test]
    async fn reopening_applies_nothing_twice_and_keeps_data() {
        let (dir, store) = open().await.unwrap();
        store.create_user("alice", "Alice", "h").await.unwrap();
        store.close().await;
        let again = SqliteStore::open(&dir.path().join("t.db"), Durability::Power)
            .await
            .unwrap();
        assert!(again.user_by_username("alice").await.unwrap().is_some());
        let versions: Vec<i64> = again
            .read_raw(|conn| {
                let mut statement = conn.prepare("SELECT version FROM schema_migrations")?;
                let versions = statement.query_map([], |row| row.get(0))?;
                Ok(versions.collect::<Result<Vec<i64>, _>>()?)
            })
            .await
            .unwrap();
        let expected: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(versions, expected);
    }

    /// The write-ahead log's checkpoint sequence number (header bytes 12..16): SQLite bumps it
    /// each time the log starts over from its beginning.
    fn log_generation(dir: &Path) -> u32 {
        let header = std::fs::read(dir.join("t.db-wal")).unwrap_or_default();
        header
            .get(12..16)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_starts_over_while_writes_keep_coming() {
        use crate::{WriteOp, WriteOutcome};
        use std::sync::atomic::{AtomicBool, Ordering};
        use tern_proto::Content;
        let (dir, store) = open().await.unwrap();
        let store = Arc::new(store);
        let a = store.create_user("a", "a", "h").await.unwrap().id;
        let b = store.create_user("b", "b", "h").await.unwrap().id;
        let conv = match store
            .write(vec![WriteOp::OpenDirect { a, b }])
            .await
            .unwrap()[0]
        {
            Ok(WriteOutcome::DirectOpened { conv, .. }) => conv,
            ref other => panic!("{other:?}"),
        };
        let start = log_generation(dir.path());
        let done = Arc::new(AtomicBool::new(false));
        // Several writers, so the writer thread always has the next batch queued and the
        // checkpointer never finds it idle: the log must start over all the same.
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (store, done) = (Arc::clone(&store), Arc::clone(&done));
                tokio::spawn(async move {
                    let mut n = 0u64;
                    while !done.load(Ordering::Relaxed) {
                        let ops = (0..50)
                            .map(|_| {
                                n += 1;
                                WriteOp::Append {
                                    conv,
                                    sender: a,
                                    cmid: format!("w{w}-{n}"),
                                    content: Content::text("x".repeat(200)),
                                }
                            })
                            .collect();
                        for result in store.write(ops).await.unwrap() {
                            assert!(result.is_ok());
                        }
                    }
                    n
                })
            })
            .collect();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let mut restarted = false;
        while !restarted && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            restarted = log_generation(dir.path()) != start;
        }
        done.store(true, Ordering::Relaxed);
        let mut n = 0;
        for w in writers {
            n += w.await.unwrap();
        }
        assert!(
            restarted,
            "the log never started over ({n} messages written)"
        );
        let wal = std::fs::metadata(dir.path().join("t.db-wal"))
            .unwrap()
            .len();
        assert!(
            wal < 64 * 1024 * 1024,
            "log of {wal} bytes after {n} messages"
        );
    }
}
