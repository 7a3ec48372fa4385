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
        let dir = tempfile::tempdir().expect("temp dir");
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

#[tokio::test]
async fn a_full_disk_fails_writes_retryably_and_they_resume_once_space_is_back() {
    let Some(disk) = SmallDisk::mount(8) else {
        return;
    };
    // SQLite in both passes of the suite: the shared PostgreSQL server's disk is not ours to
    // fill.
    let server = TestServer::start_node(vec![("TERN_DATA_DIR".into(), data_dir(&disk.path))]).await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let conv = alice.direct_with(&bob).await;
    let mut bob_device = bob.connect().await;
    let filler = disk.fill();

    // Sends until one is refused: the log may still have room for a few.
    let big = "写".repeat(2000);
    let mut acked = Vec::new();
    let refused = loop {
        let id = cmid();
        match alice.api.send(conv, &id, text(&big)).await {
            Ok(sent) => acked.push(sent.event.seq),
            Err(e) => break (id, e),
        }
        assert!(acked.len() < 2000, "the disk never filled up");
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
