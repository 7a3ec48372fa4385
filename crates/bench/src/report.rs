//! Results: a one-line summary per run on stdout, progress on stderr, optional JSON.

use crate::Common;
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// One scenario's outcome: its name, its figures, and the line a human reads.
pub struct Outcome {
    pub scenario: &'static str,
    pub figures: Value,
}

impl Outcome {
    pub fn new(scenario: &'static str, summary: String, figures: Value) -> Outcome {
        println!("{scenario}: {summary}");
        Outcome { scenario, figures }
    }
}

/// "server CPU 22.4 µs/msg (14.1 user + 8.2 system)", from (user, system) µs per `unit`.
pub fn cpu_text(cpu: Option<(f64, f64)>, unit: &str) -> String {
    cpu.map_or("server CPU unknown".into(), |(u, s)| {
        format!(
            "server CPU {:.1} µs/{unit} ({u:.1} user + {s:.1} system)",
            u + s
        )
    })
}

pub fn write_json(common: &Common, results: &[Outcome]) -> Result<(), String> {
    let Some(path) = &common.json else {
        return Ok(());
    };
    let all: Vec<Value> = results
        .iter()
        .map(|o| json!({ "scenario": o.scenario, "smoke": common.smoke, "figures": o.figures }))
        .collect();
    let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Latencies in microseconds, 1 µs to 100 s at 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000, 3).expect("valid histogram bounds")
}

/// p50/p90/p99/p999/max in milliseconds.
pub fn percentiles(h: &Histogram<u64>) -> Value {
    let ms = |v: u64| v as f64 / 1000.0;
    json!({
        "count": h.len(),
        "p50_ms": ms(h.value_at_quantile(0.5)),
        "p90_ms": ms(h.value_at_quantile(0.9)),
        "p99_ms": ms(h.value_at_quantile(0.99)),
        "p999_ms": ms(h.value_at_quantile(0.999)),
        "max_ms": ms(h.max()),
    })
}

pub fn percentile_line(h: &Histogram<u64>) -> String {
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    format!(
        "p50 {:.2} ms, p90 {:.2}, p99 {:.2}, p999 {:.2}, max {:.2}",
        ms(0.5),
        ms(0.9),
        ms(0.99),
        ms(0.999),
        h.max() as f64 / 1000.0
    )
}

/// Prints "what: done/total" to stderr at most every two seconds.
pub struct Progress {
    what: &'static str,
    total: usize,
    last: Instant,
}

impl Progress {
    pub fn new(what: &'static str, total: usize) -> Progress {
        Progress {
            what,
            total,
            last: Instant::now(),
        }
    }

    pub fn tick(&mut self, done: usize) {
        if self.last.elapsed() >= Duration::from_secs(2) {
            eprintln!("  {}: {done}/{}", self.what, self.total);
            self.last = Instant::now();
        }
    }
}
