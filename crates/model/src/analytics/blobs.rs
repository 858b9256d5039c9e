//! blob1..blob20 of the analytics mapping.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{
    identity::{self, CLICKSTREAM_IDS, CRM_IDS, MAID, SOCIAL_IDS},
    join::join,
    query::{self, CLICK_IDS, UTMS},
    AnalyticsExtras,
};
use crate::{detail::EventDetail, event::Event};

/// Every blob, in column order.
pub(super) fn blobs(event: &Event, extras: &AnalyticsExtras) -> [String; 20] {
    let identity = identity::identity_of(event);
    let [click_ids, utms] = campaign(event, identity);
    [
        join(&[event.event_type.as_str(), event.custom_name().unwrap_or("")]),
        event.page.url.clone().unwrap_or_default(),
        event.page.path.clone(),
        event.page.referrer.clone().unwrap_or_default(),
        event.session_id.clone(),
        event.visitor_id.clone(),
        device(event, extras),
        join(&[opt(&extras.country), opt(&extras.city)]),
        element(event),
        form_and_custom(event),
        hems(event, extras),
        opt(&extras.hmac_phone).to_owned(),
        join(&identity::texts(identity, &CRM_IDS)),
        join(&identity::texts(identity, &CLICKSTREAM_IDS)),
        join(&identity::texts(identity, &MAID)),
        join(&identity::texts(identity, &SOCIAL_IDS)),
        bot(extras),
        click_ids,
        utms,
        opt(&extras.ip_hash).to_owned(),
    ]
}

fn opt(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// blob7: device_type | browser | os | gpu.
pub(super) fn device(event: &Event, extras: &AnalyticsExtras) -> String {
    join(&[
        opt(&extras.device_type),
        opt(&extras.browser),
        opt(&extras.os),
        opt(&event.device.gpu_renderer),
    ])
}

/// blob9: element_selector | element_text.
fn element(event: &Event) -> String {
    match &event.detail {
        EventDetail::Click { element } => join(&[&element.selector, &element.text]),
        _ => join(&["", ""]),
    }
}

/// blob10: form_id | custom_category | custom_action | custom_label.
fn form_and_custom(event: &Event) -> String {
    match &event.detail {
        EventDetail::Form { form_id, .. } => join(&[form_id.as_str(), "", "", ""]),
        EventDetail::Custom {
            category,
            action,
            label,
            ..
        } => join(&["", opt(category), opt(action), opt(label)]),
        _ => join(&["", "", "", ""]),
    }
}

/// blob11: hmacHem | hemMd5.
fn hems(event: &Event, extras: &AnalyticsExtras) -> String {
    match &event.detail {
        EventDetail::Identify { hem_md5, .. } => join(&[opt(&extras.hmac_hem), opt(hem_md5)]),
        _ => join(&["", ""]),
    }
}

/// blob17: bot_category | bot_name, only for traffic classified as a bot.
pub(super) fn bot(extras: &AnalyticsExtras) -> String {
    if extras.is_bot == Some(true) {
        join(&[opt(&extras.bot_category), opt(&extras.bot_name)])
    } else {
        String::new()
    }
}

/// blob18 and blob19: from the page URL, falling back to same-named identity keys.
fn campaign(event: &Event, identity: Option<&Map<String, Value>>) -> [String; 2] {
    let from_url = query::campaign(event.page.url.as_deref().unwrap_or(""));
    let click_ids: Vec<_> = CLICK_IDS
        .iter()
        .zip(&from_url.click_ids)
        .map(|(key, found)| pick(found, identity, key))
        .collect();
    let utms: Vec<_> = UTMS
        .iter()
        .zip(&from_url.utms)
        .map(|(key, found)| pick(found, identity, key))
        .collect();
    [join(&click_ids), join(&utms)]
}

/// The URL's value when it had one, else the identity's.
fn pick<'a>(
    found: &'a Option<Cow<'_, str>>,
    identity: Option<&'a Map<String, Value>>,
    key: &str,
) -> Cow<'a, str> {
    match found {
        Some(value) => Cow::Borrowed(value),
        None => identity::text(identity, key),
    }
}
