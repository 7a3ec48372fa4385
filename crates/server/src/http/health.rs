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

/// The database answers and writes succeed; 503 when either is not so (a node that can read
/// but not store, say on a full disk, must not be sent users).
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    readiness(state.store.as_ref(), state.chat.write_problem()).await
}

async fn readiness(store: &dyn Store, write_problem: Option<&str>) -> (StatusCode, Json<Value>) {
    let database = match tokio::time::timeout(READY_TIMEOUT, store.ping()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            "error"
        }
        Err(_) => "timeout",
    };
    let writes = write_problem.unwrap_or("ok");
    let (status, word) = if database == "ok" && writes == "ok" {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    (
        status,
        Json(json!({ "status": word, "database": database, "writes": writes })),
    )
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
        let (status, body) = readiness(&store, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body.0["database"], "ok");
        let (status, body) = readiness(&store, Some("failing")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body.0["writes"], "failing");
        store.close().await;
        let (status, body) = readiness(&store, None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body.0["status"], "unavailable");
    }
}
