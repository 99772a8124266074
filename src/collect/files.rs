//! Config files (`file.config`): every key of each configured .env, JSON, YAML or TOML file, one resource per
//! key, flattened to dotted paths. The key is the file's role (its path with the environment's tokens replaced)
//! plus the dotted path: `config/{env}/shop.yaml:http.timeout_ms`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use super::CollectError;
use super::secrets::Redactor;
use crate::catalog::{Field, FieldType, Kind};
use crate::matching::derive_key;
use crate::snapshot::{Attributes, Resource};

/// The kinds this collector produces.
pub(crate) const KINDS: &[Kind] = &[Kind {
    name: "file.config",
    provider: "file",
    service: "config",
    tagged: false,
    doc: "One key of a configured .env, JSON, YAML or TOML file, flattened to a dotted path.",
    fields: &[Field {
        path: "value",
        ty: FieldType::Secret,
        doc: "The key's value; redacted when its name or its content looks secret (a URL keeps all but its password).",
    }],
}];

/// Reads one config file into resources. `shown` is the path as configured (with `{env}` expanded).
pub fn collect_file(
    path: &Path,
    shown: &str,
    tokens: &[String],
    redactor: &Redactor,
) -> Result<Vec<Resource>, CollectError> {
    let fail = |message: String| CollectError {
        code: None,
        message: format!("{shown}: {message}"),
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let value = parse(&text, shown).map_err(fail)?;
    let role = derive_key(shown, tokens);

    let mut leaves = BTreeMap::new();
    flatten("", &value, &mut leaves);
    leaves
        .into_iter()
        .map(|(dotted, value)| {
            let value = redactor.value(&dotted, value);
            // A value nested too deeply to be read back makes the whole file a gap, never a broken snapshot.
            let attributes = Attributes::try_from_map(&BTreeMap::from([("value".to_owned(), value)]))
                .map_err(|e| fail(format!("{dotted}: {e}")))?;
            Ok(Resource {
                kind: "file.config".into(),
                key: Some(format!("{role}:{dotted}")),
                name: Some(format!("{shown}:{dotted}")),
                id: Some(shown.to_owned()),
                account: None,
                region: None,
                tags: Default::default(),
                identifiers: Vec::new(),
                attributes,
            })
        })
        .collect()
}

fn parse(text: &str, shown: &str) -> Result<Value, String> {
    let name = shown.rsplit('/').next().unwrap_or(shown);
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("json") => serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}")),
        Some("yaml" | "yml") => serde_yaml_ng::from_str(text).map_err(|e| format!("not valid YAML: {e}")),
        Some("toml") => toml_span::parse(text)
            .map(|mut v| crate::diagnostic::toml_to_json(&mut v))
            .map_err(|e| format!("not valid TOML: {e}")),
        _ if name.starts_with(".env") || name.ends_with(".env") => Ok(dotenv(text)),
        _ => Err("unknown config format: use .env, .json, .yaml, .yml or .toml".into()),
    }
}

/// `KEY=VALUE` lines; `#` comments, `export ` prefixes and surrounding quotes are dropped.
fn dotenv(text: &str) -> Value {
    let mut map = serde_json::Map::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            map.insert(k.trim().to_owned(), json!(v));
        }
    }
    Value::Object(map)
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        _ => {
            out.insert(prefix.to_owned(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_and_values(dir: &Path, name: &str, text: &str) -> Vec<(String, Value)> {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let tokens = vec!["staging".to_owned()];
        let redactor = Redactor::new(Some(
            crate::collect::secrets::FingerprintKey::new("0123456789abcdef").unwrap(),
        ));
        collect_file(&path, &format!("config/staging/{name}"), &tokens, &redactor)
            .unwrap()
            .into_iter()
            .map(|r| (r.key.unwrap(), r.attributes.parse()["value"].clone()))
            .collect()
    }

    #[test]
    fn every_format_flattens_to_dotted_keys() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = keys_and_values(
            dir.path(),
            "app.yaml",
            "http:\n  timeout_ms: 5000\n  hosts: [a, b]\n",
        );
        assert_eq!(
            yaml,
            [
                ("config/{env}/app.yaml:http.hosts".to_owned(), json!(["a", "b"])),
                ("config/{env}/app.yaml:http.timeout_ms".to_owned(), json!(5000)),
            ]
        );
        let toml = keys_and_values(dir.path(), "app.toml", "[db]\npool = 20\n");
        assert_eq!(toml, [("config/{env}/app.toml:db.pool".to_owned(), json!(20))]);
        let json = keys_and_values(dir.path(), "app.json", "{\"a\": {\"b\": null}}");
        assert_eq!(json, [("config/{env}/app.json:a.b".to_owned(), json!(null))]);
        let env = keys_and_values(
            dir.path(),
            ".env",
            "# c\nexport A=1\nB=\"two\"\nDB_PASSWORD=hunter2\n",
        );
        assert_eq!(env[0], ("config/{env}/.env:A".to_owned(), json!("1")));
        assert_eq!(env[1], ("config/{env}/.env:B".to_owned(), json!("two")));
        assert_eq!(env[2].1["redacted"], json!(true));
        assert!(!env[2].1.to_string().contains("hunter2"));
    }

    #[test]
    fn a_config_file_nested_too_deeply_is_an_error_not_a_broken_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let deep = format!("{{\"a\": {}1{}}}", "[".repeat(120), "]".repeat(120));
        std::fs::write(dir.path().join("deep.json"), deep).unwrap();
        let e = collect_file(
            &dir.path().join("deep.json"),
            "deep.json",
            &[],
            &Redactor::default(),
        )
        .unwrap_err();
        assert_eq!(e.message, "deep.json: a: nested deeper than 100 levels");
    }

    #[test]
    fn unreadable_and_unknown_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = collect_file(
            &dir.path().join("missing.yaml"),
            "config/missing.yaml",
            &[],
            &Redactor::default(),
        )
        .unwrap_err();
        assert!(e.message.starts_with("config/missing.yaml: "), "{e}");
        std::fs::write(dir.path().join("x.ini"), "a=1").unwrap();
        let e = collect_file(&dir.path().join("x.ini"), "x.ini", &[], &Redactor::default()).unwrap_err();
        assert!(e.message.contains("unknown config format"), "{e}");
        std::fs::write(dir.path().join("bad.json"), "{").unwrap();
        let e = collect_file(
            &dir.path().join("bad.json"),
            "bad.json",
            &[],
            &Redactor::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{e}");
    }
}
