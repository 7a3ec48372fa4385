//! Starting the binary: settings are checked and explained before anything runs.

use std::process::Command;

fn tern(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_tern"))
        .args(args)
        .env_clear()
        .env("TERN_SERVER_DATA_DIR", dir.path())
        .env("TERN_SERVER_LISTEN", "127.0.0.1:0")
        .envs(env.iter().copied())
        .output()
        .expect("run tern")
}

#[test]
fn help_describes_every_setting() {
    let out = tern(&["--help"], &[]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for setting in [
        "--server.listen",
        "TERN_SERVER_LISTEN",
        "--server.data-dir",
        "TERN_SERVER_DATA_DIR",
        "--config",
        "--storage.durability",
        "--storage.database-url",
        "TERN_CLUSTER_REDIS_URL",
        "--limits.max-text-chars",
        "--limits.max-frame-bytes",
        "--server.heartbeat-ms",
        "--server.idle-timeout-ms",
        "--limits.outgoing-queue",
    ] {
        assert!(help.contains(setting), "--help does not mention {setting}");
    }
}

#[test]
fn an_unknown_environment_setting_is_named_and_stops_startup() {
    let out = tern(&[], &[("TERN_LISTNE", "127.0.0.1:1")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TERN_LISTNE"));
}

#[test]
fn an_unknown_config_file_key_is_named_and_stops_startup() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tern.toml");
    std::fs::write(
        &file,
        "[limits]\nmax_text_chars = 10\nmax_txet_chars = 20\n",
    )
    .unwrap();
    let out = tern(&["--config", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("max_txet_chars"), "{stderr}");
}

#[test]
fn a_bad_value_is_explained() {
    for flag in ["--storage.durability", "--durability"] {
        let out = tern(&[flag, "sometimes"], &[]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("storage.durability"), "{stderr}");
        assert!(stderr.contains("\"sometimes\""), "{stderr}");
    }
}
