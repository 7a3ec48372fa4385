//! Messages: sending (checked here, committed by the delivery path), typing, reading events
//! (catch-up and history pages) and read positions. The service (`service`), its HTTP routes
//! (`http`) and its WebSocket frames (`frames`).

pub mod frames;
pub mod http;
mod service;

pub use service::{CMID_MAX, DEFAULT_PAGE, Messages, PAGE_BYTES, Page};
