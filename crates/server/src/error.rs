//! The HTTP-facing error: every client-visible failure of every route, and the one table
//! that maps each to its status code and stable `error` code. Bodies are
//! `{"error": code, "message": text}` (plus `details` for validation). 5xx bodies are
//! generic; their cause is logged here, once.

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use clickwire_model::{BatchError, FieldError};
use clickwire_store::{StoreError, Tier};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{limits::RateLimited, privacy::PrivacyError};

/// Seconds a client is told to wait when ingest sheds load.
const OVERLOADED_RETRY_AFTER_SECS: u64 = 1;

/// Everything a route can answer with instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    InvalidRequest(String),
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    #[error("missing, invalid or revoked API key")]
    InvalidApiKey,
    #[error(
        "missing API key: Sec-WebSocket-Protocol carries the key after the protocol name, \
         as `clickstream-v1, <key>` (or pass ?key=)"
    )]
    KeyNotAfterProtocol,
    #[error("the API key was revoked or has expired")]
    KeyRevoked,
    #[error("The supplied pipeline key was not recognised.")]
    InvalidPipelineKey,
    #[error("the request's Origin is not among the source's allowed origins")]
    OriginNotAllowed,
    #[error("the request comes from an address outside the source's IP allowlist")]
    IpNotAllowed,
    #[error("{0}")]
    InvalidSignature(String),
    #[error("this test session has ended (it lasts {0} or its request limit)")]
    SessionExpired(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("the request's Origin or Referer is not among the key's allowed domains")]
    DomainNotAllowed,
    #[error("this feature needs a higher plan than {}", .0.as_str())]
    PlanUpgradeRequired(Tier),
    #[error("this plan cannot send events on the Signals Feed; network and custom plans can")]
    WriteNotAllowed,
    /// The route (as the contract writes the feed's: `/v1/signals/stream`) is a WebSocket.
    #[error("WebSocket upgrade required at {0}")]
    UpgradeRequired(&'static str),
    #[error("{0} not found")]
    NotFound(String),
    #[error("no events are stored for this visitor")]
    VisitorNotFound,
    #[error("no event with this id in the key's tenant")]
    EventNotFound,
    #[error(
        "{0} is not a sealed field: use rawEmail, rawPhone, values or files[<i>].text_excerpt"
    )]
    UnknownField(String),
    #[error("this event has no sealed {0}")]
    FieldNotSealed(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{0} already exists")]
    Conflict(String),
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("rate limit exceeded")]
    RateLimited(RateLimited),
    #[error("Too many subscribers")]
    TooManySubscribers,
    #[error("the server is at capacity; retry shortly")]
    Overloaded,
    #[error("the server cannot store events right now (its disk is full or failing); retry later")]
    StorageUnavailable,
    #[error("not ready: {0}")]
    NotReady(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The status and stable code of each variant: the one place they are decided.
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        use ApiError::*;
        match self {
            InvalidJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            Validation(_) => (StatusCode::BAD_REQUEST, "validation_error"),
            InvalidRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            InvalidFilter(_) => (StatusCode::BAD_REQUEST, "invalid_filter"),
            InvalidApiKey | KeyRevoked | KeyNotAfterProtocol => {
                (StatusCode::UNAUTHORIZED, "invalid_api_key")
            }
            InvalidPipelineKey => (StatusCode::UNAUTHORIZED, "invalid_pipeline_key"),
            OriginNotAllowed => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            IpNotAllowed => (StatusCode::FORBIDDEN, "ip_not_allowed"),
            InvalidSignature(_) => (StatusCode::UNAUTHORIZED, "invalid_signature"),
            SessionExpired(_) => (StatusCode::GONE, "session_expired"),
            Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            DomainNotAllowed => (StatusCode::FORBIDDEN, "domain_not_allowed"),
            PlanUpgradeRequired(_) => (StatusCode::FORBIDDEN, "plan_upgrade_required"),
            WriteNotAllowed => (StatusCode::FORBIDDEN, "write_not_allowed"),
            UpgradeRequired(_) => (StatusCode::UPGRADE_REQUIRED, "upgrade_required"),
            NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            VisitorNotFound => (StatusCode::NOT_FOUND, "visitor_not_found"),
            EventNotFound => (StatusCode::NOT_FOUND, "event_not_found"),
            UnknownField(_) => (StatusCode::BAD_REQUEST, "unknown_field"),
            FieldNotSealed(_) => (StatusCode::NOT_FOUND, "field_not_sealed"),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            RequestTimeout => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded"),
            TooManySubscribers => (StatusCode::TOO_MANY_REQUESTS, "too_many_subscribers"),
            Overloaded => (StatusCode::SERVICE_UNAVAILABLE, "overloaded"),
            StorageUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable"),
            NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }

    /// The stable `error` code of this failure.
    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }

    /// The client-facing message: generic for 5xx (whose cause is logged here, once).
    pub fn public_message(&self) -> String {
        if self.status_and_code().0.is_server_error()
            && !matches!(self, ApiError::Overloaded | ApiError::StorageUnavailable)
        {
            tracing::error!(error = %self, "request failed");
            "the server could not complete the request".to_string()
        } else {
            self.to_string()
        }
    }

    /// The field errors of a validation failure.
    pub fn details(&self) -> Option<&[FieldError]> {
        match self {
            ApiError::Validation(details) => Some(details.as_slice()),
            _ => None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Overloaded => ApiError::Overloaded,
            // The writer logged the cause, once per failed commit.
            StoreError::Unavailable(_) => ApiError::StorageUnavailable,
            StoreError::NotFound(what) => ApiError::NotFound(what),
            StoreError::Conflict(what) => ApiError::Conflict(what),
            StoreError::Invalid(why) => ApiError::InvalidRequest(why),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<PrivacyError> for ApiError {
    fn from(err: PrivacyError) -> Self {
        ApiError::Internal(err.to_string())
    }
}

impl From<BatchError> for ApiError {
    fn from(err: BatchError) -> Self {
        match err {
            BatchError::InvalidJson(message) => ApiError::InvalidJson(message),
            BatchError::Validation(details) => ApiError::Validation(details),
        }
    }
}

/// The body of every failure: `{"error": code, "message": text}`.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody<'a> {
    /// The stable code of the failure, e.g. `invalid_api_key` (one per failure, mapped to
    /// its status in one table).
    error: &'static str,
    /// What went wrong, for people (generic for 5xx).
    message: String,
    /// The field errors of a `validation_error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<FieldError>>)]
    details: Option<&'a [FieldError]>,
    /// The caller's plan, with `plan_upgrade_required`.
    #[serde(rename = "currentPlan", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    current_plan: Option<&'static str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        metrics::counter!("clickwire_requests_rejected_total", "error" => code).increment(1);
        let message = self.public_message();
        let details = self.details();
        let current_plan = match &self {
            ApiError::PlanUpgradeRequired(tier) => Some(tier.as_str()),
            _ => None,
        };
        let body = ErrorBody {
            error: code,
            message,
            details,
            current_plan,
        };
        let mut response = (status, Json(body)).into_response();
        add_retry_headers(&self, response.headers_mut());
        response
    }
}

/// The headers that tell a client when to try again (the retryable errors only).
fn add_retry_headers(err: &ApiError, headers: &mut HeaderMap) {
    match err {
        ApiError::RateLimited(limited) => limited.write_headers(headers),
        ApiError::Overloaded | ApiError::StorageUnavailable => {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(OVERLOADED_RETRY_AFTER_SECS),
            );
        }
        _ => {}
    }
}
