//! Read receipts ("seen by"): how far the other members of a conversation have read, for the
//! members who share it. A member's read position moves when they read (`read`) and when they
//! send (their own message is read). A read reaches the other members' connections in a
//! `receipts` frame, coalesced per conversation and interval; a send's move they take from the
//! message itself. `sync` reports the moves a device missed. Whoever does not share their
//! position (a user setting) sees nobody's.

mod coalescer;
pub mod frames;
pub mod http;
mod privacy;
mod service;

pub use coalescer::Coalescer;
pub use privacy::Privacy;
pub use service::Receipts;
