//! Liveness and readiness probes for load balancers and orchestrators.

use super::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tern_store::Store;

/// A readiness check that takes longer than this counts as "not answering".
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The process is up and serving HTTP.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers, writes succeed and file storage can be written; 503 when one is not
/// so (a node that can read but not store, say on a full disk, must not be sent users).
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let files = match tokio::time::timeout(READY_TIMEOUT, state.files.check()).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "file storage check failed");
            Some("error")
        }
        Err(_) => Some("timeout"),
    };
    let problems = Problems {
        writes: state.committer.health().problem(),
        bus: state.gateway.bus.problem(),
        files,
    };
    readiness(state.store.as_ref(), problems).await
}

/// What the node's own parts report, besides the database's answer.
#[derive(Default)]
struct Problems {
    writes: Option<&'static str>,
    bus: Option<&'static str>,
    files: Option<&'static str>,
}

async fn readiness(store: &dyn Store, problems: Problems) -> (StatusCode, Json<Value>) {
    let database = match tokio::time::timeout(READY_TIMEOUT, store.ping()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            "error"
        }
        Err(_) => "timeout",
    };
    let writes = problems.writes.unwrap_or("ok");
    let bus = problems.bus.unwrap_or("ok");
    let files = problems.files.unwrap_or("ok");
    let (status, word) = if database == "ok" && writes == "ok" && bus == "ok" && files == "ok" {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    let body = json!({
        "status": word,
        "database": database,
        "writes": writes,
        "bus": bus,
        "files": files,
    });
    (status, Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_store::sqlite::{Durability, SqliteStore};

    #[tokio::test]
    async fn ready_while_the_database_answers_and_503_once_it_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db"), Durability::Process)
            .await
            .unwrap();
        let (status, body) = readiness(&store, Problems::default()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body.0["database"], "ok");
        let failing = Problems {
            writes: Some("failing"),
            ..Problems::default()
        };
        let (status, body) = readiness(&store, failing).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body.0["writes"], "failing");
        store.close().await;
        let (status, body) = readiness(&store, Problems::default()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body.0["status"], "unavailable");
    }
}
