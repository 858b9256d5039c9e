//! form: the action, form id and field count, plus the optional capture fields (`values`
//! and `files` are type-checked item by item; the server's sealed placeholder stands for
//! an absent `values` or `text_excerpt`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{
    detail::{EventDetail, FormAction, FormFile},
    validate::{
        fields::{boolean, non_negative, number, number_in, object, string, Obj},
        problem::Problem,
        report::Report,
    },
};

const ACTIONS: &str = "focus, blur, submit, abandon";

/// Validates a form event.
pub(super) fn form(obj: &Obj<'_, '_>, r: &mut Report) -> Option<EventDetail> {
    let action = obj.req(r, "action", action);
    let form_id = obj.req(r, "formId", string);
    let field_count = obj.req(r, "fieldCount", non_negative);
    let form_selector = opt_string(obj, r, "formSelector");
    let raw_fields = opt_string(obj, r, "raw_fields");
    let detected_name = obj.opt(r, "detected_name", boolean);
    let detected_email = obj.opt(r, "detected_email", boolean);
    let detected_phone = obj.opt(r, "detected_phone", boolean);
    let completion_rate = obj.opt(r, "completion_rate", number_in(0.0, 100.0));
    let values = obj
        .opt_sealable(r, "values", object)
        .map(|map| values(&Obj::new(map, obj.path.key("values")), r));
    let files = files(obj, r);
    let form_submission_id = opt_string(obj, r, "form_submission_id");
    let submitted_at = obj.opt(r, "submitted_at", number);
    Some(EventDetail::Form {
        action: action?,
        form_id: form_id?.to_owned(),
        field_count: field_count?,
        form_selector,
        raw_fields,
        detected_name,
        detected_email,
        detected_phone,
        completion_rate,
        values,
        files,
        form_submission_id,
        submitted_at,
    })
}

fn opt_string(obj: &Obj<'_, '_>, r: &mut Report, key: &str) -> Option<String> {
    obj.opt(r, key, string).map(str::to_owned)
}

fn action(v: &Value) -> Result<FormAction, Problem> {
    FormAction::from_wire(string(v)?).ok_or(Problem::OneOf(ACTIONS))
}

/// `values`: every entry must be a string.
fn values(obj: &Obj<'_, '_>, r: &mut Report) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, value) in obj.map {
        match string(value) {
            Ok(s) => {
                out.insert(key.clone(), s.to_owned());
            }
            Err(p) => obj.fail(r, key, p),
        }
    }
    out
}

/// `files`: every item must be a file object.
fn files(obj: &Obj<'_, '_>, r: &mut Report) -> Vec<FormFile> {
    let Some((items, path)) = obj.opt_array(r, "files") else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        match item.as_object() {
            Some(map) => out.extend(file(&Obj::new(map, item_path), r)),
            None => r.push(&item_path, Problem::NotObject),
        }
    }
    out
}

fn file(obj: &Obj<'_, '_>, r: &mut Report) -> Option<FormFile> {
    let name = obj.req(r, "name", string);
    let field = obj.req(r, "field", string);
    let size = obj.req(r, "size", non_negative);
    let mime_type = obj.req(r, "type", string);
    let text_excerpt = obj
        .opt_sealable(r, "text_excerpt", string)
        .map(str::to_owned);
    Some(FormFile {
        name: name?.to_owned(),
        field: field?.to_owned(),
        size: size?,
        mime_type: mime_type?.to_owned(),
        text_excerpt,
    })
}
