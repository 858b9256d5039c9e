//! Wire types of the ClickStream `POST /v1/events` contract (and, in [`signal`], of the
//! pipeline messages of the Datafly Signal and Segment APIs) and everything that can be
//! decided about an event without I/O: parsing a request body, validating every event with
//! a path per failing field, normalising it, and mapping it onto the analytics columns.
//!
//! The entry points are [`parse_events`] (body → typed, normalised [`Event`]s or every
//! [`FieldError`]) and [`analytics_row`] (event → [`AnalyticsRow`]).
//!
//! Choices made where the contract is silent:
//! - A body that is not a JSON object is reported at the root path `""` (as Zod prints an
//!   empty issue path); a top-level object with an `events` key is always a batch.
//! - `null` for an optional field counts as absent; `null` for a required one "is required".
//! - Where the contract states a range it is enforced (`fingerprintConfidence`,
//!   `automation.score`, scroll `depth`, form `completion_rate`: 0–100; click
//!   `normX`/`normY`: 0–1); counts and durations (`fieldCount`, `timeOnPage`, file `size`)
//!   must not be negative. Other numbers are only type-checked.
//! - `timestamp` may be fractional; it is floored to whole milliseconds and the payload is
//!   rewritten so `payload.timestamp == Event::timestamp` always holds.
//! - Lengths in "chars" are Unicode scalar values; the custom `label` cap is in bytes.
//! - `hem`/`hemMd5` accept hex digits of either case and are stored as sent.
//! - Unknown fields are kept anywhere in the payload and never reported.
//! - `{"encrypted":true}` in place of `rawEmail`, `rawPhone`, form `values` or a file's
//!   `text_excerpt` is the server's sealed placeholder and reads as the field being absent.

mod analytics;
mod batch;
mod detail;
mod device;
mod error;
mod event;
mod limits;
pub mod rules;
mod sealed;
pub mod signal;
mod validate;

pub use analytics::{analytics_row, identity_keys, AnalyticsExtras, AnalyticsRow, IdentityKeys};
pub use batch::parse_events;
pub use detail::{ClickElement, EventDetail, FormAction, FormFile, Performance};
pub use device::{Automation, Device, Dimensions};
pub use error::{BatchError, FieldError};
pub use event::{ClientPlatform, Consent, Event, EventType, Page};
pub use limits::{
    MAX_BATCH, MAX_CUSTOM_LABEL_BYTES, MAX_ID_CHARS, MAX_SELECTOR, MAX_SKEW_MS, MAX_TIMESTAMP_MS,
    MAX_USER_AGENT,
};
pub use sealed::{is_sealed_placeholder, sealed_placeholder};
pub use validate::ValidateContext;
