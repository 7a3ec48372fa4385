//! The commit-log audit: a follower that checks that every committed event follows the one
//! before it in its conversation (no gap, no repeat, no disorder), counts what it saw and
//! logs any problem. Off by default (`audit_commit_log`); the test suite runs it through
//! `kill -9` and node deaths to prove followers see every event exactly once.

use super::Follower;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tern_proto::Event;

pub struct Audit;

/// What the audit keeps between pages (its saved state, JSON).
#[derive(Default, Serialize, Deserialize, Debug, PartialEq, Eq)]
pub struct AuditState {
    /// Events seen.
    pub events: u64,
    /// The last seq seen per conversation.
    pub last: BTreeMap<i64, u64>,
    /// Every deviation found, in words.
    pub problems: Vec<String>,
}

impl Follower for Audit {
    fn name(&self) -> &'static str {
        "audit"
    }

    async fn handle(&mut self, events: &[Event], state: &mut String) -> Result<(), String> {
        let mut audit: AuditState = if state.is_empty() {
            AuditState::default()
        } else {
            serde_json::from_str(state).map_err(|e| format!("audit state: {e}"))?
        };
        for event in events {
            let conv = event.conv.0;
            if let Some(&last) = audit.last.get(&conv)
                && event.seq != last + 1
            {
                let problem = format!("conversation {conv}: seq {} after seq {last}", event.seq);
                tracing::error!(%problem, "commit-log audit");
                audit.problems.push(problem);
            }
            audit.last.insert(conv, event.seq);
            audit.events += 1;
        }
        *state = serde_json::to_string(&audit).map_err(|e| e.to_string())?;
        Ok(())
    }
}
