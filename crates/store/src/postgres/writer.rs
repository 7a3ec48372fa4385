//! Conversation writes on PostgreSQL: one transaction per batch of ops (group commit), safe with
//! several nodes writing to the same conversations. The ops themselves are `write::apply`; what
//! is PostgreSQL's own is locking the batch's conversations, the change position (the
//! transaction's id) and retrying a batch that lost a race with another node.

use crate::sql::postgres::PgSql;
use crate::write::apply::Batch;
use crate::{StoreError, StoreResult, WriteOp, WriteResult, now_ms};
use sqlx::PgPool;
use tern_proto::ConvId;

/// Transient conflicts between nodes (deadlock, serialization failure, a unique key taken by a
/// concurrent insert) abort the batch; it is retried whole this many times.
const ATTEMPTS: usize = 4;

pub async fn write(pool: &PgPool, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
    let mut attempt = 1;
    loop {
        match write_once(pool, ops.clone()).await {
            Err(StoreError::Conflict(e)) if attempt < ATTEMPTS => {
                tracing::debug!(attempt, error = %e, "write batch conflicted; retrying");
                attempt += 1;
            }
            other => return other,
        }
    }
}

async fn write_once(pool: &PgPool, ops: Vec<WriteOp>) -> StoreResult<Vec<WriteResult>> {
    let mut tx = pool.begin().await?;
    // Lock every conversation the batch changes, in id order, before touching anything: seqs
    // are then allocated one writer at a time per conversation, and two nodes' batches can
    // never wait for each other in a cycle.
    let mut convs: Vec<i64> = ops
        .iter()
        .filter_map(|op| op_conv(op).map(|c| c.0))
        .collect();
    convs.sort_unstable();
    convs.dedup();
    if !convs.is_empty() {
        sqlx::query("SELECT id FROM conversations WHERE id = ANY($1) ORDER BY id FOR UPDATE")
            .bind(&convs)
            .fetch_all(&mut *tx)
            .await?;
    }
    let pos: i64 = sqlx::query_scalar("SELECT pg_current_xact_id()::text::bigint")
        .fetch_one(&mut *tx)
        .await?;
    let mut sql = PgSql::new(&mut tx);
    let mut batch = Batch {
        sql: &mut sql,
        pos,
        now: now_ms(),
    };
    let mut results = Vec::with_capacity(ops.len());
    for op in ops {
        results.push(batch.apply(op).await?);
    }
    tx.commit().await?;
    Ok(results)
}

fn op_conv(op: &WriteOp) -> Option<ConvId> {
    match op {
        WriteOp::Append { conv, .. }
        | WriteOp::AddMembers { conv, .. }
        | WriteOp::RemoveMember { conv, .. }
        | WriteOp::MarkRead { conv, .. }
        | WriteOp::Edit { conv, .. }
        | WriteOp::Recall { conv, .. }
        | WriteOp::React { conv, .. }
        | WriteOp::Pin { conv, .. }
        | WriteOp::Preferences { conv, .. }
        | WriteOp::ChangeGroup { conv, .. }
        | WriteOp::SetRole { conv, .. }
        | WriteOp::TransferOwnership { conv, .. }
        | WriteOp::Mute { conv, .. }
        | WriteOp::MuteAll { conv, .. }
        | WriteOp::Nickname { conv, .. }
        | WriteOp::Dissolve { conv, .. }
        // A forward changes only the conversation it copies into.
        | WriteOp::Forward { conv, .. } => Some(*conv),
        WriteOp::OpenDirect { .. } | WriteOp::CreateGroup { .. } | WriteOp::Block { .. } => None,
    }
}
