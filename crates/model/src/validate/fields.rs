//! Reading typed fields out of a JSON object while recording a [`Problem`] for each one
//! that is missing or of the wrong shape. `null` counts as absent, so an SDK that writes
//! `"referrer": null` is treated like one that leaves the key out.
//!
//! Convention for the validators built on this: read every field into a local first and
//! only then assemble the typed value with `?`, so one missing field never hides the rest.

use serde_json::{Map, Value};

use super::{path::Path, problem::Problem, report::Report};
use crate::sealed::is_sealed_placeholder;

/// A JSON object being validated, with its path for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obj<'a, 'p> {
    pub(crate) map: &'a Map<String, Value>,
    pub(crate) path: Path<'p>,
}

impl<'a, 'p> Obj<'a, 'p> {
    pub(crate) fn new(map: &'a Map<String, Value>, path: Path<'p>) -> Self {
        Self { map, path }
    }

    /// Records `problem` for `key` of this object.
    pub(crate) fn fail(&self, r: &mut Report, key: &str, problem: Problem) {
        r.push(&self.path.key(key), problem);
    }

    /// The value of `key`, `None` when absent or null.
    fn field(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A required field converted by `read`; `None` (and a recorded problem) when it fails.
    pub(crate) fn req<T>(
        &self,
        r: &mut Report,
        key: &str,
        read: impl FnOnce(&'a Value) -> Result<T, Problem>,
    ) -> Option<T> {
        let Some(value) = self.field(key) else {
            self.fail(r, key, Problem::Required);
            return None;
        };
        self.convert(r, key, value, read)
    }

    /// An optional field converted by `read`; `None` when absent, or when it fails (recorded).
    pub(crate) fn opt<T>(
        &self,
        r: &mut Report,
        key: &str,
        read: impl FnOnce(&'a Value) -> Result<T, Problem>,
    ) -> Option<T> {
        let value = self.field(key)?;
        self.convert(r, key, value, read)
    }

    /// [`Obj::opt`] for a field the server seals: its placeholder counts as absent.
    pub(crate) fn opt_sealable<T>(
        &self,
        r: &mut Report,
        key: &str,
        read: impl FnOnce(&'a Value) -> Result<T, Problem>,
    ) -> Option<T> {
        let value = self.field(key).filter(|v| !is_sealed_placeholder(v))?;
        self.convert(r, key, value, read)
    }

    fn convert<T>(
        &self,
        r: &mut Report,
        key: &str,
        value: &'a Value,
        read: impl FnOnce(&'a Value) -> Result<T, Problem>,
    ) -> Option<T> {
        read(value).map_err(|p| self.fail(r, key, p)).ok()
    }

    /// A required nested object, ready to be validated in turn.
    pub(crate) fn req_obj<'s>(&'s self, r: &mut Report, key: &'s str) -> Option<Obj<'a, 's>> {
        let map = self.req(r, key, object)?;
        Some(Obj::new(map, self.path.key(key)))
    }

    /// An optional nested object, ready to be validated in turn.
    pub(crate) fn opt_obj<'s>(&'s self, r: &mut Report, key: &'s str) -> Option<Obj<'a, 's>> {
        let map = self.opt(r, key, object)?;
        Some(Obj::new(map, self.path.key(key)))
    }

    /// An optional array; returns its items and its path for per-item errors.
    pub(crate) fn opt_array<'s>(
        &'s self,
        r: &mut Report,
        key: &'s str,
    ) -> Option<(&'a [Value], Path<'s>)> {
        let items = self.opt(r, key, array)?;
        Some((items, self.path.key(key)))
    }

    /// An optional array of strings; each non-string item is reported at `key[i]`.
    pub(crate) fn opt_strings(&self, r: &mut Report, key: &str) -> Vec<String> {
        let Some((items, path)) = self.opt_array(r, key) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match string(item) {
                Ok(s) => out.push(s.to_owned()),
                Err(p) => r.push(&path.index(i), p),
            }
        }
        out
    }
}

/// Reads a string.
pub(crate) fn string(v: &Value) -> Result<&str, Problem> {
    v.as_str().ok_or(Problem::NotString)
}

/// Reads a string that is not empty.
pub(crate) fn non_empty(v: &Value) -> Result<&str, Problem> {
    let s = string(v)?;
    if s.is_empty() {
        return Err(Problem::Empty);
    }
    Ok(s)
}

/// Reads a number (always finite: JSON has no NaN or infinity).
pub(crate) fn number(v: &Value) -> Result<f64, Problem> {
    v.as_f64().ok_or(Problem::NotNumber)
}

/// Reads a number ≥ 0.
pub(crate) fn non_negative(v: &Value) -> Result<f64, Problem> {
    let n = number(v)?;
    if n < 0.0 {
        return Err(Problem::Negative);
    }
    Ok(n)
}

/// A reader for a number within `min..=max`.
pub(crate) fn number_in(min: f64, max: f64) -> impl Fn(&Value) -> Result<f64, Problem> {
    move |v| {
        let n = number(v)?;
        if n < min || n > max {
            return Err(Problem::OutOfRange(min, max));
        }
        Ok(n)
    }
}

/// Reads a boolean.
pub(crate) fn boolean(v: &Value) -> Result<bool, Problem> {
    v.as_bool().ok_or(Problem::NotBoolean)
}

/// Reads an object.
pub(crate) fn object(v: &Value) -> Result<&Map<String, Value>, Problem> {
    v.as_object().ok_or(Problem::NotObject)
}

/// Reads an array.
pub(crate) fn array(v: &Value) -> Result<&[Value], Problem> {
    v.as_array().map(Vec::as_slice).ok_or(Problem::NotArray)
}

/// True when `s` is longer than `max` chars, counting only when the byte length could exceed.
pub(crate) fn exceeds_chars(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().nth(max).is_some()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn errors_of(value: Value, read: impl FnOnce(&Obj<'_, '_>, &mut Report)) -> Vec<String> {
        let mut r = Report::default();
        let map = value.as_object().cloned().unwrap_or_default();
        read(&Obj::new(&map, Path::Root), &mut r);
        r.into_errors()
            .into_iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect()
    }

    #[test]
    fn a_null_optional_field_counts_as_absent() {
        let errors = errors_of(json!({"a": null}), |o, r| {
            assert_eq!(o.opt(r, "a", string), None);
        });
        assert!(errors.is_empty());
    }

    #[test]
    fn a_null_required_field_is_reported_as_required() {
        let errors = errors_of(json!({"a": null}), |o, r| {
            o.req(r, "a", string);
        });
        assert_eq!(errors, ["a: is required"]);
    }

    #[test]
    fn each_non_string_item_of_a_string_array_is_reported_with_its_index() {
        let errors = errors_of(json!({"s": ["ok", 1, "fine", false]}), |o, r| {
            assert_eq!(o.opt_strings(r, "s"), ["ok", "fine"]);
        });
        assert_eq!(errors, ["s[1]: must be a string", "s[3]: must be a string"]);
    }

    #[test]
    fn a_number_out_of_range_names_the_range() {
        let errors = errors_of(json!({"n": 101}), |o, r| {
            o.req(r, "n", number_in(0.0, 100.0));
        });
        assert_eq!(errors, ["n: must be between 0 and 100"]);
    }

    #[test]
    fn exceeds_chars_counts_chars_not_bytes() {
        assert!(!exceeds_chars(&"é".repeat(4), 4));
        assert!(exceeds_chars(&"é".repeat(5), 4));
    }
}
