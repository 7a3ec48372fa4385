//! S7: footprint. Cold start (exec → first accepted WebSocket upgrade) on an empty data
//! directory, idle memory right after, and the size of the binary.

use crate::Common;
use crate::report::Outcome;
use serde_json::json;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

#[derive(clap::Args, Clone, Debug, Default)]
pub struct Options {
    /// Starts to average over.
    #[arg(long, default_value_t = 5)]
    pub runs: u32,
}

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let binary = match &common.tern {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name("tern"),
    };
    let runs = if common.smoke { 1 } else { o.runs.max(1) };
    let mut starts = Vec::new();
    let mut rss = None;
    for _ in 0..runs {
        let (ms, kib) = one_start(&binary).await?;
        starts.push(ms);
        rss = kib;
    }
    starts.sort_by(f64::total_cmp);
    let median = starts[starts.len() / 2];
    let size_mib = std::fs::metadata(&binary)
        .map(|m| m.len() as f64 / 1_048_576.0)
        .ok();
    Ok(Outcome::new(
        "cold",
        format!(
            "exec → first accepted WebSocket {median:.1} ms (median of {runs}), idle RSS {} KiB, binary {:.1} MiB",
            rss.unwrap_or(0),
            size_mib.unwrap_or(0.0)
        ),
        json!({ "start_ms_median": median, "starts_ms": starts, "idle_rss_kib": rss,
                "binary_mib": size_mib, "binary": binary }),
    ))
}

async fn one_start(binary: &std::path::Path) -> Result<(f64, Option<u64>), String> {
    // Pick a free port first, so the upgrade can be tried from the moment of exec.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut child = crate::server::tern_command(binary)
        .env("TERN_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .env("TERN_SERVER_DATA_DIR", data.path())
        .env("TERN_SERVER_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;
    let url = format!("ws://127.0.0.1:{port}/ws");
    let deadline = started + Duration::from_secs(10);
    loop {
        if tokio_tungstenite::connect_async(url.as_str()).await.is_ok() {
            break;
        }
        if Instant::now() > deadline {
            return Err("no WebSocket accepted within 10 s".into());
        }
        tokio::task::yield_now().await;
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss = child.id().and_then(crate::server::rss_kib);
    let _ = child.kill().await;
    Ok((ms, rss))
}
