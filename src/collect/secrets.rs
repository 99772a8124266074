//! Secrets never leave a collector in plain text: they are stored as `{"redacted": true}` plus, when a key is
//! set (`ENVPARITY_FINGERPRINT_KEY`), an HMAC-SHA256 fingerprint that lets a policy tell equal secrets apart
//! from different ones without revealing either.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// Words that mark a key name as holding a secret, matched against its words (`DB_PASSWORD`, `apiKey`).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "key",
    "apikey",
    "credential",
    "credentials",
    "private",
    "passphrase",
    "auth",
    "dsn",
];

/// True when a parameter or config key's name suggests its value is a secret.
pub fn looks_secret(name: &str) -> bool {
    let last = name.rsplit(['/', '.', ':']).next().unwrap_or(name);
    words(last).any(|w| SECRET_WORDS.contains(&w.as_str()))
}

/// The lowercase words of a name: `DB_PASSWORD` gives db, password; `apiKey` gives api, key.
fn words(name: &str) -> impl Iterator<Item = String> + '_ {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out.into_iter()
}

/// The stored form of a secret: redacted, with a fingerprint when both the value and a key are known.
pub fn redact(plain: Option<&str>, key: Option<&[u8]>) -> Value {
    match (plain, key) {
        (Some(plain), Some(key)) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
            mac.update(plain.as_bytes());
            let digest = mac.finalize().into_bytes();
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            json!({"redacted": true, "fingerprint": format!("hmac-sha256:{hex}")})
        }
        _ => json!({"redacted": true}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_looking_names() {
        for name in [
            "DB_PASSWORD",
            "/shop/prod/SESSION_SECRET",
            "stripe.apiKey",
            "API_TOKEN",
            "jwt.private_key",
            "SENTRY_DSN",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in [
            "DB_POOL_SIZE",
            "/shop/prod/PAYMENT_API_URL",
            "http.timeout_ms",
            "keyboard",
            "monkey",
            "tokenizer_model",
        ] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn fingerprints_need_a_key_and_hide_the_value() {
        assert_eq!(redact(Some("hunter2"), None), json!({"redacted": true}));
        let a = redact(Some("hunter2"), Some(b"k1"));
        assert_eq!(a, redact(Some("hunter2"), Some(b"k1")));
        assert_ne!(a, redact(Some("hunter3"), Some(b"k1")));
        assert_ne!(a, redact(Some("hunter2"), Some(b"k2")));
        assert!(!a.to_string().contains("hunter2"));
        assert!(a["fingerprint"].as_str().unwrap().starts_with("hmac-sha256:"));
    }
}
