//! pageview: only the optional `performance` timings.

use crate::{
    detail::{EventDetail, Performance},
    validate::{
        fields::{number, Obj},
        report::Report,
    },
};

/// Validates a pageview; it cannot miss anything required beyond the envelope.
pub(super) fn pageview(obj: &Obj<'_, '_>, r: &mut Report) -> EventDetail {
    let performance = obj.opt_obj(r, "performance").map(|p| Performance {
        load_time: p.opt(r, "loadTime", number),
        dom_content_loaded: p.opt(r, "domContentLoaded", number),
        first_contentful_paint: p.opt(r, "firstContentfulPaint", number),
    });
    EventDetail::Pageview { performance }
}
