//! custom: a named application event with optional category/action/label/value.

use serde_json::Value;

use crate::{
    detail::EventDetail,
    limits::MAX_CUSTOM_LABEL_BYTES,
    validate::{
        fields::{non_empty, number, string, Obj},
        problem::Problem,
        report::Report,
    },
};

/// Validates a custom event.
pub(super) fn custom(obj: &Obj<'_, '_>, r: &mut Report) -> Option<EventDetail> {
    let name = obj.req(r, "name", non_empty);
    let category = obj.opt(r, "category", string);
    let action = obj.opt(r, "action", string);
    let label = obj.opt(r, "label", label);
    let value = obj.opt(r, "value", number);
    Some(EventDetail::Custom {
        name: name?.to_owned(),
        category: category.map(str::to_owned),
        action: action.map(str::to_owned),
        label: label.map(str::to_owned),
        value,
    })
}

fn label(v: &Value) -> Result<&str, Problem> {
    let s = string(v)?;
    if s.len() > MAX_CUSTOM_LABEL_BYTES {
        return Err(Problem::TooManyBytes(MAX_CUSTOM_LABEL_BYTES));
    }
    Ok(s)
}
