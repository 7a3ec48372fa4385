//! Storage that stops taking writes: a full disk fails sends with a retryable error, marks the
//! node not ready, loses nothing acknowledged, and writes resume by themselves once there is
//! space again, with every connection still open.

use crate::support::{TestServer, cmid, text, until_ready_is};
use std::io::Write;
use std::path::{Path, PathBuf};
use tern_sdk::proto::ErrorCode;
use tern_store::testing::service_missing;

/// A size-limited file system (tmpfs) mounted for one test, unmounted when dropped.
struct SmallDisk {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounting needs root; `None` (after saying SKIPPED, or failing in CI) otherwise.
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = traversable_tempdir();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).expect("mount point");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&path)
            .output();
        match mounted {
            Ok(out) if out.status.success() => Some(SmallDisk { path, _dir: dir }),
            Ok(out) => {
                let why = String::from_utf8_lossy(&out.stderr).into_owned();
                service_missing("a small tmpfs (mount needs root)", why);
                None
            }
            Err(e) => {
                service_missing("a small tmpfs (mount needs root)", e);
                None
            }
        }
    }

    /// Writes zeros until the file system is full; returns the filler file.
    fn fill(&self) -> PathBuf {
        let filler = self.path.join("filler");
        let mut file = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        // The last few bytes too: a half block fits where a whole one did not.
        while file.write_all(&[0u8; 512]).is_ok() {}
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("--lazy")
            .arg(&self.path)
            .status();
    }
}

fn data_dir(disk: &Path) -> String {
    disk.join("tern-data").display().to_string()
}

/// A temporary directory that other users (PostgreSQL's) may enter.
fn traversable_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod temp dir");
    dir
}

/// A PostgreSQL server of our own, its data on `data` and its write-ahead log elsewhere (a full
/// log is a crash, not an error; a full data disk is what this test is about). Stopped when
/// dropped. The machine's shared PostgreSQL is never touched.
struct OwnPostgres {
    pg_ctl: PathBuf,
    data: PathBuf,
    url: String,
    _rest: tempfile::TempDir,
}

impl OwnPostgres {
    fn start(data: PathBuf) -> Option<OwnPostgres> {
        let Some(bin) = postgres_bin() else {
            service_missing("PostgreSQL's server programs (initdb)", "not installed");
            return None;
        };
        let rest = traversable_tempdir();
        let run = |program: &Path, args: &[&str]| {
            let out = std::process::Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(program)
                .args(args)
                .output()
                .expect("runuser");
            assert!(
                out.status.success(),
                "{} {args:?}: {}",
                program.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        std::fs::create_dir_all(&data).expect("data directory");
        let chown = std::process::Command::new("chown")
            .arg("postgres:")
            .arg(&data)
            .arg(rest.path())
            .status();
        if !chown.is_ok_and(|s| s.success()) {
            service_missing("a postgres system user (chown failed)", "cannot chown");
            return None;
        }
        let wal = rest.path().join("wal");
        run(
            &bin.join("initdb"),
            &[
                "-D",
                &data.display().to_string(),
                "--waldir",
                &wal.display().to_string(),
                "--auth=trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            rest.path().display()
        );
        let pg_ctl = bin.join("pg_ctl");
        let log = rest.path().join("postgres.log").display().to_string();
        run(
            &pg_ctl,
            &[
                "-D",
                &data.display().to_string(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
        Some(OwnPostgres {
            pg_ctl,
            data,
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            _rest: rest,
        })
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = std::process::Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&self.pg_ctl)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// The bin directory of the newest PostgreSQL installed (Debian's layout).
fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

#[tokio::test]
async fn a_full_disk_fails_writes_retryably_and_they_resume_once_space_is_back() {
    let Some(disk) = SmallDisk::mount(8) else {
        return;
    };
    // SQLite in both passes of the suite: the shared PostgreSQL server's disk is not ours to
    // fill (the next test fills one of our own).
    let server =
        TestServer::start_node(vec![("TERN_SERVER_DATA_DIR".into(), data_dir(&disk.path))]).await;
    full_disk_scenario(&server, &disk).await;
}

#[tokio::test]
async fn a_full_postgresql_disk_fails_writes_retryably_and_they_resume_once_space_is_back() {
    let Some(disk) = SmallDisk::mount(96) else {
        return;
    };
    let Some(postgres) = OwnPostgres::start(disk.path.join("pgdata")) else {
        return;
    };
    let server = TestServer::start_node(vec![(
        "TERN_STORAGE_DATABASE_URL".into(),
        postgres.url.clone(),
    )])
    .await;
    full_disk_scenario(&server, &disk).await;
}

/// Fills `disk` under a running tern, then frees it: sends are refused retryably, `/readyz`
/// says writes fail, and once there is room again everything resumes by itself, with the
/// receiving connection open all along and nothing acknowledged lost.
async fn full_disk_scenario(server: &TestServer, disk: &SmallDisk) {
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let mut bob_device = bob.connect().await;
    let filler = disk.fill();

    // Sends until one is refused: the log or free pages may still have room for a few.
    let big = "写".repeat(2000);
    let mut acked = Vec::new();
    let refused = loop {
        let id = cmid();
        match alice.api.send(conv, &id, text(&big)).await {
            Ok(sent) => acked.push(sent.event.seq),
            Err(e) => break (id, e),
        }
        assert!(acked.len() < 5000, "the disk never filled up");
    };
    assert_eq!(
        refused.1.code(),
        Some(ErrorCode::Unavailable),
        "{}",
        refused.1
    );
    let body = until_ready_is(&server.url, 503).await;
    assert_eq!(body["writes"], "failing", "{body}");

    std::fs::remove_file(&filler).expect("free the space");
    let body = until_ready_is(&server.url, 200).await;
    assert_eq!(body["writes"], "ok", "{body}");
    // The refused send, sent again, is stored now (and once), and bob's connection, open all
    // along, receives it live after everything acknowledged before.
    let sent = alice
        .api
        .send(conv, &refused.0, text("after the disk was full"))
        .await
        .expect("send after space came back");
    assert!(!sent.duplicate);
    let events = bob_device.collect_until(conv, sent.event.seq).await;
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let mut expected = acked.clone();
    expected.push(sent.event.seq);
    assert!(
        expected.iter().all(|s| seqs.contains(s)),
        "bob got {seqs:?}, acked were {expected:?}"
    );
    let summary = alice
        .api
        .conversation(conv)
        .await
        .expect("conversation")
        .summary;
    assert_eq!(
        summary.last_seq,
        acked.len() as u64 + 1,
        "nothing acked was lost, nothing refused was stored"
    );
}
