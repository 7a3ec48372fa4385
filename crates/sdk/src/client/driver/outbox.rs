//! The outbox's half of the driver: sends not yet acknowledged, written when due (on every new
//! connection, and again after `resend_after`) and resolved by their ack.

use super::{Driver, Outgoing};
use crate::client::Ack;
use std::time::Instant;
use tern_proto::{ClientFrame, Content};

impl Driver {
    /// Completes the outbox entry for this ack; returns its content.
    pub(super) fn resolve_send(&mut self, ack: &Ack) -> Option<Content> {
        let rid = self.outbox_by_cmid.remove(&ack.cmid)?;
        let o = self.outbox.remove(&rid)?;
        let _ = o.reply.send(Ok(ack.clone()));
        Some(o.content)
    }

    /// Writes every send not written yet on this connection, or unanswered for too long.
    pub(super) fn queue_due_sends(&mut self) {
        let now = Instant::now();
        for o in self.outbox.values_mut() {
            let due = o
                .sent_at
                .is_none_or(|at| now.duration_since(at) >= self.options.resend_after);
            if due {
                o.sent_at = Some(now);
                self.writes.push(send_frame(o));
            }
        }
    }
}

pub(super) fn send_frame(o: &Outgoing) -> ClientFrame {
    ClientFrame::Send {
        rid: Some(o.rid),
        conv: o.conv,
        cmid: o.cmid.clone(),
        content: o.content.clone(),
    }
}
