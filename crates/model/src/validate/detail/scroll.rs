//! scroll: `depth` (0–100 %) and `timeOnPage` (ms).

use crate::{
    detail::EventDetail,
    validate::{
        fields::{non_negative, number_in, Obj},
        report::Report,
    },
};

/// Validates a scroll sample.
pub(super) fn scroll(obj: &Obj<'_, '_>, r: &mut Report) -> Option<EventDetail> {
    let depth = obj.req(r, "depth", number_in(0.0, 100.0));
    let time_on_page = obj.req(r, "timeOnPage", non_negative);
    Some(EventDetail::Scroll {
        depth: depth?,
        time_on_page: time_on_page?,
    })
}
