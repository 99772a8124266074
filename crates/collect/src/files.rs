//! Config files (`file.config`): every key of each configured .env, JSON, YAML or TOML file, one resource per
//! key, flattened to dotted paths. The key is the file's role (its path with the environment's tokens replaced)
//! plus the dotted path: `config/{env}/shop.yaml:http.timeout_ms`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use super::CollectError;
use super::secrets::Redactor;
use crate::config::Environment;
use crate::source::{Context, Found, Source};
use envparity_files::gateway::Gateway;
use envparity_model::catalog::files::{CONFIG, ConfigKey};
use envparity_model::catalog::typed::Secret;
use envparity_model::keys::derive_key;
use envparity_model::snapshot::{Attributes, Resource};

/// The environment's config files (`config_files`): one unreadable file makes every config key unknown, since a
/// key missing from it is not "missing".
pub struct ConfigFiles;

impl Source for ConfigFiles {
    fn provider(&self) -> &'static str {
        "file"
    }

    fn service(&self) -> &'static str {
        "config"
    }

    fn configured(&self, env: &Environment) -> bool {
        !env.config_files.is_empty()
    }

    fn collect(&self, cx: &Context) -> Result<Found, CollectError> {
        let mut found = Found::default();
        let mut errors = Vec::new();
        for template in &cx.env.config_files {
            let shown = cx.env.expand(template);
            let path = cx.base_dir.join(&shown);
            match collect_file(cx.gateway, &path, &shown, &cx.env.tokens, cx.redactor) {
                Ok(resources) if resources.is_empty() => found.empty.push(shown),
                Ok(resources) => found.resources.extend(resources),
                Err(e) => errors.push(e.to_string()),
            }
        }
        match errors.is_empty() {
            true => Ok(found),
            false => Err(CollectError {
                code: None,
                message: errors.join("; "),
            }),
        }
    }
}

/// Reads one config file into resources. `shown` is the path as configured (with `{env}` expanded).
fn collect_file(
    gateway: &Gateway,
    path: &Path,
    shown: &str,
    tokens: &[String],
    redactor: &Redactor,
) -> Result<Vec<Resource>, CollectError> {
    let fail = |message: String| CollectError {
        code: None,
        message: format!("{shown}: {message}"),
    };
    let text = gateway.read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let value = parse(envparity_model::diagnostic::without_bom(&text), shown).map_err(fail)?;
    let role = derive_key(shown, tokens);

    let mut leaves = BTreeMap::new();
    flatten("", &value, &mut leaves);
    leaves
        .into_iter()
        .map(|(dotted, value)| {
            let value = redactor.value(&dotted, value);
            // A value nested too deeply to be read back makes the whole file a gap, never a broken snapshot.
            let attributes = Attributes::try_of(&ConfigKey { value: Secret(value) })
                .map_err(|e| fail(format!("{dotted}: {e}")))?;
            Ok(Resource {
                kind: CONFIG.name.into(),
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
        Some("yaml" | "yml") => super::yaml::check_depth(text)
            .and_then(|()| serde_yaml_ng::from_str(text).map_err(|e| format!("not valid YAML: {e}"))),
        Some("toml") => toml_span::parse(text)
            .map(|mut v| envparity_model::diagnostic::toml_to_json(&mut v))
            .map_err(|e| format!("not valid TOML: {e}")),
        _ if name.starts_with(".env") || name.ends_with(".env") => dotenv(text),
        _ => Err("unknown config format: use .env, .json, .yaml, .yml or .toml".into()),
    }
}

/// `KEY=VALUE` lines as Docker Compose and dotenv read them: `#` comments (whole lines, and after an unquoted
/// value), `export ` prefixes, single, double and backtick quotes, quoted values over several lines, `\n` and `\"`
/// in double quotes. A line that is not `KEY=VALUE` is an error naming its line.
///
/// Hand-written rather than dotenvy's parser: dotenvy substitutes `$VAR` from the process environment, which
/// would copy the collecting machine's own environment (its AWS keys) into the snapshot.
pub(super) fn dotenv(text: &str) -> Result<Value, String> {
    let map: serde_json::Map<String, Value> = dotenv_entries(text)?
        .into_iter()
        .map(|entry| (entry.name, json!(entry.value)))
        .collect();
    Ok(Value::Object(map))
}

/// One `KEY=VALUE` line of a `.env` file, in the file's order.
pub(super) struct DotenvEntry {
    pub name: String,
    pub value: String,
    /// Whether the value was single-quoted: Compose interpolates every other value with the variables before it.
    pub literal: bool,
}

/// The lines of a `.env` file in order, read as [`dotenv`] reads them.
pub(super) fn dotenv_entries(text: &str) -> Result<Vec<DotenvEntry>, String> {
    let mut entries = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, rest)) = line.split_once('=') else {
            // The line is never quoted: `DB_PASSWORD hunter2` would put the password into the error.
            return Err(format!("line {number}: expected NAME=VALUE (no `=` on the line)"));
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            return Err(format!(
                "line {number}: the name before `=` is not a variable name (letters, digits, `_`, `.`, `-`)"
            ));
        }
        let rest = rest.trim_start();
        let literal = rest.starts_with('\'');
        let value = match rest.chars().next() {
            Some(quote @ ('"' | '\'' | '`')) => {
                // The value runs to the closing quote, over as many lines as it takes.
                let mut raw = rest[1..].to_owned();
                let end = loop {
                    if let Some(end) = closing_quote(&raw, quote) {
                        break end;
                    }
                    match lines.next() {
                        Some((_, next)) => {
                            raw.push('\n');
                            raw.push_str(next);
                        }
                        None => {
                            return Err(format!(
                                "line {number}: the quoted value of {key} is never closed"
                            ));
                        }
                    }
                };
                let after = raw[end + 1..].trim();
                if !after.is_empty() && !after.starts_with('#') {
                    return Err(format!(
                        "line {number}: unexpected text after the closing quote of {key}'s value"
                    ));
                }
                let inner = &raw[..end];
                match quote {
                    '"' => inner
                        .replace("\\n", "\n")
                        .replace("\\\"", "\"")
                        .replace("\\\\", "\\"),
                    _ => inner.to_owned(),
                }
            }
            // An unquoted value ends where a comment starts.
            _ => match rest.find(" #").or_else(|| rest.find("\t#")) {
                Some(at) => rest[..at].trim_end().to_owned(),
                None => rest.trim_end().to_owned(),
            },
        };
        entries.push(DotenvEntry {
            name: key.to_owned(),
            value,
            literal,
        });
    }
    Ok(entries)
}

/// Where the quote that closes a value starts, skipping backslash escapes in double quotes.
fn closing_quote(raw: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in raw.char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(at),
            _ => escaped = false,
        }
    }
    None
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

    /// A gateway around the test's folder.
    fn any_file(dir: &Path) -> Gateway {
        Gateway::new(dir, envparity_files::gateway::Root::Config, &[], 16)
    }

    fn keys_and_values(dir: &Path, name: &str, text: &str) -> Vec<(String, Value)> {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let tokens = vec!["staging".to_owned()];
        let redactor = Redactor::new(Some(
            crate::secrets::FingerprintKey::new("0123456789abcdef").unwrap(),
        ));
        collect_file(
            &any_file(dir),
            &path,
            &format!("config/staging/{name}"),
            &tokens,
            &redactor,
        )
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
            &any_file(dir.path()),
            &dir.path().join("deep.json"),
            "deep.json",
            &[],
            &Redactor::default(),
        )
        .unwrap_err();
        assert_eq!(e.message, "deep.json: a: nested deeper than 100 levels");
    }

    #[test]
    fn dotenv_comments_multiline_values_and_lines_without_equals() {
        let value = |text: &str| dotenv(text).map(|v| v.as_object().unwrap().clone());
        let parsed = value("WORKERS=2 # note\nURL=\"a#b\" # c\nKEY=\"line1\nline2\"\nRAW='x\\ny'\n").unwrap();
        assert_eq!(parsed["WORKERS"], json!("2"));
        assert_eq!(parsed["URL"], json!("a#b"));
        assert_eq!(parsed["KEY"], json!("line1\nline2"));
        assert_eq!(parsed["RAW"], json!("x\\ny"));
        assert_eq!(
            value("A=1\nJUST_A_WORD\n").unwrap_err(),
            "line 2: expected NAME=VALUE (no `=` on the line)"
        );
        assert_eq!(
            value("A=\"open\n").unwrap_err(),
            "line 1: the quoted value of A is never closed"
        );
        assert_eq!(
            value("A=$HOME").unwrap()["A"],
            json!("$HOME"),
            "no substitution from the environment"
        );
    }

    #[test]
    fn unreadable_and_unknown_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = collect_file(
            &any_file(dir.path()),
            &dir.path().join("missing.yaml"),
            "config/missing.yaml",
            &[],
            &Redactor::default(),
        )
        .unwrap_err();
        assert!(e.message.starts_with("config/missing.yaml: "), "{e}");
        std::fs::write(dir.path().join("x.ini"), "a=1").unwrap();
        let e = collect_file(
            &any_file(dir.path()),
            &dir.path().join("x.ini"),
            "x.ini",
            &[],
            &Redactor::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("unknown config format"), "{e}");
        std::fs::write(dir.path().join("bad.json"), "{").unwrap();
        let e = collect_file(
            &any_file(dir.path()),
            &dir.path().join("bad.json"),
            "bad.json",
            &[],
            &Redactor::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{e}");
    }
}
