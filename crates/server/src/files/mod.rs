//! Files: pictures, voice and video messages, documents. Uploads arrive over HTTP, resumable
//! (`tus`), are stored once per content on local disk or S3 (`tern-media`), and become files a
//! message may show (`content`); downloads go to the uploader and to members who can see such
//! a message (`download`), browsers through signed links (`links`); the `sweeper` removes what
//! nothing needs any more.

mod content;
pub mod download;
pub mod http;
pub mod links;
mod service;
pub mod sweeper;
pub mod tus;

pub use links::Links;
pub use service::{Files, clean_name, details};
