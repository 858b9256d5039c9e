//! Pipeline messages: the Datafly Signal endpoints (`/v1/t /v1/p /v1/i /v1/g`, their batch
//! and server-side forms) and the Segment HTTP Tracking API share one message shape —
//! `type`, `anonymousId` / `userId`, `event` / `name` / `groupId` / `previousId`,
//! `properties`, `traits`, `context`, `timestamp`, `messageId`. This module validates such
//! messages (every failing field with its path), normalises their time, and reads each as
//! an [`Event`] the scorer understands, whose payload is the normalised message itself.
//!
//! Choices made where the contracts are silent:
//! - On a typed route (`/v1/t`, `/v1/track`, …) `type` may be left out; when present it must
//!   name the route's type.
//! - Every message needs `anonymousId` or `userId` (the visitor is the anonymous id, else the
//!   user id). Ids may be strings or numbers; numbers are read as their decimal text.
//! - `timestamp` (or, failing it, `originalTimestamp`) is ISO 8601. With a `sentAt` (on the
//!   message or its batch) the client clock is corrected: `timestamp + (receivedAt − sentAt)`,
//!   never later than the receipt. Without one, a time more than five minutes ahead of the
//!   receipt is replaced by the receipt time. The stored `timestamp` is the corrected time;
//!   the one sent is kept as `originalTimestamp`, and `receivedAt` is added.
//! - `writeKey` is a credential and is never stored.
//! - The session is `context.sessionId` when the SDK sends one, else the visitor (the scorer
//!   starts a new session after its idle gap either way).

mod check;
mod scoring;
mod time;

use serde_json::{Map, Value};

pub use self::time::{format_iso, parse_iso};
use crate::{
    error::{BatchError, FieldError},
    event::Event,
    validate::{path::Path, problem::Problem, report::Report},
};

/// Most bytes of one message in a batch (Segment's limit).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024;
/// Most bytes of a batch request.
pub const MAX_BATCH_BYTES: usize = 500 * 1024;
/// Most messages in one batch.
pub const MAX_BATCH_MESSAGES: usize = 500;

/// The pipeline message types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    Track,
    Page,
    Screen,
    Identify,
    Group,
    Alias,
}

impl MessageType {
    pub const ALL: [MessageType; 6] = [
        Self::Track,
        Self::Page,
        Self::Screen,
        Self::Identify,
        Self::Group,
        Self::Alias,
    ];

    /// The wire name, e.g. `"track"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Track => "track",
            Self::Page => "page",
            Self::Screen => "screen",
            Self::Identify => "identify",
            Self::Group => "group",
            Self::Alias => "alias",
        }
    }

    /// The type with this wire name, if any.
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// Which API a message arrived through: their required fields differ slightly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Datafly Signal: identify needs a `userId`.
    Signal,
    /// Segment: identify needs a `userId` or an `anonymousId`; alias needs `previousId`.
    Segment,
}

/// What validation needs to know about the request.
#[derive(Debug, Clone, Copy)]
pub struct SignalContext {
    /// When the request was received, ms since the epoch.
    pub now_ms: i64,
    pub dialect: Dialect,
    /// The batch's `sentAt`, ms, which messages without their own inherit.
    pub batch_sent_at: Option<i64>,
}

/// One validated, normalised pipeline message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub kind: MessageType,
    pub message_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// The message's own `userId`.
    pub user_id: Option<String>,
    /// The scorer's view of the message; its payload is the normalised message.
    pub event: Event,
}

impl Message {
    /// Gives a message that names no user the user its anonymous id is linked to: stored,
    /// shown and streamed with both ids from now on.
    pub fn link_user(&mut self, user_id: &str) {
        if self.user_id.is_some() || self.event.user_id.is_some() {
            return;
        }
        self.event.user_id = Some(user_id.to_owned());
        if let Value::Object(map) = &mut self.event.payload {
            map.insert("userId".into(), Value::String(user_id.to_owned()));
        }
    }
}

/// A request body with what it says besides its messages.
#[derive(Debug)]
pub struct Body {
    /// `writeKey` of the body, when it has one.
    pub write_key: Option<String>,
    pub value: Map<String, Value>,
}

/// Parses a request body as a JSON object, taking `writeKey` out of it.
pub fn parse_body(bytes: &[u8]) -> Result<Body, BatchError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| BatchError::InvalidJson(e.to_string()))?;
    let Value::Object(mut value) = value else {
        return Err(BatchError::Validation(vec![FieldError {
            path: String::new(),
            message: "request body must be a JSON object".into(),
        }]));
    };
    let write_key = match value.remove("writeKey") {
        Some(Value::String(key)) if !key.is_empty() => Some(key),
        _ => None,
    };
    Ok(Body { write_key, value })
}

/// Validates a single message: of the route's type `expected` on a typed route, of the
/// type it names otherwise.
pub fn parse_single(
    body: Map<String, Value>,
    expected: Option<MessageType>,
    ctx: SignalContext,
) -> Result<Message, BatchError> {
    let mut report = Report::default();
    let message = check::message(body, expected, &Path::Root, ctx, &mut report);
    match message {
        Some(message) if report.is_empty() => Ok(message),
        _ => Err(BatchError::Validation(report.into_errors())),
    }
}

/// One message of a batch: valid, or refused with its errors (paths `batch[i].…`).
#[derive(Debug)]
pub struct BatchItem {
    /// The message's `messageId`, when it had a readable one.
    pub message_id: Option<String>,
    pub result: Result<Message, Vec<FieldError>>,
}

/// Validates a batch body `{"batch": [...], "sentAt"?, "context"?}`: the shape of the batch
/// itself must be right (else the whole request is refused); each message is then accepted
/// or refused on its own. A message larger than [`MAX_MESSAGE_BYTES`] is refused. The
/// batch's `context` is merged under each message's own.
pub fn parse_batch(
    mut body: Map<String, Value>,
    mut ctx: SignalContext,
) -> Result<Vec<BatchItem>, BatchError> {
    let mut report = Report::default();
    let root = Path::Root;
    let batch_path = root.key("batch");
    let items = match body.remove("batch") {
        Some(Value::Array(items)) if items.is_empty() => {
            report.push(&batch_path, Problem::NoEvents);
            Vec::new()
        }
        Some(Value::Array(items)) if items.len() > MAX_BATCH_MESSAGES => {
            report.push(&batch_path, Problem::TooManyEvents(MAX_BATCH_MESSAGES));
            Vec::new()
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            report.push(&batch_path, Problem::NotArray);
            Vec::new()
        }
        None => {
            report.push(&batch_path, Problem::Required);
            Vec::new()
        }
    };
    if let Some(sent_at) = body.get("sentAt").filter(|v| !v.is_null()) {
        match sent_at.as_str().and_then(parse_iso) {
            Some(ms) => ctx.batch_sent_at = Some(ms),
            None => report.push(&root.key("sentAt"), Problem::NotIsoTime),
        }
    }
    let shared_context = match body.remove("context") {
        Some(Value::Object(context)) => Some(context),
        None | Some(Value::Null) => None,
        Some(_) => {
            report.push(&root.key("context"), Problem::NotObject);
            None
        }
    };
    if !report.is_empty() {
        return Err(BatchError::Validation(report.into_errors()));
    }
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, item)| batch_item(item, i, shared_context.as_ref(), ctx))
        .collect())
}

fn batch_item(
    item: Value,
    i: usize,
    shared_context: Option<&Map<String, Value>>,
    ctx: SignalContext,
) -> BatchItem {
    let root = Path::Root;
    let batch = root.key("batch");
    let path = batch.index(i);
    let message_id = item
        .get("messageId")
        .and_then(check::id_text)
        .map(|id| id.into_owned());
    let mut report = Report::default();
    if serialised_len(&item) > MAX_MESSAGE_BYTES {
        report.push(&path, Problem::TooManyBytes(MAX_MESSAGE_BYTES));
        return BatchItem {
            message_id,
            result: Err(report.into_errors()),
        };
    }
    let Value::Object(mut map) = item else {
        report.push(&path, Problem::NotObject);
        return BatchItem {
            message_id,
            result: Err(report.into_errors()),
        };
    };
    if let Some(shared) = shared_context {
        merge_context(&mut map, shared);
    }
    let message = check::message(map, None, &path, ctx, &mut report);
    let result = match message {
        Some(message) if report.is_empty() => Ok(message),
        _ => Err(report.into_errors()),
    };
    BatchItem { message_id, result }
}

/// The length of `value` as compact JSON, counted without building the text.
fn serialised_len(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        Err(_) => usize::MAX,
    }
}

/// Puts the batch's context fields under the message's own (the message's win).
fn merge_context(message: &mut Map<String, Value>, shared: &Map<String, Value>) {
    let context = message
        .entry("context")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(context) = context {
        for (key, value) in shared {
            context.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
}

/// Reads a stored pipeline message back as the event it was at ingest (for rebuilds and
/// replays): no clock correction, the stored `timestamp` is the corrected one.
pub fn reparse(payload: &str, received_at: i64) -> Option<Event> {
    let Ok(Value::Object(map)) = serde_json::from_str(payload) else {
        return None;
    };
    let ctx = SignalContext {
        now_ms: received_at,
        dialect: Dialect::Segment,
        batch_sent_at: None,
    };
    let mut report = Report::default();
    check::stored(map, ctx, &mut report).map(|message| message.event)
}
