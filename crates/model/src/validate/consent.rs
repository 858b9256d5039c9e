//! `consent`: optional, but when present `analytics` must be a boolean; an explicit `false`
//! is what keeps an event out of storage.

use super::{
    fields::{boolean, number, Obj},
    report::Report,
};
use crate::event::Consent;

/// Validates the optional `consent` object.
pub(super) fn consent(obj: &Obj<'_, '_>, r: &mut Report) -> Option<Consent> {
    let consent = obj.opt_obj(r, "consent")?;
    let analytics = consent.req(r, "analytics", boolean);
    let identity_resolution = consent.opt(r, "identityResolution", boolean);
    let third_party_sharing = consent.opt(r, "thirdPartySharing", boolean);
    let timestamp = consent.opt(r, "timestamp", number);
    Some(Consent {
        analytics: analytics?,
        identity_resolution,
        third_party_sharing,
        timestamp,
    })
}
