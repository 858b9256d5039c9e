//! The analytics column mapping of the contract (one index, 20 blobs, 20 doubles) as plain
//! values, so any analytics sink can write them.
//!
//! blob11 holds `hmacHem|hemMd5` and blob12 `hmacPhone`: the keyed hashes come from the
//! caller ([`AnalyticsExtras::hmac_hem`], [`AnalyticsExtras::hmac_phone`], computed from
//! [`identity_keys`] under a server secret) and stay empty without them, so a bare client
//! hash never reaches those columns. Multi-field blobs join their parts with `|`, keeping empty parts (`"pageview|"`); a `|`
//! inside a part is written as `%7C` so the columns still split correctly. Identity-derived
//! blobs read these keys of an identify event's `identity` object (string or number values):
//!
//! | blob | identity keys |
//! |---|---|
//! | blob12 | `hashedPhone`, else `phoneHash` (keyed by the caller) |
//! | blob13 | `customerId` `accountId` `userId` `crmContactId` `orderId` |
//! | blob14 | `clickstreamId` `referringClickstreamId` |
//! | blob15 | `maid` `maidType` |
//! | blob16 | `googleId` `fbId` `linkedinId` `appleId` |
//!
//! blob18 (click ids) and blob19 (UTMs) come from the page URL's query string; for a key
//! the URL lacks, an identify event's `identity` may supply it under the same name
//! (e.g. `identity.gclid`, `identity.utm_source`), which covers server-side identifies
//! that have no URL.

mod blobs;
mod doubles;
mod identity;
mod join;
mod query;

use serde::Serialize;

use crate::event::Event;

/// One analytics data point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyticsRow {
    /// The tenant (the contract's clientId).
    pub index1: String,
    /// blob1..blob20; empty string where unknown.
    pub blobs: [String; 20],
    /// double1..double20; `None` where unknown.
    pub doubles: [Option<f64>; 20],
}

/// Facts the server knows that are not in the event (filled by enrichment).
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsExtras {
    /// Keyed hash of the client IP (never the raw value).
    pub ip_hash: Option<String>,
    /// Keyed hash of the event's `hem` (blob11's first part).
    pub hmac_hem: Option<String>,
    /// Keyed hash of the event's hashed phone (blob12).
    pub hmac_phone: Option<String>,
    pub device_type: Option<String>,
    pub browser: Option<String>,
    pub os: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub bot_category: Option<String>,
    pub bot_name: Option<String>,
    /// 0–100, higher = more bot-like.
    pub bot_score: Option<f64>,
    pub is_bot: Option<bool>,
}

/// The client-hashed identity values of an identify event that blob11 and blob12 carry
/// once the caller has keyed them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdentityKeys<'a> {
    /// `hem`.
    pub hem: Option<&'a str>,
    /// `identity.hashedPhone`, else `identity.phoneHash`.
    pub phone: Option<&'a str>,
}

/// The identity values of `event` that are to be keyed (none for other event types).
pub fn identity_keys(event: &Event) -> IdentityKeys<'_> {
    let hem = match &event.detail {
        crate::detail::EventDetail::Identify { hem, .. } if !hem.is_empty() => Some(hem.as_str()),
        _ => None,
    };
    let phone = identity::first_str(identity::identity_of(event), &identity::HASHED_PHONE);
    IdentityKeys { hem, phone }
}

/// Maps `event` of `tenant` onto the analytics columns.
pub fn analytics_row(tenant: &str, event: &Event, extras: &AnalyticsExtras) -> AnalyticsRow {
    AnalyticsRow {
        index1: tenant.to_owned(),
        blobs: blobs::blobs(event, extras),
        doubles: doubles::doubles(event, extras),
    }
}

impl AnalyticsRow {
    /// Sets the columns that come from the labels (blob7 device, blob17 bot, double18
    /// bot_score, double19 is_bot) on a row mapped before the event was labelled, so the
    /// rest of the mapping can be done before scoring.
    pub fn set_label_columns(&mut self, event: &Event, extras: &AnalyticsExtras) {
        self.blobs[6] = blobs::device(event, extras);
        self.blobs[16] = blobs::bot(extras);
        [self.doubles[17], self.doubles[18]] = doubles::bot(extras);
    }
}
