//! The placeholder a stored payload carries in place of a personal field the server has
//! encrypted (`rawEmail`, `rawPhone`, form `values`, a file's `text_excerpt`). Validation
//! reads it as an absent field, so stored events still parse when they are replayed.

use serde_json::{json, Value};

/// `{"encrypted":true}`.
pub fn sealed_placeholder() -> Value {
    json!({ "encrypted": true })
}

/// True for exactly `{"encrypted":true}`.
pub fn is_sealed_placeholder(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|map| map.len() == 1 && map.get("encrypted") == Some(&Value::Bool(true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_placeholder_is_recognised() {
        assert!(is_sealed_placeholder(&sealed_placeholder()));
        assert!(!is_sealed_placeholder(&json!({"encrypted": false})));
        assert!(!is_sealed_placeholder(&json!({"encrypted": true, "x": 1})));
        assert!(!is_sealed_placeholder(&json!("encrypted")));
    }
}
