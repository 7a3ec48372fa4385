//! The delivery path: how a write becomes frames on every connection that should see it.
//!
//! The Committer (`committer`) is the one task per node that writes conversation state: it
//! commits batches and publishes what they produced, in commit order, to the Bus (`bus`), which
//! hands it to this node's Hub (`hub`) and, through Redis (`bus/redis.rs`, in the binary
//! envelope of `bus/envelope.rs`), to the other nodes' Hubs. The Hub pushes pre-encoded frames
//! into each connection's bounded outgoing queue (`outgoing`). `members` caches who is in a
//! conversation, for fan-out. ARCHITECTURE.md follows one message along this path.

pub mod bus;
pub mod committer;
pub mod hub;
pub mod members;
pub mod outgoing;
