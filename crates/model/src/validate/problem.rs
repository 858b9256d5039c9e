//! Every validation message in one table: a [`Problem`] names what is wrong with a field
//! and renders the human-readable message a client sees in `details`.

use std::fmt;

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Problem {
    Required,
    NotString,
    NotNumber,
    NotBoolean,
    NotObject,
    NotArray,
    Empty,
    TooManyChars(usize),
    TooManyBytes(usize),
    OutOfRange(f64, f64),
    Negative,
    NotHttpUrl,
    NotHex(usize),
    NotTimestamp,
    OneOf(&'static str),
    UnknownEventType,
    NotAcceptedHere(&'static str),
    BodyNotObject,
    NoEvents,
    TooManyEvents(usize),
    NotIsoTime,
    NotId,
    MustBe(&'static str),
    OneOfRequired(&'static str),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => f.write_str("is required"),
            Self::NotString => f.write_str("must be a string"),
            Self::NotNumber => f.write_str("must be a number"),
            Self::NotBoolean => f.write_str("must be a boolean"),
            Self::NotObject => f.write_str("must be an object"),
            Self::NotArray => f.write_str("must be an array"),
            Self::Empty => f.write_str("must not be empty"),
            Self::TooManyChars(max) => write!(f, "must be at most {max} characters"),
            Self::TooManyBytes(max) => write!(f, "must be at most {max} bytes"),
            Self::OutOfRange(min, max) => write!(f, "must be between {min} and {max}"),
            Self::Negative => f.write_str("must not be negative"),
            Self::NotHttpUrl => f.write_str("must be an absolute http(s) URL"),
            Self::NotHex(len) => write!(f, "must be {len} hexadecimal characters"),
            Self::NotTimestamp => {
                f.write_str("must be milliseconds since the epoch (0 to 253402300799999)")
            }
            Self::OneOf(choices) => write!(f, "must be one of: {choices}"),
            Self::UnknownEventType => f.write_str(
                "unknown event type; expected one of: pageview, click, scroll, form, custom, \
                 identify, _consent_transition",
            ),
            Self::NotAcceptedHere(name) => write!(
                f,
                "{name} is not accepted by /v1/events; email engagement is not part of the \
                 public ingestion contract (campaign links use the /r attribution route)"
            ),
            Self::BodyNotObject => {
                f.write_str("request body must be an event object or {\"events\": [...]}")
            }
            Self::NoEvents => f.write_str("must contain at least 1 event"),
            Self::TooManyEvents(max) => write!(f, "must contain at most {max} events"),
            Self::NotIsoTime => {
                f.write_str("must be an ISO 8601 time, e.g. 2026-02-25T14:30:00.000Z")
            }
            Self::NotId => f.write_str("must be a string or a number"),
            Self::MustBe(value) => write!(f, "must be \"{value}\" on this endpoint"),
            Self::OneOfRequired(fields) => write!(f, "is required: a message needs {fields}"),
        }
    }
}
