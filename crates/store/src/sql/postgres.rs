//! The PostgreSQL executor: statements go to one connection (a pooled one, or the batch's
//! transaction) through sqlx, which prepares and caches each.

use super::{Arg, Sql, Statement};
use crate::StoreResult;
use crate::rows::Columns;
use sqlx::PgConnection;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{Arguments, Postgres};
use std::future::Future;

/// A connection (or a transaction, which derefs to one) as an executor.
pub(crate) struct PgSql<'c> {
    conn: &'c mut PgConnection,
}

impl<'c> PgSql<'c> {
    pub(crate) fn new(conn: &'c mut PgConnection) -> Self {
        PgSql { conn }
    }
}

fn bind<'q>(
    statement: &'static Statement,
    args: &[Arg<'q>],
) -> StoreResult<Query<'q, Postgres, PgArguments>> {
    let mut bound = PgArguments::default();
    for arg in args {
        let added = match *arg {
            Arg::Int(v) => bound.add(v),
            Arg::OptInt(v) => bound.add(v),
            Arg::Text(v) => bound.add(v),
            Arg::OptText(v) => bound.add(v),
            Arg::Bool(v) => bound.add(v),
            Arg::OptBool(v) => bound.add(v),
            Arg::Bytes(v) => bound.add(v),
            Arg::Ids(v) => bound.add(v),
        };
        added.map_err(|e| crate::StoreError::Internal(format!("binding a parameter: {e}")))?;
    }
    Ok(sqlx::query_with(statement.for_postgres(), bound))
}

impl Sql for PgSql<'_> {
    fn exec(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<u64>> + Send {
        let query = bind(statement, args);
        async move { Ok(query?.execute(&mut *self.conn).await?.rows_affected()) }
    }

    fn one<T: Send>(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
        map: impl FnOnce(&dyn Columns) -> StoreResult<T> + Send,
    ) -> impl Future<Output = StoreResult<Option<T>>> + Send {
        let query = bind(statement, args);
        async move {
            let row: Option<PgRow> = query?.fetch_optional(&mut *self.conn).await?;
            row.as_ref().map(|r| map(r)).transpose()
        }
    }

    fn all<T: Send>(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
        mut map: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> impl Future<Output = StoreResult<Vec<T>>> + Send {
        let query = bind(statement, args);
        async move {
            let rows: Vec<PgRow> = query?.fetch_all(&mut *self.conn).await?;
            rows.iter().map(|r| map(r)).collect()
        }
    }
}
