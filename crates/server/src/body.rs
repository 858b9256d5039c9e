//! Reading a request body after the request is authenticated: handlers take the raw
//! [`Body`] and call [`read_body`] once the key is known good, so an unauthenticated
//! request never makes the server buffer anything. The body is capped at
//! `server.max_body_bytes` (413) and must arrive within `server.body_timeout` (408).

use std::error::Error;

use axum::body::Body;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tower_http::timeout::TimeoutError;

use crate::{error::ApiError, state::AppState};

/// The whole body, or 413 / 408 / 400.
pub async fn read_body(state: &AppState, body: Body) -> Result<Bytes, ApiError> {
    let server = &state.config.server;
    let limit = server.max_body_bytes;
    let collect = Limited::new(body, limit).collect();
    match tokio::time::timeout(server.body_timeout, collect).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(err)) => Err(body_error(err.as_ref(), limit)),
        Err(_) => Err(ApiError::RequestTimeout),
    }
}

/// A body that could not be read: too large, too slow, or cut off by the client.
fn body_error(err: &(dyn Error + 'static), limit: usize) -> ApiError {
    if caused_by::<LengthLimitError>(err) {
        ApiError::PayloadTooLarge(limit)
    } else if caused_by::<TimeoutError>(err) {
        ApiError::RequestTimeout
    } else {
        ApiError::InvalidRequest(format!("could not read the request body: {err}"))
    }
}

/// True when `T` is `err` or anywhere in its chain of sources.
fn caused_by<T: Error + 'static>(err: &(dyn Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        if err.is::<T>() {
            return true;
        }
        current = err.source();
    }
    false
}
