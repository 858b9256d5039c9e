//! Wire types of the ClickStream `POST /v1/events` contract and everything that can be
//! decided about an event without I/O: parsing a request body, validating every event with
//! a path per failing field, normalising it, and mapping it onto the analytics columns.
//!
//! The entry points are [`parse_events`] (body → typed, normalised [`Event`]s or every
//! [`FieldError`]) and [`analytics_row`] (event → [`AnalyticsRow`]).

mod analytics;
mod batch;
mod detail;
mod device;
mod error;
mod event;
mod limits;
mod validate;

pub use analytics::{analytics_row, AnalyticsExtras, AnalyticsRow};
pub use batch::parse_events;
pub use detail::{ClickElement, EventDetail, FormAction, FormFile, Performance};
pub use device::{Automation, Device, Dimensions};
pub use error::{BatchError, FieldError};
pub use event::{ClientPlatform, Consent, Event, EventType, Page};
pub use limits::{
    MAX_BATCH, MAX_CUSTOM_LABEL_BYTES, MAX_ID_CHARS, MAX_SELECTOR, MAX_SKEW_MS, MAX_TIMESTAMP_MS,
    MAX_USER_AGENT,
};
pub use validate::ValidateContext;
