//! What browsers load from the server: the operator's dashboard (`/dashboard`).

pub mod dashboard;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The browser-facing routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(dashboard::routes())
}
