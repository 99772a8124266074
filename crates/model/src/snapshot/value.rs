//! Helpers on the JSON values of attributes that every layer above needs: secrets and short forms for messages.

use serde_json::Value;

/// A value a collector stored in place of a secret: `{"redacted": true}` plus, when a key was set, an HMAC.
pub fn is_redacted(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.get("redacted") == Some(&Value::Bool(true)))
}

/// The fingerprint of a redacted value, if it carries one.
pub fn redacted_fingerprint(value: &Value) -> Option<&str> {
    value.get("fingerprint").and_then(Value::as_str)
}

/// The JSON type of a value, with an article, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) if is_redacted(v) => "a secret",
        Value::Object(_) => "an object",
    }
}

/// The text of a redacted URL with its password replaced, when the secret is a password inside a URL.
pub fn redacted_masked(value: &Value) -> Option<&str> {
    value.get("masked").and_then(Value::as_str)
}

/// A value in one line for a message: strings bare, secrets as `<redacted>` (a URL with its password so).
pub fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        _ if is_redacted(v) => redacted_masked(v).unwrap_or("<redacted>").to_owned(),
        _ => v.to_string(),
    }
}
