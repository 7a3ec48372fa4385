//! The statements of every read and of the account writes, written once for both databases
//! (see `sql`), by aggregate. Conversation writes are in `write`.

pub(crate) mod accounts;
pub(crate) mod conversations;
pub(crate) mod events;
pub(crate) mod followers;

/// A client-supplied position as a signed 64-bit integer; values past `i64::MAX` (which no seq
/// reaches) saturate instead of wrapping negative.
pub(crate) fn sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
