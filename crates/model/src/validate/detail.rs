//! The type-specific fields: dispatches on the event type to the validator of that type.

mod click;
mod custom;
mod form;
mod identify;
mod pageview;
mod scroll;

use super::{fields::Obj, report::Report};
use crate::{detail::EventDetail, event::EventType};

/// Validates the fields `event_type` adds to the envelope.
pub(super) fn detail(
    event_type: EventType,
    obj: &Obj<'_, '_>,
    r: &mut Report,
) -> Option<EventDetail> {
    match event_type {
        EventType::Pageview => Some(pageview::pageview(obj, r)),
        EventType::Click => click::click(obj, r),
        EventType::Scroll => scroll::scroll(obj, r),
        EventType::Form => form::form(obj, r),
        EventType::Custom => custom::custom(obj, r),
        EventType::Identify => identify::identify(obj, r),
        EventType::ConsentTransition => Some(EventDetail::ConsentTransition),
    }
}
