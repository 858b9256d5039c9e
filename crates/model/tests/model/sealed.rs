//! Stored events carry `{"encrypted":true}` in place of their sealed personal fields; they
//! must still validate when the server replays them, and read as if the field were absent.

use clickwire_model::{sealed_placeholder, EventDetail};
use serde_json::json;

use crate::support::{accept, event, lines, merge};

#[test]
fn an_identify_with_sealed_raw_values_validates_without_them() {
    let mut e = event("identify");
    merge(
        &mut e,
        json!({"rawEmail": sealed_placeholder(), "rawPhone": sealed_placeholder()}),
    );
    let EventDetail::Identify {
        raw_email,
        raw_phone,
        ..
    } = accept(&e).detail
    else {
        panic!("not an identify");
    };
    assert_eq!((raw_email, raw_phone), (None, None));
}

#[test]
fn a_form_with_sealed_values_and_excerpts_validates_without_them() {
    let mut e = event("form");
    merge(
        &mut e,
        json!({
            "values": sealed_placeholder(),
            "files": [{"name": "cv.pdf", "field": "cv", "size": 10, "type": "application/pdf",
                       "text_excerpt": sealed_placeholder()}]
        }),
    );
    let EventDetail::Form { values, files, .. } = accept(&e).detail else {
        panic!("not a form");
    };
    assert_eq!(values, None);
    assert_eq!(files[0].text_excerpt, None);
}

#[test]
fn any_other_object_in_a_sealable_field_is_still_refused() {
    let mut e = event("identify");
    merge(&mut e, json!({"rawEmail": {"encrypted": false}}));
    assert_eq!(lines(&e), ["rawEmail: must be a string"]);
}
