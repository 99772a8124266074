//! Secrets never leave a collector in plain text. A value is taken for a secret by its name (any word of it:
//! `DB_PASSWORD`, `secrets.stripe`, `sessionKeys`) or by its content (credentials in a URL, private keys, cloud
//! and service tokens, webhook URLs). It is stored as `{"redacted": true}` plus, when a key is set
//! (`ENVPARITY_FINGERPRINT_KEY`), an HMAC-SHA256 fingerprint that tells equal secrets from different ones without
//! revealing either. A URL keeps everything but its password (`"masked"`), since its host is what parity and the
//! cross-environment checks compare.

use std::sync::LazyLock;

use hmac::{Hmac, Mac};
use regex::{Regex, RegexSet};
use serde_json::{Map, Value};
use sha2::Sha256;

/// The fewest bytes a fingerprint key may have: a shorter key can be guessed, and with it every secret.
pub const MIN_KEY_BYTES: usize = 16;

/// Why a fingerprint key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "ENVPARITY_FINGERPRINT_KEY is {0} bytes long; it must have at least {MIN_KEY_BYTES} (for instance the \
     output of `openssl rand -hex 32`)"
)]
pub struct KeyTooShort(pub usize);

/// The HMAC key secrets are fingerprinted with.
#[derive(Clone)]
pub struct FingerprintKey(Vec<u8>);

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FingerprintKey({})", self.id())
    }
}

impl FingerprintKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, KeyTooShort> {
        let bytes = bytes.into();
        match bytes.len() {
            n if n < MIN_KEY_BYTES => Err(KeyTooShort(n)),
            _ => Ok(FingerprintKey(bytes)),
        }
    }

    /// An identifier of the key that reveals nothing about it: snapshots record it, so that two fingerprints
    /// made with different keys are never taken for different secrets.
    pub fn id(&self) -> String {
        format!("hmac-sha256:{}", &self.mac(b"envparity fingerprint key id")[..16])
    }

    fn mac(&self, data: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(data);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn fingerprint(&self, plain: &str) -> String {
        format!("hmac-sha256:{}", self.mac(plain.as_bytes()))
    }
}

/// Word stems that mark a name as holding a secret, matched against every word of the name, singular or
/// plural (`DB_PASS`, `api_keys`, `SECRETS`).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "token",
    "key",
    "credential",
    "private",
    "auth",
    "dsn",
    "webhook",
];

/// Words written as one that end in a secret word (`accesskey`, `apitokens`): the prefixes that make them so.
const COMPOUND_PREFIXES: &[&str] = &[
    "access",
    "api",
    "auth",
    "client",
    "db",
    "encryption",
    "master",
    "private",
    "secret",
    "session",
    "signing",
    "app",
    "bearer",
    "refresh",
    "root",
    "admin",
    "user",
    "ssh",
];

/// True when a parameter or config key's name suggests its value is a secret: any word of any segment.
pub fn looks_secret(name: &str) -> bool {
    words(name).any(|w| {
        let singular = w.strip_suffix('s').filter(|s| !s.is_empty()).unwrap_or(&w);
        SECRET_WORDS.contains(&w.as_str())
            || SECRET_WORDS.contains(&singular)
            || COMPOUND_PREFIXES.iter().any(|prefix| {
                singular
                    .strip_prefix(prefix)
                    .is_some_and(|rest| SECRET_WORDS.contains(&rest))
            })
    })
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

/// Values that are secrets whatever their name: private keys, cloud and service tokens, secret webhook URLs.
static SECRET_VALUES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----",
        r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b",
        r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}",
        r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}",
        r"\bgithub_pat_[A-Za-z0-9_]{30,}",
        r"\bglpat-[A-Za-z0-9_-]{20,}",
        r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
        r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}",
        r"\bwhsec_[A-Za-z0-9]{10,}",
        r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
        r"(?i)https://hooks\.slack\.com/(?:services|workflows|triggers)/\S+",
        r"(?i)https://(?:[a-z]+\.)?discord(?:app)?\.com/api/webhooks/\S+",
        r"(?i)https://[a-z0-9.-]+\.webhook\.office\.com/\S+",
    ])
    .expect("the secret patterns are valid")
});

/// A run of 40 base64 characters standing alone: the shape of an AWS secret access key.
static AWS_SECRET_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])").expect("valid")
});

/// `scheme://user:password@`: the password is group 2.
static URL_CREDENTIALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*):([^\s@/]+)@").expect("valid"));

/// What a redacted URL shows in place of its password.
const MASK: &str = "<redacted>";

/// True when the text holds a secret by its content alone (not counting passwords in URLs, which are masked).
fn secret_by_value(text: &str) -> bool {
    SECRET_VALUES.is_match(text)
        || AWS_SECRET_KEY.captures_iter(text).any(|c| {
            let run = &c[1];
            // Random base64, not a word, a path or a hex digest.
            run.bytes().any(|b| b.is_ascii_uppercase())
                && run.bytes().any(|b| b.is_ascii_lowercase())
                && run.bytes().any(|b| b.is_ascii_digit())
        })
}

/// True when one item of a list holds a secret: by content, or as a password in a URL (a list is not masked
/// item by item, so the whole list becomes the secret).
fn secret_item(item: &str) -> bool {
    secret_by_value(item) || URL_CREDENTIALS.is_match(item)
}

/// Turns plain values into what a snapshot may hold. One per collection, shared by every collector.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    key: Option<FingerprintKey>,
}

impl Redactor {
    pub fn new(key: Option<FingerprintKey>) -> Self {
        Redactor { key }
    }

    /// The identifier of the fingerprint key, for the snapshot.
    pub fn key_id(&self) -> Option<String> {
        self.key.as_ref().map(FingerprintKey::id)
    }

    /// The stored form of a secret: redacted, with a fingerprint when both the value and a key are known.
    pub fn redact(&self, plain: Option<&str>) -> Value {
        let mut out = Map::from_iter([("redacted".to_owned(), Value::Bool(true))]);
        if let (Some(plain), Some(key)) = (plain, &self.key) {
            out.insert("fingerprint".into(), key.fingerprint(plain).into());
        }
        out.into()
    }

    /// The stored form of a text value named `name`: redacted when the name or the content says secret, the
    /// URL passwords masked, else the text as it is.
    pub fn text(&self, name: &str, plain: &str) -> Value {
        if looks_secret(name) || secret_by_value(plain) {
            return self.redact(Some(plain));
        }
        self.masked(plain).unwrap_or_else(|| Value::from(plain))
    }

    /// The stored form of a list of texts (an SSM StringList): each item is looked at, and one secret item makes
    /// the whole list a secret.
    pub fn list(&self, name: &str, items: &[&str]) -> Value {
        if looks_secret(name) || items.iter().any(|i| secret_item(i)) {
            return self.redact(Some(&items.join(",")));
        }
        Value::from(items.iter().map(|i| Value::from(*i)).collect::<Vec<_>>())
    }

    /// Any JSON value named `name` (a config file's leaf): texts as [`Redactor::text`], lists item by item,
    /// other values redacted whole when the name says secret.
    pub fn value(&self, name: &str, value: Value) -> Value {
        match value {
            Value::String(s) => self.text(name, &s),
            Value::Array(items) => {
                let secret = looks_secret(name) || items.iter().any(|i| i.as_str().is_some_and(secret_item));
                match secret {
                    true => self.redact(Some(&Value::Array(items).to_string())),
                    false => Value::Array(items),
                }
            }
            other if looks_secret(name) => self.redact(Some(&other.to_string())),
            other => other,
        }
    }

    /// A text holding URLs with passwords: redacted, with a fingerprint of the passwords and the text with each
    /// password replaced by `<redacted>`. `None` when there is no such URL.
    fn masked(&self, plain: &str) -> Option<Value> {
        let passwords: Vec<&str> = URL_CREDENTIALS
            .captures_iter(plain)
            .map(|c| c.get(2).expect("the pattern has a password group").as_str())
            .collect();
        if passwords.is_empty() {
            return None;
        }
        let masked = URL_CREDENTIALS.replace_all(plain, format!("${{1}}:{MASK}@"));
        let mut out = self.redact(Some(&passwords.join("\n")));
        out["masked"] = Value::from(masked.into_owned());
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(k: &str) -> Redactor {
        Redactor::new(Some(FingerprintKey::new(k.as_bytes()).unwrap()))
    }

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
            "passenger_count",
            "compass",
        ] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn plural_compound_and_inner_segment_names_are_secret() {
        for name in [
            "SECRETS",
            "api_keys",
            "DB_PASS",
            "secrets.stripe",
            "sessionKeys",
            "accesskey",
            "API_KEYS",
            "/shop/prod/tokens/github",
            "passwords",
            "SLACK_WEBHOOK",
        ] {
            assert!(looks_secret(name), "{name}");
        }
    }

    #[test]
    fn a_password_inside_a_url_is_masked_and_the_rest_kept() {
        let r = key("0123456789abcdef");
        let stored = r.text(
            "DATABASE_URL",
            "postgres://shop:hunter2@db.prod.internal:5432/shop",
        );
        assert!(!stored.to_string().contains("hunter2"), "{stored}");
        assert_eq!(stored["redacted"], json!(true));
        assert_eq!(
            stored["masked"],
            json!("postgres://shop:<redacted>@db.prod.internal:5432/shop")
        );
        // The same password at another host is the same secret.
        let other = r.text(
            "DATABASE_URL",
            "postgres://shop:hunter2@db.staging.internal:5432/shop",
        );
        assert_eq!(stored["fingerprint"], other["fingerprint"]);
        assert_eq!(
            r.text("URL", "https://example.com/a:b@c"),
            json!("https://example.com/a:b@c")
        );
    }

    #[test]
    fn secrets_are_found_by_value_whatever_the_name() {
        let r = Redactor::default();
        for value in [
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "xoxb-123456789012-abcdefghijkl",
            "sk_live_abcdefghijklmnop",
            "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
        ] {
            assert_eq!(r.text("SETTING", value), json!({"redacted": true}), "{value}");
        }
        for value in [
            "info",
            "https://api.example.com/v1",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "/var/lib/app/data/uploads/images/thumbnails",
        ] {
            assert_eq!(r.text("SETTING", value), json!(value), "{value}");
        }
    }

    #[test]
    fn a_string_list_with_one_secret_item_is_a_secret() {
        let r = Redactor::default();
        assert_eq!(r.list("API_KEYS", &["a", "b"]), json!({"redacted": true}));
        assert_eq!(
            r.list("HOSTS", &["a", "sk_live_abcdefghijklmnop"]),
            json!({"redacted": true})
        );
        assert_eq!(r.list("HOSTS", &["a", "b"]), json!(["a", "b"]));
        assert_eq!(
            r.value("hosts", json!(["a", "AKIAIOSFODNN7EXAMPLE"])),
            json!({"redacted": true})
        );
    }

    #[test]
    fn fingerprints_need_a_key_and_hide_the_value() {
        assert_eq!(
            Redactor::default().redact(Some("hunter2")),
            json!({"redacted": true})
        );
        let a = key("k1k1k1k1k1k1k1k1").redact(Some("hunter2"));
        assert_eq!(a, key("k1k1k1k1k1k1k1k1").redact(Some("hunter2")));
        assert_ne!(a, key("k1k1k1k1k1k1k1k1").redact(Some("hunter3")));
        assert_ne!(a, key("k2k2k2k2k2k2k2k2").redact(Some("hunter2")));
        assert!(!a.to_string().contains("hunter2"));
        assert!(a["fingerprint"].as_str().unwrap().starts_with("hmac-sha256:"));
    }

    #[test]
    fn keys_shorter_than_sixteen_bytes_are_refused() {
        assert_eq!(FingerprintKey::new("short").unwrap_err(), KeyTooShort(5));
        assert!(FingerprintKey::new("0123456789abcdef").is_ok());
    }

    #[test]
    fn the_key_id_tells_keys_apart_and_reveals_neither() {
        let (a, b) = (
            FingerprintKey::new("0123456789abcdef").unwrap(),
            FingerprintKey::new("fedcba9876543210").unwrap(),
        );
        assert_eq!(a.id(), a.clone().id());
        assert_ne!(a.id(), b.id());
        assert!(!a.id().contains("0123456789abcdef"));
        assert_eq!(a.id().len(), "hmac-sha256:".len() + 16);
    }
}
