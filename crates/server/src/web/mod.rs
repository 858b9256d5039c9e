//! What the server serves to web pages besides the API: the browser SDKs ([`sdk`]).

pub mod sdk;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The web routes, outside the collector's CORS (each sets its own headers).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(sdk::routes())
}
