//! Terraform and OpenTofu states and plans as environments: parity without access to the accounts, and the
//! desired environment to hold a live one against.
//!
//! Every managed resource instance becomes a resource keyed by its address, the environment's tokens replaced in
//! module names, resource names and instance keys (never in the type: `aws_api_gateway_stage` names a type). The
//! types behind envparity's kinds become those kinds, converted through the AWS collectors' own conversions
//! ([`aws`]), so that a state is judged exactly as a live snapshot; other types become `terraform.TYPE`.
//!
//! A state holds secrets in plain text. Values its `sensitive_attributes` name and the known secret attributes are
//! redacted and fingerprinted as live secrets are, before anything else reads them; the rest passes the one egress
//! check with every other source.

mod aws;
mod format;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use format::{FormatError, IndexKey, Instance, Read, Step};

use crate::CollectError;
use crate::config::Environment;
use crate::secrets::Redactor;
use crate::source::{Context, Found, Source};
use envparity_model::catalog::terraform::{Other, PREFIX};
use envparity_model::keys::derive_key;
use envparity_model::snapshot::{Attributes, AttributesError, Resource};

/// The largest state or plan read, in MiB: a state of tens of thousands of resources is less.
const MAX_STATE_MIB: u64 = 512;

/// The file Terraform keeps a working folder's state in, and the folder of its other workspaces.
const DEFAULT_STATE: &str = "terraform.tfstate";
const WORKSPACES: &str = "terraform.tfstate.d";

/// The environment's Terraform or OpenTofu states (`terraform`).
pub struct States;

/// The environment's plans (`terraform_plan`): as it will be after apply.
pub struct Plans;

impl Source for States {
    fn provider(&self) -> &'static str {
        "terraform"
    }

    fn service(&self) -> &'static str {
        "state"
    }

    fn configured(&self, env: &Environment) -> bool {
        !env.terraform.is_empty()
    }

    fn kinds(&self) -> Vec<&'static str> {
        envparity_model::catalog::terraform::fed_kinds()
    }

    fn collect(&self, cx: &Context) -> Result<Found, CollectError> {
        collect(cx, &cx.env.terraform, format::state)
    }
}

impl Source for Plans {
    fn provider(&self) -> &'static str {
        "terraform"
    }

    fn service(&self) -> &'static str {
        "plan"
    }

    fn configured(&self, env: &Environment) -> bool {
        !env.terraform_plan.is_empty()
    }

    fn kinds(&self) -> Vec<&'static str> {
        envparity_model::catalog::terraform::fed_kinds()
    }

    fn collect(&self, cx: &Context) -> Result<Found, CollectError> {
        collect(cx, &cx.env.terraform_plan, format::plan)
    }
}

/// Reads every configured state (or plan) into resources; a file that cannot be read or is not one makes the
/// whole source a gap naming it.
fn collect(
    cx: &Context,
    configured: &[String],
    parse: fn(&str) -> Result<Vec<Read<'_>>, FormatError>,
) -> Result<Found, CollectError> {
    let fail = |shown: &str, message: String| CollectError {
        code: None,
        message: format!("{shown}: {message}"),
    };
    let mut found = Found::default();
    for template in configured {
        let shown = cx.env.expand(template);
        let text = read(cx, &shown).map_err(|e| fail(&shown, e))?;
        let instances = parse(&text).map_err(|e| fail(&shown, e.to_string()))?;
        if instances.is_empty() {
            found.empty.push(shown.clone());
        }
        let resources =
            resources(instances, &cx.env.tokens, cx.redactor).map_err(|e| fail(&shown, e.to_string()))?;
        crate::gather(&mut found.resources, resources);
    }
    Ok(found)
}

/// The text of a state: an `s3://` object through the store, else a file through the gateway. A folder is a
/// Terraform working folder: the workspace named as the environment (`terraform.tfstate.d/ENV/terraform.tfstate`)
/// when it has one, else its default state.
fn read(cx: &Context, shown: &str) -> Result<String, String> {
    // Errors without the place: the gap names it.
    let bytes = match crate::store::s3(Path::new(shown)).map_err(|e| e.reason())? {
        // The store blocks on a runtime of its own: called from a thread of its own, whatever runs this one.
        Some(_) => std::thread::scope(|s| {
            s.spawn(|| crate::store::read(Path::new(shown)))
                .join()
                .expect("reading from the store does not panic")
        })
        .map_err(|e| e.reason())?,
        None => {
            let gateway = cx.gateway.at_most(MAX_STATE_MIB);
            let mut path = cx.base_dir.join(shown);
            if gateway.is_dir(&path).map_err(|e| e.to_string())? {
                let workspace = path.join(WORKSPACES).join(&cx.env.name).join(DEFAULT_STATE);
                path = match gateway.exists(&workspace) {
                    true => workspace,
                    false => path.join(DEFAULT_STATE),
                };
            }
            gateway.read(&path).map_err(|e| e.to_string())?
        }
    };
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
}

/// The resources of a state's instances: envparity's kinds where a type maps onto one (its helper resources
/// folded in), `terraform.TYPE` for the rest.
///
/// The instances other ones fold into or look up are parsed first, and kept; each other one is parsed when it
/// is converted, and dropped after.
fn resources(
    read: Vec<Read<'_>>,
    tokens: &[String],
    redactor: &Redactor,
) -> Result<Vec<Resource>, FormatError> {
    let indexed = read
        .iter()
        .filter(|i| aws::indexed(&i.r#type))
        .map(|i| parsed(i.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let indexed: Vec<(&Instance, Cow<Instance>, Vec<String>)> = indexed
        .iter()
        .map(|i| {
            let (redacted, secrets) = redact(i, redactor);
            (i, redacted, secrets)
        })
        .collect();
    let states = aws::States::of(indexed.iter().map(|(_, redacted, _)| redacted.as_ref()));
    let key_of = |name: &str| derive_key(name, tokens);
    let resource = |plain: &Instance, i: &Instance, secrets: &[String]| {
        let refused = |error| FormatError::Attributes {
            address: address(i),
            error,
        };
        let mut resource = match aws::map(i, plain, &states, &key_of, redactor) {
            Some(mapped) => {
                let mut attributes = mapped.attributes;
                redact_texts(&mut attributes, secrets, redactor);
                Resource {
                    kind: mapped.kind.to_owned(),
                    name: Some(mapped.name),
                    identifiers: mapped.identifiers,
                    attributes: Attributes::try_of_value(&attributes).map_err(refused)?,
                    ..bare(i)
                }
            }
            None => other(i, tokens, redactor).map_err(refused)?,
        };
        resource.key = Some(key(i, tokens));
        resource.identifiers.sort();
        resource.identifiers.dedup();
        Ok(resource)
    };
    let mut out = Vec::with_capacity(read.len());
    for (plain, i, secrets) in indexed.iter().filter(|(i, _, _)| !aws::folded(&i.r#type)) {
        out.push(resource(plain, i, secrets)?);
    }
    for i in read.into_iter().filter(|i| !aws::indexed(&i.r#type)) {
        let plain = parsed(i)?;
        let (redacted, secrets) = redact(&plain, redactor);
        out.push(resource(&plain, &redacted, &secrets)?);
    }
    Ok(out)
}

/// An instance with its attributes parsed; a type no provider names so, or attributes that cannot be parsed,
/// refuse the state, naming the instance and why.
fn parsed(i: Read) -> Result<Instance, FormatError> {
    if !format::is_type(&i.r#type) {
        return Err(FormatError::Type { address: address(&i) });
    }
    i.parse().map_err(|i| FormatError::Attributes {
        address: address(&i),
        // What serde refuses in text it read whole, the check names: too deep, or a number out of range.
        error: Attributes::check_text(i.attributes.get())
            .err()
            .unwrap_or(AttributesError::TooDeep),
    })
}

/// What every resource of an instance has: its identifier (the ARN, else the id), the account and region the
/// ARN names, its tags (`tags_all`, with the provider's default tags, else `tags`).
fn bare(i: &Instance) -> Resource {
    let text = |name: &str| {
        i.attributes
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let id = text("arn").or_else(|| text("id"));
    let arn: Vec<&str> = text("arn")
        .map(|a| a.splitn(6, ':').collect())
        .unwrap_or_default();
    let part = |n: usize| arn.get(n).filter(|s| !s.is_empty()).map(|s| s.to_string());
    let tags = ["tags_all", "tags"]
        .iter()
        .find_map(|t| {
            i.attributes
                .get(*t)
                .and_then(Value::as_object)
                .filter(|m| !m.is_empty())
        })
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect::<BTreeMap<String, String>>()
        })
        .unwrap_or_default();
    Resource {
        kind: String::new(),
        key: None,
        name: None,
        id: id.map(str::to_owned),
        account: part(4),
        region: part(3).or_else(|| text("region").map(str::to_owned)),
        tags: tags.into(),
        identifiers: Vec::new(),
        attributes: Attributes::default(),
    }
}

/// The attributes no envparity kind reads, as `terraform.TYPE`: the identifiers and tags left out (they are the
/// resource's id and tags), and so is what differs between environments by design (an opaque id such as
/// `vpc-0a1b2c3d`, a creation time); the account's id written `{account}` and the environment's tokens replaced
/// in every text, so that an ARN of the same role in both compares equal and one naming the other account does
/// not; every value through the secret detection by its name.
fn other(i: &Instance, tokens: &[String], redactor: &Redactor) -> Result<Resource, AttributesError> {
    const NOT_COMPARED: &[&str] = &["id", "arn", "tags", "tags_all"];
    let bare = bare(i);
    let mut attributes = i.attributes.clone();
    if let Value::Object(map) = &mut attributes {
        map.retain(|k, _| !NOT_COMPARED.contains(&k.as_str()));
    }
    let account = bare.account.clone();
    let comparable = |text: &str| comparable(text, account.as_deref(), tokens);
    let attributes = by_name("", attributes, &comparable, redactor);
    let name = [
        "name",
        "bucket",
        "identifier",
        "function_name",
        "cluster_identifier",
    ]
    .iter()
    .find_map(|n| i.attributes.get(*n).and_then(Value::as_str))
    .map(str::to_owned);
    let typed = Other {
        attributes: envparity_model::catalog::typed::map_of(attributes),
    };
    Ok(Resource {
        kind: format!("{PREFIX}{}", i.r#type),
        name,
        attributes: Attributes::try_of(&typed)?,
        ..bare
    })
}

/// A value with every text made comparable and every leaf through the secret detection by the name it is under.
fn by_name(name: &str, value: Value, comparable: &dyn Fn(&str) -> String, redactor: &Redactor) -> Value {
    let text = |v: Value| match v {
        Value::String(s) => Value::String(comparable(&s)),
        other => other,
    };
    if envparity_model::snapshot::is_redacted(&value) {
        return value;
    }
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !by_design(v))
                .map(|(k, v)| {
                    let v = by_name(&k, v, comparable, redactor);
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            redactor.value(name, Value::Array(items.into_iter().map(text).collect()))
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| by_name(name, v, comparable, redactor))
                .collect(),
        ),
        Value::String(_) => redactor.value(name, text(value)),
        other => redactor.value(name, other),
    }
}

/// A text as compared across environments: the account's own id as `{account}`, the environment's tokens
/// replaced.
fn comparable(text: &str, account: Option<&str>, tokens: &[String]) -> String {
    let text = match account {
        Some(account) if text.contains(account) => text.replace(account, "{account}"),
        _ => text.to_owned(),
    };
    derive_key(&text, tokens)
}

/// A value that differs between environments by design: an opaque AWS id (`vpc-0a1b2c3d`, `sg-...`, an IAM
/// unique id such as `AROA...`), a list of them, or a time (`2026-01-05T10:00:00Z`).
fn by_design(value: &Value) -> bool {
    static OPAQUE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^(?:[a-z]{1,8}-[0-9a-f]{8,17}|A(?:ROA|IDA|GPA|NPA|NVA|IPA|SIA|KIA|PKA|BIA|CCA)[A-Z0-9]{12,}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\S*)$",
        )
        .expect("the pattern compiles")
    });
    match value {
        Value::String(s) => OPAQUE.is_match(s),
        Value::Array(items) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|v| v.as_str().is_some_and(|s| OPAQUE.is_match(s)))
        }
        _ => false,
    }
}

/// The instance with every value its sensitive paths and its type's known secret attributes name replaced by
/// its redacted form (fingerprinted, when a key is set), and the plain texts of those values: any of them a
/// conversion copies into a kind's attributes is redacted there too.
fn redact<'i>(i: &'i Instance, redactor: &Redactor) -> (Cow<'i, Instance>, Vec<String>) {
    let held: Vec<(Vec<Step>, String)> = secret_paths(i)
        .into_iter()
        .filter_map(|path| {
            let value = at(&i.attributes, &path)?;
            let secret = !value.is_null() && !envparity_model::snapshot::is_redacted(value);
            secret.then(|| (path, plain_text(value)))
        })
        .collect();
    if held.is_empty() {
        return (Cow::Borrowed(i), Vec::new());
    }
    let mut out = i.clone();
    let mut texts = Vec::new();
    for (path, text) in held {
        if let Some(value) = at_mut(&mut out.attributes, &path) {
            // A path named twice (sensitive and known secret) is redacted once: the fingerprint is the secret's.
            if !envparity_model::snapshot::is_redacted(value) {
                *value = redactor.redact(Some(&text));
            }
        }
        if !text.is_empty() {
            texts.push(text);
        }
    }
    texts.dedup();
    (Cow::Owned(out), texts)
}

/// The paths of an instance's secrets: its sensitive paths, and its type's known secret attributes.
fn secret_paths(i: &Instance) -> Vec<Vec<Step>> {
    let known = aws::SECRET_ATTRIBUTES
        .iter()
        .filter(|(t, _)| *t == i.r#type)
        .map(|(_, attribute)| vec![Step::Key(attribute.to_string())]);
    i.sensitive
        .iter()
        .filter(|p| !p.is_empty() && !aws::shown_as_live(i, p))
        .cloned()
        .chain(known)
        .collect()
}

/// Every text of a kind's attributes that holds one of `secrets`, redacted whole.
fn redact_texts(value: &mut Value, secrets: &[String], redactor: &Redactor) {
    if secrets.is_empty() || envparity_model::snapshot::is_redacted(value) {
        return;
    }
    match value {
        Value::String(s) if secrets.iter().any(|secret| s.contains(secret.as_str())) => {
            let redacted = redactor.redact(Some(s));
            *value = redacted;
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_texts(v, secrets, redactor)),
        Value::Object(map) => map.values_mut().for_each(|v| redact_texts(v, secrets, redactor)),
        _ => {}
    }
}

/// A value as the text a secret's fingerprint is made of: a string as it is, anything else as JSON.
fn plain_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn at<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get(k.as_str()),
        Step::Index(n) => v.get(*n),
    })
}

fn at_mut<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(n) => v.get_mut(*n),
    })
}

/// The instance's address as Terraform writes it: `module.db["eu"].aws_db_instance.main[0]`.
fn address<A>(i: &Instance<A>) -> String {
    address_with(i, |s| s.to_owned())
}

/// The logical key: the address with the environment's tokens replaced in module names, resource names and
/// instance keys, never in the type.
fn key(i: &Instance, tokens: &[String]) -> String {
    address_with(i, |s| derive_key(s, tokens))
}

fn address_with<A>(i: &Instance<A>, name: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    for (module, index) in modules(&i.module) {
        out.push_str("module.");
        out.push_str(&name(module));
        push_index(&mut out, index.as_ref(), &name);
        out.push('.');
    }
    out.push_str(&i.r#type);
    out.push('.');
    out.push_str(&name(&i.name));
    push_index(&mut out, i.index.as_ref(), &name);
    out
}

fn push_index(out: &mut String, index: Option<&IndexKey>, name: &impl Fn(&str) -> String) {
    match index {
        Some(IndexKey::Number(n)) => out.push_str(&format!("[{n}]")),
        Some(IndexKey::Key(k)) => {
            out.push('[');
            out.push_str(&Value::String(name(k)).to_string());
            out.push(']');
        }
        None => {}
    }
}

/// The (name, key) of each module of a module address: `module.a["x"].module.b[0]`. What does not read as one
/// ends the list (the rest is kept as a name, so that no part of the address is lost).
fn modules(address: &str) -> Vec<(&str, Option<IndexKey>)> {
    let mut out = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['[', '.']).unwrap_or(after.len());
        let (module, mut tail) = after.split_at(end);
        let mut index = None;
        if let Some(bracketed) = tail.strip_prefix('[') {
            let mut stream = serde_json::Deserializer::from_str(bracketed).into_iter::<IndexKey>();
            match stream.next() {
                Some(Ok(key)) if bracketed[stream.byte_offset()..].starts_with(']') => {
                    index = Some(key);
                    tail = &bracketed[stream.byte_offset() + 1..];
                }
                _ => {
                    out.push((rest, None));
                    return out;
                }
            }
        }
        out.push((module, index));
        rest = tail.strip_prefix('.').unwrap_or(tail);
    }
    if !rest.is_empty() {
        out.push((rest, None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(module: &str, r#type: &str, name: &str, index: Option<IndexKey>) -> Instance {
        Instance {
            module: module.into(),
            r#type: r#type.into(),
            name: name.into(),
            index,
            attributes: Value::Null,
            sensitive: Vec::new(),
        }
    }

    #[test]
    fn keys_replace_tokens_in_names_and_instance_keys_never_in_the_type() {
        let tokens = vec!["staging".to_owned(), "stage".to_owned()];
        let i = instance(
            "module.db_staging[\"staging-eu\"].module.replica",
            "aws_api_gateway_stage",
            "stage",
            Some(IndexKey::Key("stage".into())),
        );
        assert_eq!(
            address(&i),
            "module.db_staging[\"staging-eu\"].module.replica.aws_api_gateway_stage.stage[\"stage\"]"
        );
        assert_eq!(
            key(&i, &tokens),
            "module.db_{env}[\"{env}-eu\"].module.replica.aws_api_gateway_stage.{env}[\"{env}\"]"
        );
        let counted = instance(
            "module.app[0]",
            "aws_sqs_queue",
            "jobs",
            Some(IndexKey::Number(2)),
        );
        assert_eq!(key(&counted, &tokens), "module.app[0].aws_sqs_queue.jobs[2]");
    }

    #[test]
    fn sensitive_values_nested_in_blocks_are_redacted_with_the_fingerprint_of_their_text() {
        let key = crate::secrets::FingerprintKey::new(b"k".repeat(32)).unwrap();
        let redactor = Redactor::new(Some(key));
        let mut i = instance("", "aws_appsync_api_key", "x", None);
        i.attributes = serde_json::json!({"config": [{"token": "t0ken", "name": "n"}], "count": 3});
        i.sensitive = vec![
            vec![
                Step::Key("config".into()),
                Step::Index(0),
                Step::Key("token".into()),
            ],
            vec![Step::Key("count".into())],
            // A path into nothing is no error.
            vec![Step::Key("missing".into()), Step::Index(9)],
        ];
        let (redacted, secrets) = redact(&i, &redactor);
        assert_eq!(
            redacted.attributes["config"][0]["token"],
            redactor.redact(Some("t0ken"))
        );
        assert_eq!(redacted.attributes["config"][0]["name"], "n");
        assert_eq!(redacted.attributes["count"], redactor.redact(Some("3")));
        assert_eq!(secrets, ["t0ken", "3"]);
    }

    #[test]
    fn a_secret_both_marked_sensitive_and_known_is_fingerprinted_as_itself() {
        let key = crate::secrets::FingerprintKey::new(b"k".repeat(32)).unwrap();
        let redactor = Redactor::new(Some(key));
        let mut i = instance("", "aws_secretsmanager_secret_version", "x", None);
        i.attributes = serde_json::json!({"secret_id": "arn", "secret_string": "s3cret"});
        i.sensitive = vec![vec![Step::Key("secret_string".into())]];
        assert_eq!(
            redact(&i, &redactor).0.attributes["secret_string"],
            redactor.redact(Some("s3cret"))
        );
    }

    #[test]
    fn other_types_compare_without_what_differs_by_design() {
        let mut i = instance("", "aws_security_group", "web", None);
        i.attributes = serde_json::json!({
            "arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-0a1b2c3d4e5f60718",
            "id": "sg-0a1b2c3d4e5f60718",
            "name": "web-staging",
            "vpc_id": "vpc-0a1b2c3d",
            "subnet_ids": ["subnet-0a1b2c3d", "subnet-1a2b3c4d"],
            "owner_id": "111111111111",
            "role": "arn:aws:iam::111111111111:role/web-staging",
            "peer": "arn:aws:iam::222222222222:role/web-prod",
            "created": "2026-01-05T10:00:00Z",
            "unique_id": "AROARZPUZDIKPHJLHQ6C4",
            "ingress": [{"from_port": 443, "security_groups": ["sg-0a1b2c3d4e5f60719"]}],
        });
        let tokens = vec!["staging".to_owned()];
        let r = other(&i, &tokens, &Redactor::new(None)).unwrap();
        assert_eq!(r.kind, "terraform.aws_security_group");
        assert_eq!(r.account.as_deref(), Some("111111111111"));
        assert_eq!(
            r.attributes.parse()["attributes"],
            serde_json::json!({
                "name": "web-{env}",
                "owner_id": "{account}",
                "role": "arn:aws:iam::{account}:role/web-{env}",
                "peer": "arn:aws:iam::222222222222:role/web-prod",
                "ingress": [{"from_port": 443}],
            })
        );
    }

    #[test]
    fn no_state_makes_reading_panic() {
        let text =
            include_str!("../../../../examples/terraform/infra/terraform.tfstate.d/prod/terraform.tfstate");
        let redactor = Redactor::new(None);
        let tokens = vec!["prod".to_owned()];
        // Cut anywhere, and with any byte replaced by a quote, a bracket or a digit: read, or refused whole.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..300 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % text.len();
            let mut bytes = text.as_bytes().to_vec();
            bytes[at] = b"\"[]{}0-"[(seed >> 40) as usize % 7];
            for candidate in [&bytes[..], &text.as_bytes()[..at]] {
                let Ok(candidate) = std::str::from_utf8(candidate) else {
                    continue;
                };
                if let Ok(instances) = format::state(candidate) {
                    let _ = resources(instances, &tokens, &redactor);
                }
            }
        }
    }

    #[test]
    fn attributes_no_value_can_hold_refuse_the_state_naming_the_instance() {
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        let text = format!(
            r#"{{"version": 4, "resources": [{{"mode": "managed", "type": "aws_sqs_queue", "name": "q",
                "instances": [{{"attributes": {{"name": "q", "x": {deep}}}}}]}}]}}"#
        );
        let read = format::state(&text).expect("read with its attributes as text");
        let refused = resources(read, &[], &Redactor::new(None)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "aws_sqs_queue.q: attributes nested deeper than 100 levels"
        );
        // A number no value holds, which a read of the text whole lets through too.
        let text = text.replace(&deep, "1e400");
        let refused = resources(format::state(&text).unwrap(), &[], &Redactor::new(None)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "aws_sqs_queue.q: attributes the number 1e400 is out of range"
        );
    }

    #[test]
    fn a_type_no_provider_names_so_refuses_the_state_naming_the_instance() {
        let state = |r#type: &str| {
            let text = format!(
                r#"{{"version": 4, "resources": [{{"mode": "managed", "type": {type}, "name": "q",
                    "instances": [{{"attributes": {{"name": "q"}}}}]}}]}}"#,
                r#type = serde_json::to_string(r#type).unwrap()
            );
            resources(format::state(&text).unwrap(), &[], &Redactor::new(None))
        };
        for bad in [
            "${UNSET:?required}",
            "Aws_sqs_queue",
            "aws-sqs-queue",
            "aws.sqs.queue",
            "_x",
            "9x",
            "",
        ] {
            assert_eq!(
                state(bad).unwrap_err().to_string(),
                format!(
                    "{bad}.q: the resource type is not a Terraform resource type (lowercase letters, digits and \
                     underscores, starting with a letter)"
                )
            );
        }
        for good in ["aws_sqs_queue", "random_id", "aws_s3_bucket_v2"] {
            assert_eq!(state(good).unwrap().len(), 1, "{good}");
        }
    }

    #[test]
    fn attributes_nested_deeper_than_a_snapshot_holds_refuse_the_state_without_a_panic() {
        let state = |r#type: &str| {
            let deep = format!("{}{}", "[".repeat(110), "]".repeat(110));
            let text = format!(
                r#"{{"version": 4, "resources": [{{"mode": "managed", "type": "{type}", "name": "q",
                    "instances": [{{"attributes": {{"name": "q", "policy": {deep}, "tags": {{"x": {deep}}}}}}}]}}]}}"#
            );
            resources(format::state(&text).unwrap(), &[], &Redactor::new(None))
        };
        // A type kept whole would hold the value as deep as it is.
        let refused = state("aws_iam_policy").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "aws_iam_policy.q: attributes nested deeper than 100 levels"
        );
        // A type converted to a kind keeps what the kind has.
        assert_eq!(state("aws_sqs_queue").unwrap().len(), 1);
    }

    #[test]
    fn a_module_key_with_brackets_and_quotes_inside_is_read_whole() {
        let i = instance(r#"module.m["a]\"b"].module.n"#, "aws_sqs_queue", "q", None);
        assert_eq!(address(&i), r#"module.m["a]\"b"].module.n.aws_sqs_queue.q"#);
        // An address that does not read as modules keeps every character.
        let odd = instance("module.m[oops", "aws_sqs_queue", "q", None);
        assert!(address(&odd).contains("m[oops"), "{}", address(&odd));
    }
}
