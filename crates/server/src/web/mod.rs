//! What browsers load from the server besides the API: the browser SDKs ([`sdk`]) and
//! the operator's dashboard ([`dashboard`], `/dashboard`).

pub mod dashboard;
pub mod sdk;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The browser-facing routes, outside the collector's CORS (each sets its own headers).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(sdk::routes())
        .merge(dashboard::routes())
}
