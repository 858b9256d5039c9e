//! Admission control of the ingest routes: at most `server.max_in_flight` ingest requests
//! are handled at once. One more is answered 503 `overloaded` with `Retry-After` at once,
//! before its body is read or anything is parsed, so a flood costs little per refused
//! request and the admitted ones keep a bounded latency (their queue is bounded). The
//! slot is held until the answer's head is ready (the commit included).

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::sync::Semaphore;

use crate::{error::ApiError, state::AppState};

/// The slots of in-flight ingest requests.
pub struct Admission {
    slots: Semaphore,
}

impl Admission {
    pub fn new(max_in_flight: usize) -> Self {
        Self {
            slots: Semaphore::new(max_in_flight),
        }
    }
}

/// The middleware of the ingest routes.
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Ok(_slot) = state.admission.slots.try_acquire() else {
        metrics::counter!("clickwire_ingest_shed_total").increment(1);
        return ApiError::Overloaded.into_response();
    };
    next.run(request).await
}
