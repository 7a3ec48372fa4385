//! Test support shared by this crate's tests and the server's: a throw-away PostgreSQL database
//! per test, and the rule for services that are missing (skip loudly; fail in CI).

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// Where the test PostgreSQL server is, as an admin URL (`TERN_TEST_POSTGRES`).
pub fn postgres_admin_url() -> String {
    std::env::var("TERN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Where the test Redis server is (`TERN_TEST_REDIS`).
pub fn redis_url() -> String {
    std::env::var("TERN_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A missing service skips the test with a loud message, except in CI (or with
/// `TERN_TEST_REQUIRE_SERVICES=1`), where it fails the test.
pub fn service_missing(service: &str, error: impl std::fmt::Display) {
    let required = std::env::var_os("CI").is_some()
        || std::env::var("TERN_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
    if required {
        panic!("{service} is required here but not reachable: {error}");
    }
    let line = format!("SKIPPED: {service} is not reachable ({error}); a test did not run");
    eprintln!("{line}");
    // The harness hides a passing test's output, and a test that returns early passes: the
    // test command counts these lines in its summary instead (`scripts/test.sh`).
    if let Some(path) = std::env::var_os("TERN_TEST_SKIP_LOG") {
        use std::io::Write;
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(file, "{line}");
        }
    }
}

/// A database created for one test and dropped afterwards.
pub struct TestDatabase {
    /// The URL to give tern (`postgres://…/tern_test_…`).
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates a fresh database; `None` (after `service_missing`) if PostgreSQL is unreachable.
    pub async fn create() -> Option<TestDatabase> {
        let admin_url = postgres_admin_url();
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => {
                service_missing("PostgreSQL", e);
                return None;
            }
        };
        let name = format!("tern_test_{}", uuid::Uuid::now_v7().simple());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let url = with_database(&admin_url, &name);
        Some(TestDatabase {
            url,
            admin_url,
            name,
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside any async context we could borrow; a short-lived runtime on its own
        // thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut admin)
                        .await;
                }
            });
        })
        .join();
    }
}

/// A follower's row as tern left it: its state and the node holding its lease. Read straight
/// from the database at `url` (`sqlite://PATH` or `postgres://...`), beside a running tern.
pub async fn follower_row(url: &str, name: &str) -> Option<(String, Option<String>)> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let conn =
            rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .ok()?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).ok()?;
        return conn
            .query_row(
                "SELECT state, holder FROM followers WHERE name = ?1",
                [name],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .ok();
    }
    let mut conn = PgConnection::connect(url).await.ok()?;
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT state, holder FROM followers WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut conn)
            .await
            .ok()?;
    let _ = conn.close().await;
    row
}

/// `admin_url` with its database name replaced by `name`.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_swapped_in_urls() {
        use super::with_database;
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "t1"),
            "postgres://u@h:5432/t1"
        );
        assert_eq!(with_database("postgres://u@h", "t1"), "postgres://u@h/t1");
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
    }
}
