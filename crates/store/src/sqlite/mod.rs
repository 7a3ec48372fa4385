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

use crate::queries::{self, accounts, conversations, events};
use crate::sql::sqlite::{SqliteSql, run_now};
use crate::{
    ChangePos, FollowerPos, MemberRecord, SessionRecord, Store, StoreResult, SummaryPage,
    UserCredentials, WriteOp, WriteResult,
};
use async_trait::async_trait;
use checkpoint::Checkpointer;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use tern_proto::{ConvId, ConversationSummary, Event, SessionId, UserId, UserProfile};
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

    async fn read<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        self.readers.run(job).await
    }

    /// A read written once for both backends (`queries`), on a reader thread.
    async fn read_with<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteSql<'_>) -> StoreResult<T> + Send + 'static,
    {
        self.readers
            .run(move |conn| job(&mut SqliteSql::new(conn)))
            .await
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

    /// A write written once for both backends (`queries`), on the writer thread.
    async fn write_with<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteSql<'_>) -> StoreResult<T> + Send + 'static,
    {
        self.write_raw(move |conn| job(&mut SqliteSql::new(conn)))
            .await
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

#[async_trait]
impl Store for SqliteStore {
    async fn close(&self) {
        self.readers.stop().await;
        self.writer.stop().await;
        self.checkpointer.stop().await;
    }

    async fn ping(&self) -> StoreResult<()> {
        // Reads a table, so a missing or unreadable database file shows up here.
        self.read(|conn| {
            conn.prepare_cached("SELECT value FROM counters LIMIT 1")?
                .query([])?
                .next()?;
            Ok(())
        })
        .await
    }

    async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<UserProfile> {
        let (username, display_name, password_hash) = (
            username.to_owned(),
            display_name.to_owned(),
            password_hash.to_owned(),
        );
        self.write_with(move |sql| {
            run_now(accounts::create(
                sql,
                &username,
                &display_name,
                &password_hash,
            ))
        })
        .await
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<UserProfile>> {
        self.read_with(move |sql| run_now(accounts::by_id(sql, id)))
            .await
    }
    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<UserProfile>> {
        let ids = ids.to_vec();
        self.read_with(move |sql| run_now(accounts::by_ids(sql, &ids)))
            .await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserProfile>> {
        let username = username.to_owned();
        self.read_with(move |sql| run_now(accounts::by_username(sql, &username)))
            .await
    }
    async fn credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>> {
        let username = username.to_owned();
        self.read_with(move |sql| run_now(accounts::credentials(sql, &username)))
            .await
    }
    async fn set_display_name(&self, id: UserId, display_name: &str) -> StoreResult<UserProfile> {
        let display_name = display_name.to_owned();
        self.write_with(move |sql| run_now(accounts::set_display_name(sql, id, &display_name)))
            .await
    }
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8],
        device: &str,
    ) -> StoreResult<SessionRecord> {
        let (token_hash, device) = (token_hash.to_owned(), device.to_owned());
        self.write_with(move |sql| {
            run_now(accounts::create_session(sql, user, &token_hash, &device))
        })
        .await
    }
    async fn session_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<SessionRecord>> {
        let token_hash = token_hash.to_owned();
        self.read_with(move |sql| run_now(accounts::session_by_token(sql, &token_hash)))
            .await
    }
    async fn sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        self.read_with(move |sql| run_now(accounts::sessions(sql, user)))
            .await
    }
    async fn revoke_session(&self, user: UserId, session: SessionId) -> StoreResult<bool> {
        self.write_with(move |sql| run_now(accounts::revoke_session(sql, user, session)))
            .await
    }

    async fn members(&self, conv: ConvId) -> StoreResult<Vec<MemberRecord>> {
        self.read_with(move |sql| run_now(conversations::members(sql, conv)))
            .await
    }
    async fn conversation_ids(&self, user: UserId) -> StoreResult<Vec<ConvId>> {
        self.read_with(move |sql| run_now(conversations::conversation_ids(sql, user)))
            .await
    }
    async fn membership(&self, conv: ConvId, user: UserId) -> StoreResult<Option<MemberRecord>> {
        self.read_with(move |sql| run_now(conversations::membership(sql, conv, user)))
            .await
    }
    async fn summaries(
        &self,
        user: UserId,
        since: Option<ChangePos>,
        page: Option<SummaryPage>,
    ) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
        self.read(move |conn| summaries::summaries(conn, user, since, None, page))
            .await
    }

    async fn summary(
        &self,
        user: UserId,
        conv: ConvId,
    ) -> StoreResult<Option<ConversationSummary>> {
        let (mut found, _) = self
            .read(move |conn| summaries::summaries(conn, user, None, Some(conv), None))
            .await?;
        Ok(found.pop())
    }

    async fn write(&self, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
        self.write_raw(move |conn| writer::write(conn, ops)).await
    }
    async fn events_after(
        &self,
        conv: ConvId,
        after: u64,
        up_to: u64,
        limit: u32,
    ) -> StoreResult<Vec<Event>> {
        self.read_with(move |sql| run_now(events::after(sql, conv, after, up_to, limit)))
            .await
    }
    async fn events_before(
        &self,
        conv: ConvId,
        before: u64,
        limit: u32,
    ) -> StoreResult<Vec<Event>> {
        self.read_with(move |sql| run_now(events::before(sql, conv, before, limit)))
            .await
    }

    async fn follower_claim(
        &self,
        name: &str,
        holder: &str,
        lease_until: i64,
        now: i64,
    ) -> StoreResult<Option<(FollowerPos, String)>> {
        let (name, holder) = (name.to_owned(), holder.to_owned());
        self.write_raw(move |conn| {
            let initial = followers::current(conn)?;
            let mut sql = SqliteSql::new(conn);
            run_now(queries::followers::claim(
                &mut sql,
                &name,
                &holder,
                &initial,
                lease_until,
                now,
            ))
        })
        .await
    }
    async fn follower_read(
        &self,
        from: &FollowerPos,
        limit: u32,
    ) -> StoreResult<(Vec<Event>, FollowerPos)> {
        let from = from.clone();
        self.read(move |conn| followers::read(conn, &from, limit))
            .await
    }
    async fn follower_save(
        &self,
        name: &str,
        holder: &str,
        position: &FollowerPos,
        state: &str,
        lease_until: i64,
    ) -> StoreResult<bool> {
        let (name, holder, position, state) = (
            name.to_owned(),
            holder.to_owned(),
            position.clone(),
            state.to_owned(),
        );
        self.write_with(move |sql| {
            run_now(queries::followers::save(
                sql,
                &name,
                &holder,
                &position,
                &state,
                lease_until,
            ))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            .read(|conn| {
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
                                    content: Content::Text {
                                        text: "x".repeat(200),
                                    },
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
