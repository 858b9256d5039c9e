//! Validation of one pipeline message: the fields every type shares, the fields its type
//! requires, and the time normalisation; then the scorer's view of it ([`super::scoring`]).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{scoring, time, Dialect, Message, MessageType, SignalContext};
use crate::{
    limits::MAX_ID_CHARS,
    validate::{
        fields::{exceeds_chars, non_empty, object, Obj},
        path::Path,
        problem::Problem,
        report::Report,
    },
};

/// Most characters of `event`, `name`, ids.
const MAX_NAME_CHARS: usize = 256;

/// How the message's time is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Clock {
    /// A new message: correct the client clock, then cap it at the receipt.
    Incoming,
    /// A stored message: its `timestamp` is already the corrected time.
    Stored,
}

/// Validates `map` as a message (of type `expected` on a typed route) and normalises it.
pub(super) fn message(
    map: Map<String, Value>,
    expected: Option<MessageType>,
    path: &Path<'_>,
    ctx: SignalContext,
    r: &mut Report,
) -> Option<Message> {
    read(map, expected, path, ctx, Clock::Incoming, r)
}

/// Reads a stored (already normalised) message back.
pub(super) fn stored(
    map: Map<String, Value>,
    ctx: SignalContext,
    r: &mut Report,
) -> Option<Message> {
    read(map, None, &Path::Root, ctx, Clock::Stored, r)
}

fn read(
    mut map: Map<String, Value>,
    expected: Option<MessageType>,
    path: &Path<'_>,
    ctx: SignalContext,
    clock: Clock,
    r: &mut Report,
) -> Option<Message> {
    map.remove("writeKey");
    let before = r.len();
    let obj = Obj::new(&map, *path);
    let kind = kind(&obj, expected, r);
    let anonymous_id = obj.opt(r, "anonymousId", id);
    let user_id = obj.opt(r, "userId", id);
    let message_id = obj.opt(r, "messageId", id);
    if anonymous_id.is_none() && user_id.is_none() && r.len() == before {
        obj.fail(
            r,
            "anonymousId",
            Problem::OneOfRequired("anonymousId or userId"),
        );
    }
    for key in ["properties", "traits", "context", "integrations"] {
        obj.opt(r, key, object);
    }
    if let Some(kind) = kind {
        required_of(&obj, kind, ctx.dialect, user_id.is_some(), r);
    }
    let sent =
        time_field(&obj, "timestamp", r).or_else(|| time_field(&obj, "originalTimestamp", r));
    let sent_at = time_field(&obj, "sentAt", r).or(ctx.batch_sent_at);
    if r.len() > before {
        return None;
    }
    let kind = kind?;
    let (anonymous_id, user_id) = (
        anonymous_id.map(Cow::into_owned),
        user_id.map(Cow::into_owned),
    );
    let message_id = message_id.map(Cow::into_owned);
    let (timestamp, client_timestamp) = match clock {
        Clock::Incoming => {
            let timestamp = time::event_time(sent, sent_at, ctx.now_ms);
            (timestamp, sent.unwrap_or(timestamp))
        }
        // The stored `timestamp` is the corrected time; the sent one, when it differed, is
        // `originalTimestamp`.
        Clock::Stored => {
            let timestamp = sent.unwrap_or(ctx.now_ms);
            let original = time_field(&obj, "originalTimestamp", r).unwrap_or(timestamp);
            (timestamp, original)
        }
    };
    if clock == Clock::Incoming {
        normalise(&mut map, kind, sent, sent_at, timestamp, ctx.now_ms);
    }
    let event = scoring::event(
        &map,
        kind,
        &anonymous_id,
        &user_id,
        timestamp,
        client_timestamp,
    );
    let mut event = event?;
    event.payload = Value::Object(map);
    Some(Message {
        kind,
        message_id,
        anonymous_id,
        user_id,
        event,
    })
}

/// `type`: required in a batch; on a typed route it may be absent but must match.
fn kind(obj: &Obj<'_, '_>, expected: Option<MessageType>, r: &mut Report) -> Option<MessageType> {
    let named = match expected {
        Some(_) => obj.opt(r, "type", non_empty),
        None => obj.req(r, "type", non_empty),
    };
    match (named, expected) {
        (None, expected) => expected,
        (Some(name), Some(expected)) if name == expected.as_str() => Some(expected),
        (Some(_), Some(expected)) => {
            obj.fail(r, "type", Problem::MustBe(expected.as_str()));
            None
        }
        (Some(name), None) => {
            let kind = MessageType::from_wire(name);
            if kind.is_none() {
                obj.fail(
                    r,
                    "type",
                    Problem::OneOf("track, page, screen, identify, group, alias"),
                );
            }
            kind
        }
    }
}

/// The fields a type requires.
fn required_of(
    obj: &Obj<'_, '_>,
    kind: MessageType,
    dialect: Dialect,
    has_user: bool,
    r: &mut Report,
) {
    match kind {
        MessageType::Track => {
            obj.req(r, "event", name);
        }
        MessageType::Page | MessageType::Screen => {
            obj.opt(r, "name", name);
        }
        MessageType::Identify if dialect == Dialect::Signal && !has_user => {
            obj.fail(r, "userId", Problem::Required);
        }
        MessageType::Identify => {}
        MessageType::Group => {
            obj.req(r, "groupId", id);
        }
        MessageType::Alias => {
            obj.req(r, "previousId", id);
            if !has_user {
                obj.fail(r, "userId", Problem::Required);
            }
        }
    }
}

/// An id: a non-empty string or a number (read as its decimal text), at most 256 chars.
fn id(v: &Value) -> Result<Cow<'_, str>, Problem> {
    let text = id_text(v).ok_or(Problem::NotId)?;
    if text.is_empty() {
        return Err(Problem::Empty);
    }
    if exceeds_chars(&text, MAX_ID_CHARS) {
        return Err(Problem::TooManyChars(MAX_ID_CHARS));
    }
    Ok(text)
}

/// The text of an id that may be a string or a number.
pub(super) fn id_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// An event or page name: a non-empty string of at most 256 chars.
fn name(v: &Value) -> Result<&str, Problem> {
    let s = non_empty(v)?;
    if exceeds_chars(s, MAX_NAME_CHARS) {
        return Err(Problem::TooManyChars(MAX_NAME_CHARS));
    }
    Ok(s)
}

/// An optional ISO 8601 time field, in ms.
fn time_field(obj: &Obj<'_, '_>, key: &str, r: &mut Report) -> Option<i64> {
    obj.opt(r, key, |v| {
        v.as_str()
            .and_then(time::parse_iso)
            .ok_or(Problem::NotIsoTime)
    })
}

/// Writes the normalised time fields and the type into the stored message.
fn normalise(
    map: &mut Map<String, Value>,
    kind: MessageType,
    sent: Option<i64>,
    sent_at: Option<i64>,
    timestamp: i64,
    now_ms: i64,
) {
    map.insert("type".into(), Value::String(kind.as_str().into()));
    if sent.is_some_and(|sent| sent != timestamp) && !map.contains_key("originalTimestamp") {
        if let Some(original) = map.get("timestamp").cloned() {
            map.insert("originalTimestamp".into(), original);
        }
    }
    map.insert(
        "timestamp".into(),
        Value::String(time::format_iso(timestamp)),
    );
    if let (Some(sent_at), false) = (sent_at, map.contains_key("sentAt")) {
        map.insert("sentAt".into(), Value::String(time::format_iso(sent_at)));
    }
    map.insert("receivedAt".into(), Value::String(time::format_iso(now_ms)));
}
