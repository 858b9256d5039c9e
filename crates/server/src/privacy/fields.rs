//! Which fields are personal, and the placeholder rewrite: each present personal field of
//! an event is taken out of its payload (leaving `{"encrypted":true}`) and out of its typed
//! detail, so nothing after this point holds the plaintext.
//!
//! Field paths are the API's names: `rawEmail`, `rawPhone` (identify), `values` (form, the
//! whole object) and `files[<i>].text_excerpt` (form).

use clickwire_model::{sealed_placeholder, Event, EventDetail};
use serde_json::Value;

const RAW_EMAIL: &str = "rawEmail";
const RAW_PHONE: &str = "rawPhone";
const VALUES: &str = "values";
const FILE_PREFIX: &str = "files[";
const FILE_SUFFIX: &str = "].text_excerpt";

/// The JSON pointer into a payload of a personal field path; `None` for any other name.
pub fn pointer(field: &str) -> Option<String> {
    match field {
        RAW_EMAIL | RAW_PHONE | VALUES => Some(format!("/{field}")),
        _ => {
            let index = field.strip_prefix(FILE_PREFIX)?.strip_suffix(FILE_SUFFIX)?;
            // Digits only, so `files[+1]` or `files[01]` are not other names for a field.
            let canonical = index.parse::<usize>().ok()?.to_string() == index;
            canonical.then(|| format!("/files/{index}/text_excerpt"))
        }
    }
}

/// Takes every present personal field out of `event`: its path and original JSON value,
/// with the payload left holding the placeholder.
pub fn take_personal(event: &mut Event) -> Vec<(String, Value)> {
    let fields = clear_detail(&mut event.detail);
    fields
        .into_iter()
        .filter_map(|field| {
            let slot = event.payload.pointer_mut(&pointer(&field)?)?;
            let value = std::mem::replace(slot, sealed_placeholder());
            Some((field, value))
        })
        .collect()
}

/// Clears the personal fields of the typed detail; returns the paths that were present.
fn clear_detail(detail: &mut EventDetail) -> Vec<String> {
    let mut fields = Vec::new();
    match detail {
        EventDetail::Identify {
            raw_email,
            raw_phone,
            ..
        } => {
            if raw_email.take().is_some() {
                fields.push(RAW_EMAIL.to_owned());
            }
            if raw_phone.take().is_some() {
                fields.push(RAW_PHONE.to_owned());
            }
        }
        EventDetail::Form { values, files, .. } => {
            if values.take().is_some() {
                fields.push(VALUES.to_owned());
            }
            for (i, file) in files.iter_mut().enumerate() {
                if file.text_excerpt.take().is_some() {
                    fields.push(format!("{FILE_PREFIX}{i}{FILE_SUFFIX}"));
                }
            }
        }
        _ => {}
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_personal_field_names_have_a_pointer() {
        assert_eq!(pointer("rawEmail").as_deref(), Some("/rawEmail"));
        assert_eq!(
            pointer("files[3].text_excerpt").as_deref(),
            Some("/files/3/text_excerpt")
        );
        for other in [
            "hem",
            "files[x].text_excerpt",
            "files[01].text_excerpt",
            "files[].text_excerpt",
            "page",
        ] {
            assert_eq!(pointer(other), None, "{other}");
        }
    }
}
