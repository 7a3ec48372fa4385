//! What a database backend provides, so that every aggregate's store methods are written once:
//! an executor that runs a job of statements (on a SQLite reader or writer thread, or on a
//! pooled PostgreSQL connection), and the few operations whose SQL truly differs per dialect
//! (the write batch with its seq and position allocation, change positions, commit-log windows).
//!
//! `impl<B: Backend> AccountStore for B` and its siblings live with each aggregate's statements;
//! a backend implements this trait and gets the whole `Store`.

use crate::rows::Columns;
use crate::sql::postgres::PgSql;
use crate::sql::sqlite::SqliteSql;
use crate::sql::{Arg, Sql, Statement};
use crate::{ChangePos, FollowerPos, StoreResult, SummaryPage, WriteOp, WriteResult};
use std::future::Future;
use std::pin::Pin;
use tern_proto::{ConvId, ConversationReceipts, ConversationSummary, Event, UserId};

/// The executor a job gets: whichever backend runs it.
pub(crate) enum AnySql<'c> {
    Sqlite(SqliteSql<'c>),
    Postgres(PgSql<'c>),
}

/// What a job returns: a future that may borrow the executor it was given.
pub(crate) type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// Statements run against one connection, written once: `|sql| Box::pin(by_id(sql, id))`.
pub(crate) trait Job<T>:
    for<'c, 'd> FnOnce(&'c mut AnySql<'d>) -> BoxFuture<'c, StoreResult<T>> + Send + 'static
{
}
impl<T, F> Job<T> for F where
    F: for<'c, 'd> FnOnce(&'c mut AnySql<'d>) -> BoxFuture<'c, StoreResult<T>> + Send + 'static
{
}

pub(crate) trait Backend: Send + Sync + 'static {
    /// Runs `job` where reads run (in parallel with the writer).
    fn read_job<T: Send + 'static>(
        &self,
        job: impl Job<T>,
    ) -> impl Future<Output = StoreResult<T>> + Send;
    /// Runs `job` where single writes outside a batch run.
    fn write_job<T: Send + 'static>(
        &self,
        job: impl Job<T>,
    ) -> impl Future<Output = StoreResult<T>> + Send;

    /// Answers when the database does (reads a table, so a missing file shows up).
    fn ping(&self) -> impl Future<Output = StoreResult<()>> + Send;
    /// Closes the connections, waiting for those in use to be returned.
    fn close(&self) -> impl Future<Output = ()> + Send;

    /// Applies a batch of conversation writes in one transaction (see `EventStore::write`).
    fn apply(
        &self,
        ops: Vec<WriteOp>,
    ) -> impl Future<Output = StoreResult<Vec<WriteResult>>> + Send;
    /// Summaries changed at or after `since`, optionally of `only` one conversation or one
    /// `page`, and the position to pass next time (see `ConversationStore::summaries`).
    fn summaries(
        &self,
        user: UserId,
        since: Option<ChangePos>,
        only: Option<ConvId>,
        page: Option<SummaryPage>,
    ) -> impl Future<Output = StoreResult<(Vec<ConversationSummary>, ChangePos)>> + Send;
    /// Other members' read positions that moved at or after `since` (see
    /// `ReceiptStore::receipts_since`); `convs` is not empty.
    fn receipts_since(
        &self,
        user: UserId,
        convs: Vec<ConvId>,
        since: ChangePos,
    ) -> impl Future<Output = StoreResult<Vec<ConversationReceipts>>> + Send;
    /// The commit-log position after everything committed so far.
    fn log_position(&self) -> impl Future<Output = StoreResult<FollowerPos>> + Send;
    /// Committed events after `from` (see `FollowerStore::follower_read`).
    fn log_read(
        &self,
        from: &FollowerPos,
        limit: u32,
    ) -> impl Future<Output = StoreResult<(Vec<Event>, FollowerPos)>> + Send;
}

impl Sql for AnySql<'_> {
    async fn exec(&mut self, statement: &'static Statement, args: &[Arg<'_>]) -> StoreResult<u64> {
        match self {
            AnySql::Sqlite(sql) => sql.exec(statement, args).await,
            AnySql::Postgres(sql) => sql.exec(statement, args).await,
        }
    }

    async fn one<T: Send>(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
        map: impl FnOnce(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<Option<T>> {
        match self {
            AnySql::Sqlite(sql) => sql.one(statement, args, map).await,
            AnySql::Postgres(sql) => sql.one(statement, args, map).await,
        }
    }

    async fn all<T: Send>(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
        map: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<Vec<T>> {
        match self {
            AnySql::Sqlite(sql) => sql.all(statement, args, map).await,
            AnySql::Postgres(sql) => sql.all(statement, args, map).await,
        }
    }
}
