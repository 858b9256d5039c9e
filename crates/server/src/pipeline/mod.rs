//! The pipeline endpoints: Datafly Signal and the Segment HTTP Tracking API, for the SDKs
//! teams already run. A request is admitted by [`gate`] (pipeline key, source origin or IP
//! allowlist, the source's rate limit), its messages validated by
//! [`clickwire_model::signal`], deduplicated and linked to their user by [`store`], and
//! stored through the same process stage as ClickStream events. [`cors`] answers browsers
//! from the source's origins; [`signed`] is the server-side form on `POST /v1/events`.

mod body;
mod cors;
mod gate;
mod key;
pub mod recall;
mod routes;
pub mod signed;
mod store;

use axum::{middleware, Router};
use clickwire_model::signal::{Dialect, MessageType};

use crate::state::AppState;

/// The pipeline routes with their own CORS.
pub fn routes(state: AppState) -> Router<AppState> {
    use Dialect::{Segment, Signal};
    use MessageType::*;
    Router::new()
        .route("/v1/t", routes::typed(Track, Signal))
        .route("/v1/p", routes::typed(Page, Signal))
        .route("/v1/i", routes::typed(Identify, Signal))
        .route("/v1/g", routes::typed(Group, Signal))
        .route("/v1/track", routes::typed(Track, Segment))
        .route("/v1/page", routes::typed(Page, Segment))
        .route("/v1/screen", routes::typed(Screen, Segment))
        .route("/v1/identify", routes::typed(Identify, Segment))
        .route("/v1/group", routes::typed(Group, Segment))
        .route("/v1/alias", routes::typed(Alias, Segment))
        .route("/v1/batch", routes::batch())
        .route("/v1/import", routes::batch())
        .method_not_allowed_fallback(crate::app::method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::admission::admit,
        ))
        .layer(middleware::from_fn_with_state(state, cors::layer))
}
