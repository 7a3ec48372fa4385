//! The server under test: started here on a fresh data directory (loopback, port 0), or a
//! running one given by URL. CPU time and memory come from /proc/<pid>.

use crate::Common;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct Target {
    /// The first node: where users are registered.
    pub url: String,
    /// Every node; clients are spread over them.
    pub urls: Vec<String>,
    pub pids: Vec<u32>,
    /// Set when we started them: killed (and their data removed) when dropped.
    _children: Vec<Child>,
    _data: Vec<tempfile::TempDir>,
}

impl Target {
    pub async fn get(common: &Common) -> Result<Target, String> {
        if !common.server.is_empty() {
            let urls: Vec<String> = common
                .server
                .iter()
                .map(|u| u.trim_end_matches('/').to_owned())
                .collect();
            return Ok(Target {
                url: urls[0].clone(),
                urls,
                pids: common.server_pid.clone(),
                _children: Vec::new(),
                _data: Vec::new(),
            });
        }
        if common.nodes > 1 && (common.database_url.is_none() || common.redis_url.is_none()) {
            return Err("--nodes above 1 needs --database-url postgres://… and --redis-url".into());
        }
        let mut target = Target {
            url: String::new(),
            urls: Vec::new(),
            pids: Vec::new(),
            _children: Vec::new(),
            _data: Vec::new(),
        };
        // One after the other: the first applies the migrations.
        for _ in 0..common.nodes.max(1) {
            let (url, child, data) = Self::spawn_one(common).await?;
            target.pids.extend(child.id());
            target.urls.push(url);
            target._children.push(child);
            target._data.push(data);
        }
        target.url = target.urls[0].clone();
        Ok(target)
    }

    async fn spawn_one(common: &Common) -> Result<(String, Child, tempfile::TempDir), String> {
        let binary = tern_binary(common)?;
        let data = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut command = tern_command(&binary);
        command
            .env("TERN_SERVER_LISTEN", "127.0.0.1:0")
            .env("TERN_SERVER_DATA_DIR", data.path())
            .env("TERN_SERVER_LOG", "warn")
            // Registering thousands of users with production argon2 costs minutes; logins here
            // are token logins, which argon2 does not touch.
            .env("TERN_SECURITY_ARGON2_MEMORY_KIB", "1024")
            .env("TERN_LIMITS_OUTGOING_QUEUE", "65536")
            .env(
                "TERN_CLUSTER_REDIS_PREFIX",
                format!("bench{}", std::process::id()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(url) = &common.database_url {
            command.env("TERN_STORAGE_DATABASE_URL", url);
        }
        if let Some(url) = &common.redis_url {
            command.env("TERN_CLUSTER_REDIS_URL", url);
        }
        for kv in &common.server_env {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| format!("--server-env wants KEY=VALUE, got {kv:?}"))?;
            command.env(k, v);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .map_err(|_| "tern did not start within 30 s".to_owned())?
            .map_err(|e| e.to_string())?
            .ok_or("tern exited at start")?;
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .ok_or_else(|| format!("no URL in {line:?}"))?
            .to_owned();
        Ok((url, child, data))
    }

    /// The first started node's data directory (on the disk it writes to).
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self._data.first().map(|d| d.path())
    }

    /// User + system CPU time of all the nodes so far (µs), if their pids are known.
    pub fn cpu(&self) -> Option<Cpu> {
        if self.pids.is_empty() {
            return None;
        }
        let mut total = Cpu {
            user_us: 0,
            system_us: 0,
        };
        for &pid in &self.pids {
            let cpu = cpu_of(pid)?;
            total.user_us += cpu.user_us;
            total.system_us += cpu.system_us;
        }
        Some(total)
    }

    /// Resident memory of all the nodes in KiB, if their pids are known.
    pub fn rss_kib(&self) -> Option<u64> {
        if self.pids.is_empty() {
            return None;
        }
        self.pids.iter().map(|&pid| rss_kib(pid)).sum()
    }
}

fn cpu_of(pid: u32) -> Option<Cpu> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks_per_s = 100; // USER_HZ, 100 on Linux
    let us = |i: usize| {
        fields
            .get(i)?
            .parse::<u64>()
            .ok()
            .map(|t| t * 1_000_000 / ticks_per_s)
    };
    Some(Cpu {
        user_us: us(11)?,
        system_us: us(12)?,
    })
}

/// Resident memory of a process in KiB (VmRSS).
/// A command running tern, without the test harness's own settings (TERN_TEST_*), which tern
/// would refuse as unknown TERN_* names.
pub fn tern_command(binary: &std::path::Path) -> Command {
    let mut command = Command::new(binary);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("TERN_TEST_") {
            command.env_remove(&key);
        }
    }
    command
}

pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[derive(Clone, Copy, Debug)]
pub struct Cpu {
    pub user_us: u64,
    pub system_us: u64,
}

impl Cpu {
    /// CPU spent between `before` and `self`, per unit of work: (user, system) µs.
    pub fn per(self, before: Cpu, units: u64) -> (f64, f64) {
        let n = units.max(1) as f64;
        (
            (self.user_us - before.user_us) as f64 / n,
            (self.system_us - before.system_us) as f64 / n,
        )
    }
}

fn tern_binary(common: &Common) -> Result<PathBuf, String> {
    if let Some(path) = &common.tern {
        return Ok(path.clone());
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let sibling = me.with_file_name("tern");
    if sibling.exists() {
        Ok(sibling)
    } else {
        Err(format!(
            "no tern binary next to {}; build it (cargo build --release -p tern-server) or pass --tern",
            me.display()
        ))
    }
}
