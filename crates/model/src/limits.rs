//! The numeric limits of the ingestion contract, in one place so the validator, the
//! normaliser and the tests agree on them.

/// Most events one `{"events":[...]}` batch may carry.
pub const MAX_BATCH: usize = 25;

/// `device.userAgent` is truncated (on a char boundary) to this many chars, never rejected.
pub const MAX_USER_AGENT: usize = 512;

/// A client timestamp further than this from the server clock is replaced by the server time.
pub const MAX_SKEW_MS: i64 = 300_000;

/// `element.selector` of a click is truncated (on a char boundary) to this many chars.
pub const MAX_SELECTOR: usize = 256;

/// `visitorId` and `sessionId` longer than this many chars are refused.
pub const MAX_ID_CHARS: usize = 256;

/// `label` of a custom event longer than this many bytes (UTF-8) is refused.
pub const MAX_CUSTOM_LABEL_BYTES: usize = 4096;

/// Largest accepted `timestamp`: 9999-12-31T23:59:59.999Z. Anything later is not a
/// millisecond epoch value (seconds-vs-ms mistakes land far below, so they are skew-corrected).
pub const MAX_TIMESTAMP_MS: i64 = 253_402_300_799_999;
