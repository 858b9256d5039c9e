//! Connection filter rules: `[{"path","op","value"}]`, every rule ANDed, evaluated on the
//! event as it is delivered (its payload with its labels, see the deliveries). A `path` is
//! dot-separated object keys (an array index is a number segment: `items.0.sku`); `op` is
//! one of `eq neq contains gt gte lt lte exists in`. [`Rule::check`] refuses a rule that
//! could never be evaluated (a comparison with a non-number, `in` without an array), so a
//! connection is refused when it is saved rather than silently matching nothing.
//!
//! Semantics where a choice was needed:
//! - `eq` / `neq` compare JSON values exactly (`1` equals `1.0`; `"1"` does not equal `1`);
//!   `neq` also matches when the path is missing.
//! - `contains`: a string contains the (string) value as a substring, or an array has an
//!   element equal to the value.
//! - `gt gte lt lte` compare numbers only; a missing or non-number field does not match.
//! - `exists` tests presence (`value` `true` or left out) or absence (`value: false`).
//! - `in`: the field equals one element of the value array.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One filter rule of a connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub path: String,
    pub op: Op,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// The operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Neq,
    Contains,
    Gt,
    Gte,
    Lt,
    Lte,
    Exists,
    In,
}

/// Why a rule cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("path must be dot-separated keys, without empty segments")]
    BadPath,
    #[error("`{0:?}` needs a value")]
    MissingValue(Op),
    #[error("`{0:?}` compares numbers: value must be a number")]
    NotANumber(Op),
    #[error("`in` needs an array of values")]
    NotAnArray,
    #[error("`exists` takes true or false")]
    NotABool,
}

impl Rule {
    /// Whether the rule can be evaluated.
    pub fn check(&self) -> Result<(), RuleError> {
        if self.path.is_empty() || self.path.split('.').any(str::is_empty) {
            return Err(RuleError::BadPath);
        }
        match (self.op, &self.value) {
            (Op::Exists, None | Some(Value::Bool(_))) => Ok(()),
            (Op::Exists, Some(_)) => Err(RuleError::NotABool),
            (op, None) => Err(RuleError::MissingValue(op)),
            (Op::Gt | Op::Gte | Op::Lt | Op::Lte, Some(v)) if !v.is_number() => {
                Err(RuleError::NotANumber(self.op))
            }
            (Op::In, Some(v)) if !v.is_array() => Err(RuleError::NotAnArray),
            _ => Ok(()),
        }
    }

    /// Whether `document` satisfies the rule.
    pub fn matches(&self, document: &Value) -> bool {
        let field = lookup(document, &self.path);
        let value = self.value.as_ref();
        match self.op {
            Op::Exists => field.is_some() == value.and_then(Value::as_bool).unwrap_or(true),
            Op::Eq => field.zip(value).is_some_and(|(f, v)| same(f, v)),
            Op::Neq => !field.zip(value).is_some_and(|(f, v)| same(f, v)),
            Op::Contains => field.zip(value).is_some_and(|(f, v)| match (f, v) {
                (Value::String(f), Value::String(v)) => f.contains(v.as_str()),
                (Value::Array(items), v) => items.iter().any(|item| same(item, v)),
                _ => false,
            }),
            Op::Gt | Op::Gte | Op::Lt | Op::Lte => {
                let (Some(f), Some(v)) =
                    (field.and_then(Value::as_f64), value.and_then(Value::as_f64))
                else {
                    return false;
                };
                match self.op {
                    Op::Gt => f > v,
                    Op::Gte => f >= v,
                    Op::Lt => f < v,
                    _ => f <= v,
                }
            }
            Op::In => field
                .zip(value.and_then(Value::as_array))
                .is_some_and(|(f, options)| options.iter().any(|o| same(f, o))),
        }
    }
}

/// Whether every rule matches `document` (no rules: every document).
pub fn all_match(rules: &[Rule], document: &Value) -> bool {
    rules.iter().all(|rule| rule.matches(document))
}

/// The value at a dot path.
fn lookup<'a>(document: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(document, |at, segment| match at {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// JSON equality with numbers compared by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if a.is_number() && b.is_number() => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests;
