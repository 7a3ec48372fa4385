//! The layers, names, secrets and docs of the settings.

use super::layers::{Values, command};
use super::*;
use std::ffi::OsString;

fn load(args: &[&str], vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let args = std::iter::once("tern")
        .chain(args.iter().copied())
        .map(OsString::from);
    let vars = vars
        .iter()
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
    Config::resolve(&Values::load(args, vars)?)
}

fn with_file(text: &str) -> (tempfile::NamedTempFile, String) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let path = file.path().to_string_lossy().into_owned();
    (file, path)
}

#[test]
fn later_layers_win_and_defaults_fill_the_rest() {
    let (_file, path) = with_file(
        "[server]\nlisten = \"127.0.0.1:9000\"\nheartbeat_ms = 1000\n[limits]\nmax_page = 7\n",
    );
    let config = load(
        &["--config", &path, "--limits.max-page", "9"],
        &[
            ("TERN_LIMITS_MAX_PAGE", "8"),
            ("TERN_SERVER_HEARTBEAT_MS", "2000"),
        ],
    )
    .unwrap();
    assert_eq!(config.server.listen, "127.0.0.1:9000".parse().unwrap());
    assert_eq!(config.limits.max_page, 9, "a flag beats the environment");
    assert_eq!(
        config.server.heartbeat_ms,
        Duration::from_millis(2000),
        "env beats the file"
    );
    assert_eq!(config.limits.max_text_chars, 8000);
    assert!(config.notices.is_empty());
    let from_env = load(&[], &[("TERN_CONFIG", &path)]).unwrap();
    assert_eq!(from_env.limits.max_page, 7);
}

#[test]
fn every_default_parses() {
    let config = load(&[], &[]).unwrap();
    assert_eq!(config.server.data_dir, PathBuf::from("./tern-data"));
    assert_eq!(config.storage.durability, Durability::Process);
    assert!(config.cluster.redis_url.is_none());
    assert_eq!(
        config.database().unwrap(),
        Database::Sqlite(PathBuf::from("./tern-data/tern.db"))
    );
}

#[test]
fn unknown_names_are_named() {
    let (_file, path) = with_file("[server]\nlistne = \"x\"\n");
    let err = load(&["--config", &path], &[]).unwrap_err().to_string();
    assert!(err.contains("listne in [server]"), "{err}");
    let (_file, path) = with_file("[servre]\nlisten = \"x\"\n");
    let err = load(&["--config", &path], &[]).unwrap_err().to_string();
    assert!(err.contains("unknown setting servre"), "{err}");
    let err = load(&[], &[("TERN_SERVER_LISTNE", "x")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("TERN_SERVER_LISTNE"), "{err}");
    let (_file, path) = with_file("[limits]\nmax_page = [1, 2]\n");
    let err = load(&["--config", &path], &[]).unwrap_err().to_string();
    assert!(
        err.contains("limits.max_page") && err.contains("[1,2]"),
        "{err}"
    );
}

#[test]
fn flat_names_from_before_sections_still_work_and_name_the_new_one() {
    let (_file, path) = with_file("listen = \"127.0.0.1:9001\"\n");
    let config = load(
        &["--config", &path, "--max-page", "3"],
        &[("TERN_ARGON2_MEMORY_KIB", "1024")],
    )
    .unwrap();
    assert_eq!(config.server.listen.port(), 9001);
    assert_eq!(config.limits.max_page, 3);
    assert_eq!(config.security.argon2_memory_kib, 1024);
    let notices = config.notices.join("\n");
    for new in [
        "[server] listen",
        "--limits.max-page",
        "TERN_SECURITY_ARGON2_MEMORY_KIB",
    ] {
        assert!(notices.contains(new), "{notices}");
    }
    // The new name wins over the old one in the same layer, whatever their order.
    for vars in [
        [("TERN_MAX_PAGE", "3"), ("TERN_LIMITS_MAX_PAGE", "4")],
        [("TERN_LIMITS_MAX_PAGE", "4"), ("TERN_MAX_PAGE", "3")],
    ] {
        assert_eq!(load(&[], &vars).unwrap().limits.max_page, 4);
    }
    // In the file the old top-level key sorts after `[limits]`; the section still wins.
    let (_file, path) = with_file("max_page = 3\n[limits]\nmax_page = 4\n");
    assert_eq!(load(&["--config", &path], &[]).unwrap().limits.max_page, 4);
    // A later layer's old name still beats an earlier layer's new one.
    let config = load(&["--config", &path, "--max-page", "5"], &[]).unwrap();
    assert_eq!(config.limits.max_page, 5);
}

#[test]
fn bad_values_name_the_setting_and_where_it_came_from() {
    let err = load(&[], &[("TERN_LIMITS_MAX_PAGE", "lots")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("limits.max_page") && err.contains("TERN_LIMITS_MAX_PAGE"),
        "{err}"
    );
    let err = load(&["--storage.durability", "disk"], &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("storage.durability") && err.contains("\"disk\""),
        "{err}"
    );
    let err = load(&["--limits.max-frame-bytes", "10"], &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("at least 1024"), "{err}");
    let err = load(
        &[],
        &[
            ("TERN_SERVER_HEARTBEAT_MS", "1000"),
            ("TERN_SERVER_IDLE_TIMEOUT_MS", "500"),
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("server.idle_timeout_ms"), "{err}");
    let err = load(&["--storage.database-url", "mysql://x"], &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("storage.database_url"), "{err}");
    let err = load(&["--cluster.redis-url", "http://x"], &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("cluster.redis_url"), "{err}");
}

#[test]
fn lists_come_as_arrays_of_tables_in_the_file_and_json_elsewhere() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Provider {
        name: String,
        issuer: String,
    }
    let file: toml::Table =
        toml::from_str("[[providers]]\nname = \"a\"\nissuer = \"https://a\"\n").unwrap();
    let text = super::layers::scalar(&file["providers"]).unwrap();
    let from_file = Vec::<Provider>::parse(&text).unwrap();
    let from_env = Vec::<Provider>::parse(r#"[{"name":"a","issuer":"https://a"}]"#).unwrap();
    assert_eq!(from_file, from_env);
    assert_eq!(from_file[0].issuer, "https://a");
    assert!(Vec::<Provider>::parse("[{\"name\":1}]").is_err());
}

#[test]
fn secrets_never_print() {
    let config = load(
        &[
            "--storage.database-url",
            "postgres://tern:s3cret@db:5432/tern",
        ],
        &[("TERN_CLUSTER_REDIS_URL", "redis://:hunter2@cache:6379")],
    )
    .unwrap();
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("s3cret") && !shown.contains("hunter2"),
        "{shown}"
    );
    assert_eq!(
        config.database().unwrap().describe(),
        "postgres://tern:***@db:5432/tern"
    );
    assert_eq!(
        config.cluster.redis_url.as_ref().map(Secret::expose),
        Some("redis://:hunter2@cache:6379")
    );
}

#[test]
fn help_lists_every_setting_with_its_variable() {
    let help = command().render_long_help().to_string();
    for setting in SETTINGS {
        assert!(help.contains(&setting.flag()), "{}", setting.flag());
        assert!(help.contains(&setting.env()), "{}", setting.env());
    }
    assert!(!help.contains("--max-page "), "old flat flags stay hidden");
}

/// The README's settings table, as the table of settings renders it.
fn readme_table() -> String {
    let mut out = String::from(
        "| setting (file) | environment / flag | default | meaning |\n|---|---|---|---|\n",
    );
    for s in SETTINGS {
        let default = match s.default {
            "" => "unset".to_owned(),
            text => format!("`{text}`"),
        };
        let help = s.help.split_whitespace().collect::<Vec<_>>().join(" ");
        out += &format!(
            "| `[{}] {}` | `{}` `{}` | {default} | {help} |\n",
            s.section,
            s.key,
            s.env(),
            s.flag()
        );
    }
    out
}

/// Fails when README.md's table is not the one the settings declare; run with
/// `UPDATE_README=1` to rewrite it.
#[test]
fn readme_lists_the_settings_as_declared() {
    const START: &str = "<!-- settings table: generated by `UPDATE_README=1 cargo test -p tern-server readme` -->\n";
    const END: &str = "<!-- end of settings table -->";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md has no settings table markers");
    };
    let current = &readme[start + START.len()..end];
    let wanted = readme_table();
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{START}{wanted}{}", &readme[..start], &readme[end..]);
        std::fs::write(path, updated).unwrap();
    } else {
        assert_eq!(
            current, wanted,
            "README.md's settings table is stale: run with UPDATE_README=1"
        );
    }
}
