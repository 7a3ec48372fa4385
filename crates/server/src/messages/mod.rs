//! Messages: sending (checked here, committed by the delivery path), typing, reading events
//! (catch-up and history pages) and read positions, and the changes to messages once sent
//! (`changes`: edit, recall, reactions, pins, forward). The service (`service`, `changes`), its
//! HTTP routes (`http`) and its WebSocket frames (`frames`).

mod changes;
pub mod frames;
pub mod http;
mod service;

pub use service::{CMID_MAX, DEFAULT_PAGE, Messages, PAGE_BYTES, Page};
