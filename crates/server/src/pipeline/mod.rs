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

pub use key::authenticate;

use axum::{middleware, Router};
use utoipa::openapi::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// The pipeline routes with their own CORS, and their description.
pub fn routes(state: AppState) -> (Router<AppState>, OpenApi) {
    use routes::*;
    let (router, doc) = OpenApiRouter::new()
        .routes(routes!(signal_track, signal_track_preflight))
        .routes(routes!(signal_page, signal_page_preflight))
        .routes(routes!(signal_identify, signal_identify_preflight))
        .routes(routes!(signal_group, signal_group_preflight))
        .routes(routes!(segment_track, segment_track_preflight))
        .routes(routes!(segment_page, segment_page_preflight))
        .routes(routes!(segment_screen, segment_screen_preflight))
        .routes(routes!(segment_identify, segment_identify_preflight))
        .routes(routes!(segment_group, segment_group_preflight))
        .routes(routes!(segment_alias, segment_alias_preflight))
        .routes(routes!(batch, batch_preflight))
        .routes(routes!(import, import_preflight))
        .split_for_parts();
    let router = router
        .method_not_allowed_fallback(crate::app::method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::admission::admit,
        ))
        .layer(middleware::from_fn_with_state(state, cors::layer));
    (router, doc)
}
