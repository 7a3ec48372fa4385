//! One module per scenario of the performance targets.

pub mod catchup;
pub mod cold;
pub mod fanout;
pub mod files;
pub mod idle;
pub mod rate;
pub mod receipts;
pub mod saturate;
pub mod storm;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The process-wide time origin: senders put "µs since origin" in the message text, receivers
/// subtract it from their own clock (same process, same clock).
pub fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

pub fn micros_since_origin(at: Instant) -> u64 {
    at.saturating_duration_since(origin()).as_micros() as u64
}

/// Parses what `micros_since_origin` put in a message and returns the latency to now, in µs.
pub fn latency_us(text: &str) -> Option<u64> {
    let sent: u64 = text.parse().ok()?;
    Some(
        micros_since_origin(Instant::now())
            .saturating_sub(sent)
            .max(1),
    )
}

/// How long to wait for stragglers after a timed phase before counting them lost.
pub const DRAIN: Duration = Duration::from_secs(10);
