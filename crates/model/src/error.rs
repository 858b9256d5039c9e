//! The errors `parse_events` returns: one [`FieldError`] per failing field, gathered into
//! [`BatchError::Validation`], or [`BatchError::InvalidJson`] when the body is not JSON.

use serde::Serialize;

/// One failing field.
///
/// `path` is `"page.url"` for a single-event body and `"events[3].page.url"` inside a batch.
/// The root of the body (e.g. a body that is a JSON array) has the empty path `""`, as a
/// Zod issue with an empty path would print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Dotted path of the field, with `[i]` for array items.
    pub path: String,
    /// Human-readable reason, e.g. `"is required"` or `"must be an http(s) URL"`.
    pub message: String,
}

/// Why a `POST /v1/events` body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// The body is not JSON at all (message = serde_json error text).
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(String),
    /// JSON, but the envelope is wrong (not an object, `events` not an array, empty, more
    /// than 25 events) or at least one event fails validation. Holds EVERY failing field
    /// across all events, in document order per event.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
}
