//! Contacts (好友) and blocks: asking to become contacts with a note, answering, removing, the
//! lists; blocking and unblocking. Who may open a direct conversation or add someone to a
//! group (blocks and each user's privacy settings) is the store's rule (`write/reach.rs`); the
//! settings themselves are the account's (`PATCH /me/settings`). The service (`service`) and
//! its HTTP routes (`http`).

pub mod http;
mod service;

pub use service::{CONTACT_NOTE_MAX, CONTACT_REQUESTS_PER_HOUR, Contacts};
