//! Clients held by child `tern-bench hold` processes, each connecting from its own 127.0.0.x:
//! how one run opens more connections than a process's open-files limit (20,000 here) allows,
//! and more than the ~28,000 ports one source address has towards one server port.

use crate::population;
use std::net::{IpAddr, Ipv4Addr};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

/// Connections per process: well under the open-files limit, leaving room for the rest.
pub const PER_PROCESS: usize = 15_000;

/// How long a process may take to connect and catch up its share.
const READY_TIMEOUT: Duration = Duration::from_secs(300);

/// Running holder processes; dropping the fleet closes their stdin and kills them.
pub struct Fleet {
    holders: Vec<(Child, ChildStdin)>,
}

impl Fleet {
    pub fn new() -> Fleet {
        Fleet {
            holders: Vec::new(),
        }
    }

    /// Starts `processes` processes that together hold one connection per token, spread over
    /// `urls`, and returns when every client has caught up.
    pub async fn hold(
        &mut self,
        urls: &[String],
        tokens: &[String],
        processes: usize,
    ) -> Result<(), String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut started = Vec::new();
        let share = tokens.len().div_ceil(processes.max(1)).max(1);
        if share > PER_PROCESS {
            return Err(format!(
                "{share} connections per process is over {PER_PROCESS}: use more processes"
            ));
        }
        for share in tokens.chunks(share) {
            let source = source_address(self.holders.len() + started.len());
            let mut child = Command::new(&exe)
                .arg("--server")
                .arg(urls.join(","))
                .arg("hold")
                .arg("--source")
                .arg(source.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| format!("starting a holder: {e}"))?;
            let mut stdin = child.stdin.take().ok_or("holder without stdin")?;
            let list = format!("{}\n{}\n", share.len(), share.join("\n"));
            stdin
                .write_all(list.as_bytes())
                .await
                .map_err(|e| format!("handing tokens to a holder: {e}"))?;
            stdin.flush().await.map_err(|e| e.to_string())?;
            started.push((child, stdin));
        }
        for (child, _) in &mut started {
            let stdout = child.stdout.take().ok_or("holder without stdout")?;
            let mut lines = BufReader::new(stdout).lines();
            let line = tokio::time::timeout(READY_TIMEOUT, lines.next_line())
                .await
                .map_err(|_| "a holder did not get ready in time".to_owned())?
                .map_err(|e| e.to_string())?
                .ok_or("a holder stopped before it was ready")?;
            if !line.starts_with("ready") {
                return Err(format!("a holder said {line:?}"));
            }
        }
        self.holders.extend(started);
        Ok(())
    }

    pub fn processes(&self) -> usize {
        self.holders.len()
    }
}

/// 127.0.0.10, .11, …: the whole of 127.0.0.0/8 is loopback on Linux.
fn source_address(index: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 10 + (index % 240) as u8))
}

/// The `hold` subcommand: reads a count and that many tokens from stdin, connects them from
/// `source`, prints `ready N` once all have caught up, and holds them until stdin closes.
pub async fn run_holder(urls: &[String], source: IpAddr) -> Result<(), String> {
    let tokens = tokio::task::spawn_blocking(read_tokens)
        .await
        .map_err(|e| e.to_string())??;
    let mut keep = Vec::with_capacity(tokens.len());
    for (client, mut events) in population::connect_from(urls, &tokens, None, Some(source)).await? {
        population::synced(&mut events).await?;
        keep.push((client, population::drain(events)));
    }
    println!("ready {}", keep.len());
    // Hold until the parent closes stdin (or exits).
    let _ =
        tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink()))
            .await;
    Ok(())
}

fn read_tokens() -> Result<Vec<String>, String> {
    let mut lines = std::io::stdin().lines();
    let mut next = || {
        lines
            .next()
            .ok_or_else(|| "stdin closed".to_owned())?
            .map_err(|e| e.to_string())
    };
    let count: usize = next()?.trim().parse().map_err(|e| format!("count: {e}"))?;
    (0..count).map(|_| next()).collect()
}
