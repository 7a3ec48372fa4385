//! The HTTP route of receipts: a conversation's read positions.

use crate::accounts::Caller;
use crate::error::AppResult;
use crate::http::{AppState, Json, Path};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use tern_proto::ConvId;
use tern_proto::rest::ReceiptList;

/// Routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new().route("/conversations/{id}/receipts", get(receipts))
}

async fn receipts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Json<ReceiptList>> {
    let receipts = state.receipts.list(caller.user, ConvId(id)).await?;
    Ok(Json(ReceiptList { receipts }))
}
