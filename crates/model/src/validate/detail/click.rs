//! click: the `element` object; its selector is truncated rather than refused.

use crate::{
    detail::{ClickElement, EventDetail},
    limits::MAX_SELECTOR,
    validate::{
        fields::{number, number_in, string, Obj},
        normalise::truncate_chars,
        report::Report,
    },
};

/// Validates a click.
pub(super) fn click(obj: &Obj<'_, '_>, r: &mut Report) -> Option<EventDetail> {
    let e = &obj.req_obj(r, "element")?;
    let selector = e.req(r, "selector", string);
    let text = e.req(r, "text", string);
    let x = e.req(r, "x", number);
    let y = e.req(r, "y", number);
    let page_x = e.opt(r, "pageX", number);
    let page_y = e.opt(r, "pageY", number);
    let norm_x = e.opt(r, "normX", number_in(0.0, 1.0));
    let norm_y = e.opt(r, "normY", number_in(0.0, 1.0));
    let viewport_width = e.opt(r, "viewportWidth", number);
    let viewport_height = e.opt(r, "viewportHeight", number);
    let doc_width = e.opt(r, "docWidth", number);
    let doc_height = e.opt(r, "docHeight", number);
    let element = ClickElement {
        selector: truncate_chars(selector?, MAX_SELECTOR).to_owned(),
        text: text?.to_owned(),
        x: x?,
        y: y?,
        page_x,
        page_y,
        norm_x,
        norm_y,
        viewport_width,
        viewport_height,
        doc_width,
        doc_height,
    };
    Some(EventDetail::Click { element })
}
