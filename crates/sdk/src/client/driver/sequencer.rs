//! The sequencer's half of the driver: delivered seqs per conversation, gap repair by fetching
//! the missing range while live events wait in a buffer, and sync (a token adopted only once
//! its catch-up is complete).

use super::Driver;
use crate::client::{Ack, ClientEvent};
use tern_proto::{ClientFrame, ConvId, Event};

impl Driver {
    pub(super) async fn on_event(&mut self, event: Event) {
        if let Some(buffer) = self.catching_up.get_mut(&event.conv) {
            buffer.push(event);
            return;
        }
        let delivered = self.delivered(event.conv);
        if event.seq <= delivered {
            return;
        }
        if event.seq == delivered + 1 {
            self.deliver(event).await;
        } else {
            self.start_catch_up(event.conv, vec![event]);
        }
    }

    pub(super) fn on_seq_seen(&mut self, conv: ConvId, seq: u64) {
        if seq > self.delivered(conv) && !self.catching_up.contains_key(&conv) {
            self.start_catch_up(conv, Vec::new());
        }
    }

    pub(super) async fn on_fetched(&mut self, conv: ConvId, events: Vec<Event>, has_more: bool) {
        for event in events {
            if event.seq > self.delivered(conv) {
                self.deliver(event).await;
            }
        }
        if has_more {
            self.request_fetch(conv);
            return;
        }
        let buffered = self.catching_up.remove(&conv).unwrap_or_default();
        self.sync_pending.remove(&conv);
        for event in buffered {
            self.on_event(event).await;
        }
        self.check_synced().await;
    }

    pub(super) fn start_catch_up(&mut self, conv: ConvId, buffered: Vec<Event>) {
        self.catching_up.insert(conv, buffered);
        self.request_fetch(conv);
    }

    pub(super) fn request_fetch(&mut self, conv: ConvId) {
        let rid = self.rid();
        self.fetches.insert(rid, conv);
        self.writes.push(ClientFrame::Fetch {
            rid: Some(rid),
            conv,
            after: self.delivered(conv),
            limit: Some(self.max_page),
        });
    }

    pub(super) fn start_sync(&mut self) {
        self.need_sync = false;
        self.request_sync(None);
    }

    /// Asks for one page of a sync (the first for `None`).
    pub(super) fn request_sync(&mut self, page: Option<String>) {
        let rid = self.rid();
        self.sync_rid = Some(rid);
        self.writes.push(ClientFrame::Sync {
            rid: Some(rid),
            since: self.token.clone(),
            page,
        });
    }

    pub(super) async fn check_synced(&mut self) {
        if self.sync_rid.is_none()
            && self.sync_pending.is_empty()
            && let Some(token) = self.pending_token.take()
        {
            self.token = Some(token);
            self.healthy = true;
            self.emit(ClientEvent::Synced).await;
        }
    }

    pub(super) async fn deliver(&mut self, event: Event) {
        // Our own message reached us as an event (a resend raced a lost ack, or catch-up
        // fetched it): that settles the send too.
        if event.sender == self.me
            && let Some(cmid) = &event.cmid
        {
            let ack = Ack {
                conv: event.conv,
                cmid: cmid.clone(),
                seq: event.seq,
                id: event.id,
                ts: event.ts,
                duplicate: true,
            };
            self.resolve_send(&ack);
        }
        self.delivered.insert(event.conv, event.seq);
        self.emit(ClientEvent::Event(event)).await;
    }

    pub(super) fn delivered(&self, conv: ConvId) -> u64 {
        self.delivered.get(&conv).copied().unwrap_or(0)
    }
}
