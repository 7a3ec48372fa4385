//! tern's integration tests: one binary, each test against a real `tern` process on port 0
//! with its own temporary data directory.

mod accounts;
mod bad_input;
mod changes;
mod chaos;
mod cluster;
mod cluster_files;
mod connection;
mod contacts;
mod conversations;
mod delivery;
mod disk;
mod files;
mod files_pictures;
mod files_resumable;
mod followers;
mod groups;
mod proxy;
mod receipts;
mod startup;
mod support;
mod wire;
