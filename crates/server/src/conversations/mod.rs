//! Conversations: direct ones (one per pair), groups with an owner and members, the list of a
//! user's conversations and sync. The service (`service`), its HTTP routes (`http`) and its
//! WebSocket frames (`frames`).

pub mod frames;
pub mod http;
mod service;

pub use service::{Conversations, GROUP_NAME_MAX, SYNC_PAGE, SyncPage, USERS_PER_REQUEST_MAX};
