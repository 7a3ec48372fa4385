//! Statements written once for both databases, and the executor each backend provides.
//!
//! A statement is written in PostgreSQL's style, `$1`, `$2`, ... (a parameter may appear more
//! than once, in any order), declared with `stmt!` and translated on first use for the backend
//! that runs it: for SQLite `$n` becomes `?n` (explicitly numbered, so `SELECT $2, $1` binds as
//! written), and `ids($n)`, a list of ids passed as one parameter, becomes a subquery with one
//! column `id` in each dialect (give it an alias in `FROM`: PostgreSQL 15 requires one).
//! Everything else is SQL both databases understand.
//!
//! The code that uses statements is async and generic over `Sql`. The PostgreSQL executor awaits
//! the network; the SQLite one answers at once on its connection's own thread, where `run_now`
//! drives such code to completion without a runtime.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use crate::StoreResult;
use crate::rows::Columns;
use std::future::Future;
use std::sync::OnceLock;

/// A statement and its translations, made once per process.
pub(crate) struct Statement {
    text: &'static str,
    /// PostgreSQL's own text where the two cannot share one (see `stmt!`).
    postgres_text: Option<&'static str>,
    sqlite: OnceLock<String>,
    postgres: OnceLock<String>,
}

/// Declares a statement written once (see the module note). The rare statement that must
/// differ, because one database lacks what the other does it with, names both texts:
/// `stmt!(sqlite: "...", postgres: "...")`, with a comment saying why.
macro_rules! stmt {
    ($text:expr) => {{
        static STATEMENT: $crate::sql::Statement = $crate::sql::Statement::new($text, None);
        &STATEMENT
    }};
    (sqlite: $sqlite:expr, postgres: $postgres:expr $(,)?) => {{
        static STATEMENT: $crate::sql::Statement =
            $crate::sql::Statement::new($sqlite, Some($postgres));
        &STATEMENT
    }};
}
pub(crate) use stmt;

impl Statement {
    pub(crate) const fn new(text: &'static str, postgres_text: Option<&'static str>) -> Statement {
        Statement {
            text,
            postgres_text,
            sqlite: OnceLock::new(),
            postgres: OnceLock::new(),
        }
    }

    pub(crate) fn for_sqlite(&self) -> &str {
        self.sqlite
            .get_or_init(|| translate(self.text, Dialect::Sqlite))
    }

    pub(crate) fn for_postgres(&self) -> &str {
        self.postgres
            .get_or_init(|| translate(self.postgres_text.unwrap_or(self.text), Dialect::Postgres))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// Rewrites `$n` placeholders and `ids($n)` lists for `dialect`.
fn translate(text: &str, dialect: Dialect) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(at) = rest.find(['$', 'i']) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        if let Some(after) = from.strip_prefix("ids($")
            && let Some(close) = after.find(')')
            && after[..close].bytes().all(|b| b.is_ascii_digit())
            && !out.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        {
            let n = &after[..close];
            match dialect {
                Dialect::Sqlite => {
                    out.push_str(&format!("(SELECT value AS id FROM json_each(?{n}))"))
                }
                Dialect::Postgres => {
                    out.push_str(&format!("(SELECT unnest(${n}::bigint[]) AS id)"))
                }
            }
            rest = &after[close + 1..];
        } else if let Some(after) = from.strip_prefix('$') {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            out.push(if dialect == Dialect::Sqlite && digits > 0 {
                '?'
            } else {
                '$'
            });
            out.push_str(&after[..digits]);
            rest = &after[digits..];
        } else {
            out.push_str(&from[..1]);
            rest = &from[1..];
        }
    }
    out.push_str(rest);
    out
}

/// One parameter of a statement.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Text(&'a str),
    OptText(Option<&'a str>),
    Bool(bool),
    OptBool(Option<bool>),
    Bytes(&'a [u8]),
    /// A list of ids, read in the statement with `ids($n)`.
    Ids(&'a [i64]),
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}
impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(v)
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(v)
    }
}
impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::OptText(v)
    }
}
impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}
impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Self {
        Arg::Bytes(v)
    }
}
impl<'a> From<&'a [i64]> for Arg<'a> {
    fn from(v: &'a [i64]) -> Self {
        Arg::Ids(v)
    }
}
impl<'a> From<&'a Vec<i64>> for Arg<'a> {
    fn from(v: &'a Vec<i64>) -> Self {
        Arg::Ids(v)
    }
}

/// The parameters of a statement, in order: `args![a, b, c]`.
macro_rules! args {
    ($($arg:expr),* $(,)?) => { &[$($crate::sql::Arg::from($arg)),*] };
}
pub(crate) use args;

/// What a backend offers the statements written once: run one, read one row, read every row.
/// Rows are read through `Columns`, the same for both.
pub(crate) trait Sql: Send {
    /// Runs a statement; returns how many rows it changed.
    fn exec(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<u64>> + Send;

    /// The first row of a query, mapped.
    fn one<T: Send>(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
        map: impl FnOnce(&dyn Columns) -> StoreResult<T> + Send,
    ) -> impl Future<Output = StoreResult<Option<T>>> + Send;

    /// Every row of a query, mapped.
    fn all<T: Send>(
        &mut self,
        statement: &'static Statement,
        args: &[Arg<'_>],
        map: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> impl Future<Output = StoreResult<Vec<T>>> + Send;
}

/// A client-supplied position as a signed 64-bit integer; values past `i64::MAX` (which no seq
/// reaches) saturate instead of wrapping negative.
pub(crate) fn sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_keep_their_numbers_and_id_lists_become_subqueries() {
        let text = "SELECT $2, $1, $10 FROM t WHERE id IN ids($3) AND note = 'x$'";
        assert_eq!(
            translate(text, Dialect::Sqlite),
            "SELECT ?2, ?1, ?10 FROM t WHERE id IN (SELECT value AS id FROM json_each(?3)) \
             AND note = 'x$'"
        );
        assert_eq!(
            translate(text, Dialect::Postgres),
            "SELECT $2, $1, $10 FROM t WHERE id IN (SELECT unnest($3::bigint[]) AS id) \
             AND note = 'x$'"
        );
        // `ids(` only as a whole word.
        assert_eq!(
            translate("SELECT valids($1)", Dialect::Sqlite),
            "SELECT valids(?1)"
        );
    }
}
