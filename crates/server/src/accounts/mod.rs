//! Accounts: users, passwords, login sessions (one per device) and profiles. The service
//! (`service`), the credential rules (`auth`), the rules of the names people choose (`names`)
//! and the HTTP routes (`http`).

pub mod auth;
pub mod http;
pub mod names;
mod service;

pub use service::{Accounts, Caller};
