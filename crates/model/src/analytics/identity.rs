//! Reading the identity-derived columns out of an identify event (see the table in the
//! parent module for the key names).

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::{detail::EventDetail, event::Event};

/// blob12: the first of these keys that is present.
pub(super) const HASHED_PHONE: [&str; 2] = ["hashedPhone", "phoneHash"];
/// blob13.
pub(super) const CRM_IDS: [&str; 5] = [
    "customerId",
    "accountId",
    "userId",
    "crmContactId",
    "orderId",
];
/// blob14.
pub(super) const CLICKSTREAM_IDS: [&str; 2] = ["clickstreamId", "referringClickstreamId"];
/// blob15.
pub(super) const MAID: [&str; 2] = ["maid", "maidType"];
/// blob16.
pub(super) const SOCIAL_IDS: [&str; 4] = ["googleId", "fbId", "linkedinId", "appleId"];

/// The `identity` object of an identify event, if it has one.
pub(super) fn identity_of(event: &Event) -> Option<&Map<String, Value>> {
    match &event.detail {
        EventDetail::Identify {
            identity: Some(Value::Object(map)),
            ..
        } => Some(map),
        _ => None,
    }
}

/// `key` of `identity` as text: strings as-is, numbers printed, anything else empty.
pub(super) fn text<'a>(identity: Option<&'a Map<String, Value>>, key: &str) -> Cow<'a, str> {
    match identity.and_then(|m| m.get(key)) {
        Some(Value::String(s)) => Cow::Borrowed(s),
        Some(Value::Number(n)) => Cow::Owned(n.to_string()),
        _ => Cow::Borrowed(""),
    }
}

/// The text of every key in `keys`, in order.
pub(super) fn texts<'a, const N: usize>(
    identity: Option<&'a Map<String, Value>>,
    keys: &[&str; N],
) -> [Cow<'a, str>; N] {
    keys.map(|k| text(identity, k))
}

/// The first of `keys` whose value is a non-empty string.
pub(super) fn first_str<'a>(
    identity: Option<&'a Map<String, Value>>,
    keys: &[&str],
) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| identity?.get(*k)?.as_str().filter(|s| !s.is_empty()))
}
