//! The SQLite executor: statements run at once on the connection's own thread (rusqlite, with
//! its prepared-statement cache), and `run_now` drives the async code written once for both
//! backends to completion there, without a runtime.

use super::{Arg, Sql, Statement};
use crate::rows::Columns;
use crate::{StoreError, StoreResult};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ToSql};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs code written against `Sql` on a SQLite connection. Its futures never wait (every
/// statement completes when it is called), so one poll finishes them.
pub(crate) fn run_now<T>(future: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError::Internal(
            "SQLite work waited for something; it never should".into(),
        )),
    }
}

/// A connection as an executor.
pub(crate) struct SqliteSql<'c> {
    conn: &'c mut Connection,
}

impl<'c> SqliteSql<'c> {
    pub(crate) fn new(conn: &'c mut Connection) -> Self {
        SqliteSql { conn }
    }
}

impl ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Arg::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(v)),
            Arg::OptInt(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Integer(v)),
            Arg::OptInt(None) | Arg::OptText(None) | Arg::OptBool(None) => {
                ToSqlOutput::Borrowed(ValueRef::Null)
            }
            Arg::Text(v) | Arg::OptText(Some(v)) => {
                ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes()))
            }
            Arg::Bool(v) | Arg::OptBool(Some(v)) => {
                ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(v)))
            }
            Arg::Bytes(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            // Read by `json_each` (see `ids($n)` in the module note of `sql`).
            Arg::Ids(ids) => ToSqlOutput::Owned(Value::Text(
                serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()),
            )),
        })
    }
}

impl Sql for SqliteSql<'_> {
    fn exec(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<u64>> + Send {
        let result = (|| {
            let mut prepared = self.conn.prepare_cached(statement.for_sqlite())?;
            Ok(prepared.execute(rusqlite::params_from_iter(args.iter()))? as u64)
        })();
        std::future::ready(result)
    }

    fn one<T: Send>(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
        map: impl FnOnce(&dyn Columns) -> StoreResult<T> + Send,
    ) -> impl Future<Output = StoreResult<Option<T>>> + Send {
        let result = (|| {
            let mut prepared = self.conn.prepare_cached(statement.for_sqlite())?;
            let mut rows = prepared.query(rusqlite::params_from_iter(args.iter()))?;
            match rows.next()? {
                Some(row) => map(row).map(Some),
                None => Ok(None),
            }
        })();
        std::future::ready(result)
    }

    fn all<T: Send>(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
        mut map: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> impl Future<Output = StoreResult<Vec<T>>> + Send {
        let result = (|| {
            let mut prepared = self.conn.prepare_cached(statement.for_sqlite())?;
            let mut rows = prepared.query(rusqlite::params_from_iter(args.iter()))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(map(row)?);
            }
            Ok(out)
        })();
        std::future::ready(result)
    }
}
