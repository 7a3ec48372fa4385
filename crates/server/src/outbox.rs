//! A connection's outbox: the bounded queue of pre-encoded frames waiting to be written to its
//! socket, and the request to close it. Senders never wait; the connection task takes whatever
//! has piled up in one go.
//!
//! It is one small allocation per connection that holds no frame storage while empty: an idle
//! connection costs ~100 bytes here, where a channel would keep a block of slots.

use axum::extract::ws::Utf8Bytes;
use std::collections::VecDeque;
use std::sync::Mutex;
use tern_proto::CloseCode;
use tokio::sync::Notify;

pub struct Outbox {
    state: Mutex<State>,
    ready: Notify,
    capacity: usize,
}

#[derive(Default)]
struct State {
    frames: VecDeque<Utf8Bytes>,
    /// The first close request; it wins over frames still queued.
    close: Option<u16>,
}

/// What the connection task should do next.
#[derive(Debug)]
pub enum Next {
    /// Write these, in order.
    Frames(VecDeque<Utf8Bytes>),
    /// Close the connection with this code.
    Close(u16),
}

impl Outbox {
    /// An outbox that holds at most `capacity` frames.
    pub fn new(capacity: usize) -> Outbox {
        Outbox {
            state: Mutex::new(State::default()),
            ready: Notify::new(),
            capacity: capacity.max(1),
        }
    }

    /// Queues a frame without waiting. A full outbox means the client cannot keep up: the
    /// frame is dropped and the connection asked to close as too slow (it catches up later).
    /// Returns false in that case.
    pub fn push(&self, frame: Utf8Bytes) -> bool {
        let mut state = self.lock();
        if state.close.is_some() {
            return true;
        }
        if state.frames.len() >= self.capacity {
            state.close = Some(CloseCode::TOO_SLOW);
            drop(state);
            self.ready.notify_one();
            return false;
        }
        state.frames.push_back(frame);
        drop(state);
        self.ready.notify_one();
        true
    }

    /// Asks the connection to close with `code`; the first request wins.
    pub fn close(&self, code: u16) {
        let mut state = self.lock();
        if state.close.is_none() {
            state.close = Some(code);
            drop(state);
            self.ready.notify_one();
        }
    }

    /// Waits until there is something to do. For the one connection task only: a single
    /// stored wake-up (`notify_one`) is enough because nobody else waits.
    pub async fn next(&self) -> Next {
        loop {
            {
                let mut state = self.lock();
                if let Some(code) = state.close {
                    return Next::Close(code);
                }
                if !state.frames.is_empty() {
                    return Next::Frames(std::mem::take(&mut state.frames));
                }
            }
            self.ready.notified().await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Every update is a single push, take or assignment, so a poisoned state is whole.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(next: Next) -> Vec<String> {
        match next {
            Next::Frames(frames) => frames.iter().map(|f| f.as_str().to_owned()).collect(),
            Next::Close(code) => panic!("closed with {code}"),
        }
    }

    #[tokio::test]
    async fn frames_come_out_together_and_in_order() {
        let outbox = Outbox::new(8);
        assert!(outbox.push("1".into()));
        assert!(outbox.push("2".into()));
        assert_eq!(texts(outbox.next().await), ["1", "2"]);
        outbox.push("3".into());
        assert_eq!(texts(outbox.next().await), ["3"]);
    }

    #[tokio::test]
    async fn a_waiting_task_wakes_for_a_later_push() {
        let outbox = std::sync::Arc::new(Outbox::new(8));
        let waiter = tokio::spawn({
            let outbox = outbox.clone();
            async move { texts(outbox.next().await) }
        });
        tokio::task::yield_now().await;
        outbox.push("late".into());
        assert_eq!(waiter.await.unwrap(), ["late"]);
    }

    #[tokio::test]
    async fn a_full_outbox_closes_as_too_slow_and_the_first_close_wins() {
        let outbox = Outbox::new(1);
        assert!(outbox.push("1".into()));
        assert!(!outbox.push("2".into()), "over capacity");
        outbox.close(CloseCode::UNAUTHORIZED);
        assert!(matches!(
            outbox.next().await,
            Next::Close(CloseCode::TOO_SLOW)
        ));
    }
}
