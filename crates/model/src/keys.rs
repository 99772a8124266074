//! Logical keys: what a resource is called in every environment.
//!
//! A resource's key is the value of the configured key tag, else its name with the environment's tokens (whole
//! segments only) replaced by `{env}`: `orders-staging-db` and `orders-prod-db` both give `orders-{env}-db`.
//! Collection decides it once with the environment's rule and stores it in the snapshot; pairing takes the stored
//! key, unless it is given a rule of its own (`diff --key-tag`, `--staging-tokens`), which it then applies to every
//! resource the same way collection would have.

use std::collections::HashMap;

use crate::snapshot::Resource;

/// The placeholder that stands for the environment's name in a logical key.
pub const ENV_PLACEHOLDER: &str = "{env}";

/// How one environment's resources get their logical keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRule {
    /// A tag whose value is the key, such as `Service`.
    pub key_tag: Option<String>,
    /// Name segments that stand for the environment, such as `staging` and `stg`.
    pub tokens: Vec<String>,
    /// Whether this rule replaces the keys a snapshot stores (a rule the user gave `diff`), rather than only
    /// keying the resources stored without one.
    pub rekey: bool,
}

impl KeyRule {
    /// The rule for an environment with no configured tokens: its own name plus the common spellings.
    pub fn for_environment(environment: &str) -> Self {
        KeyRule {
            key_tag: None,
            tokens: default_tokens(environment),
            rekey: false,
        }
    }

    /// The logical key of `resource`: the key it stores, unless this rule re-keys; else the rule's.
    pub fn key_of(&self, resource: &Resource) -> String {
        match &resource.key {
            Some(key) if !self.rekey => key.clone(),
            _ => self.derive(resource),
        }
    }

    /// The key this rule gives `resource`: its key tag's value, else its name with the tokens replaced.
    pub fn derive(&self, resource: &Resource) -> String {
        if let Some(value) = self.key_tag.as_ref().and_then(|t| resource.tags.get(t)) {
            return value.clone();
        }
        derive_key(resource.label(), &self.tokens)
    }
}

/// The environment's name plus the spellings teams commonly use for the same stage.
pub fn default_tokens(environment: &str) -> Vec<String> {
    const FAMILIES: &[&[&str]] = &[
        &["prod", "production", "prd", "live"],
        &["staging", "stage", "stg"],
        &["dev", "development"],
        &["test", "testing", "tst", "qa"],
        &["uat"],
    ];
    let env = environment.to_ascii_lowercase();
    let mut tokens = vec![env.clone()];
    if let Some(family) = FAMILIES.iter().find(|f| f.contains(&env.as_str())) {
        tokens.extend(family.iter().map(|t| t.to_string()));
    }
    tokens.sort();
    tokens.dedup();
    tokens
}

/// Replaces every whole name segment that is an environment token with `{env}`.
///
/// Segments are separated by `-`, `_`, `/`, `.`, `:` and spaces; tokens match case-insensitively.
pub fn derive_key(name: &str, tokens: &[String]) -> String {
    let mut key = String::with_capacity(name.len() + ENV_PLACEHOLDER.len());
    let mut start = 0;
    let ends = name.match_indices(is_separator).chain([(name.len(), "")]);
    for (at, separator) in ends {
        let segment = &name[start..at];
        if tokens.iter().any(|t| t.eq_ignore_ascii_case(segment)) {
            key.push_str(ENV_PLACEHOLDER);
        } else {
            key.push_str(segment);
        }
        key.push_str(separator);
        start = at + separator.len();
    }
    key
}

/// Whether `key` is a logical key of `name`: the same segments and separators, each segment the name's own or
/// `{env}` (`jobs-{env}-0` names `jobs-staging-0`, whatever the environment's tokens were). How a reference by
/// logical key (a function's queue) finds a resource whose own key is another (a Terraform address).
pub fn names(key: &str, name: &str) -> bool {
    let (mut key, mut name) = (key, name);
    loop {
        let k = key.find(is_separator).unwrap_or(key.len());
        let n = name.find(is_separator).unwrap_or(name.len());
        let segment_matches = &key[..k] == ENV_PLACEHOLDER || key[..k] == name[..n];
        if !segment_matches || key[k..].chars().next() != name[n..].chars().next() {
            return false;
        }
        let Some(separator) = key[k..].chars().next() else {
            return true;
        };
        key = &key[k + separator.len_utf8()..];
        name = &name[n + separator.len_utf8()..];
    }
}

/// Names in order, to find the first one a logical key names ([`names`]) without trying each: a key with at most
/// one `{env}` segment is looked up among the names, each also written with one of its segments `{env}`; one
/// with more is tried against each name in turn.
pub struct NameIndex<'a> {
    names: Vec<&'a str>,
    /// Each name, and each name with one of its segments written `{env}`: the first name it stands for.
    forms: HashMap<String, usize>,
}

impl<'a> NameIndex<'a> {
    pub fn new(names: impl IntoIterator<Item = &'a str>) -> NameIndex<'a> {
        let names: Vec<&str> = names.into_iter().collect();
        let mut forms = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            forms.entry((*name).to_owned()).or_insert(i);
            let mut start = 0;
            for end in name
                .match_indices(is_separator)
                .map(|(at, _)| at)
                .chain([name.len()])
            {
                let form = [&name[..start], ENV_PLACEHOLDER, &name[end..]].concat();
                forms.entry(form).or_insert(i);
                start = end + 1;
            }
        }
        NameIndex { names, forms }
    }

    /// The position of the first name `key` names.
    pub fn find(&self, key: &str) -> Option<usize> {
        match key.split(is_separator).filter(|s| *s == ENV_PLACEHOLDER).count() {
            0 | 1 => self.forms.get(key).copied(),
            _ => self.names.iter().position(|name| names(key, name)),
        }
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, '-' | '_' | '/' | '.' | ':' | ' ')
}

/// Where a resource says it belongs to another environment: its name, or a tag, holds a segment that is one of
/// `other`'s tokens and none of `own`'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignMark<'a> {
    /// `name`, or `tag KEY`.
    pub place: String,
    /// The name or the tag's value.
    pub text: &'a str,
    pub token: &'a str,
}

/// The first place where `resource` carries one of `other`'s environment tokens (and not one of `own`'s).
pub fn foreign_mark<'a>(
    resource: &'a Resource,
    own: &[String],
    other: &'a [String],
) -> Option<ForeignMark<'a>> {
    let token_in = |text: &str| -> Option<&'a str> {
        text.split(is_separator).find_map(|segment| {
            let theirs = other.iter().find(|t| t.eq_ignore_ascii_case(segment))?;
            (!own.iter().any(|t| t.eq_ignore_ascii_case(segment))).then_some(theirs.as_str())
        })
    };
    let name = resource
        .name
        .as_deref()
        .into_iter()
        .map(|n| ("name".to_owned(), n));
    let tags = resource
        .tags
        .iter()
        .map(|(k, v)| (format!("tag {k}"), v.as_str()));
    name.chain(tags).find_map(|(place, text)| {
        Some(ForeignMark {
            token: token_in(text)?,
            place,
            text,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_key_names_a_name_segment_by_segment_whatever_the_tokens() {
        assert!(names("jobs-{env}-0", "jobs-staging-0"));
        assert!(names("jobs-{env}-0", "jobs-prod-0"));
        assert!(names("/shop/{env}/DB", "/shop/uat/DB"));
        assert!(names("jobs", "jobs"));
        for (key, name) in [
            ("jobs-{env}-0", "jobs-staging-1"),
            ("jobs-{env}-0", "jobs-staging.0"),
            ("jobs-{env}-0", "jobs-staging-0-dlq"),
            ("jobs-{env}", "jobs"),
            ("jobs", "jobs-x"),
            ("{env}", "a-b"),
        ] {
            assert!(!names(key, name), "{key} {name}");
        }
    }

    /// Every text of up to three segments from a few, `{env}` and the empty one among them, joined by a few
    /// separators.
    fn texts() -> Vec<String> {
        let mut texts: Vec<String> = vec![String::new()];
        let mut last = texts.clone();
        for _ in 0..3 {
            last = last
                .iter()
                .flat_map(|t| {
                    let joins: &[&str] = if t.is_empty() { &[""] } else { &["-", "_", "/"] };
                    joins.iter().flat_map(move |join| {
                        ["a", "staging", "", ENV_PLACEHOLDER].map(|segment| format!("{t}{join}{segment}"))
                    })
                })
                .collect();
            texts.extend(last.iter().cloned());
        }
        texts
    }

    #[test]
    fn the_name_index_finds_the_first_name_a_key_names_as_trying_each_would() {
        let texts = texts();
        let plain = |t: &&str| !t.split(is_separator).any(|s| s == ENV_PLACEHOLDER);
        // Names as resources have them, and names with `{env}` in them too; in an order where several names a
        // key names come before others it names too.
        let every: Vec<&str> = texts.iter().map(String::as_str).rev().collect();
        let real: Vec<&str> = every.iter().copied().filter(plain).collect();
        for pool in [real, every] {
            let index = NameIndex::new(pool.iter().copied());
            for key in &texts {
                let tried = pool.iter().position(|name| names(key, name));
                assert_eq!(index.find(key), tried, "{key:?}");
            }
        }
        assert_eq!(texts.len(), 517);
    }

    #[test]
    fn names_lose_their_environment_tokens() {
        let staging = tokens(&["staging", "stg"]);
        let prod = tokens(&["prod", "production", "prd"]);
        assert_eq!(derive_key("orders-staging-db", &staging), "orders-{env}-db");
        assert_eq!(derive_key("orders-prod-db", &prod), "orders-{env}-db");
        assert_eq!(
            derive_key("/orders/staging/DB_POOL", &staging),
            "/orders/{env}/DB_POOL"
        );
        assert_eq!(derive_key("/orders/PROD/DB_POOL", &prod), "/orders/{env}/DB_POOL");
        assert_eq!(derive_key("web_stg.alb", &staging), "web_{env}.alb");
    }

    #[test]
    fn tokens_match_whole_segments_only() {
        let prod = tokens(&["prod"]);
        assert_eq!(derive_key("production-db", &prod), "production-db");
        assert_eq!(derive_key("products-prod", &prod), "products-{env}");
        assert_eq!(derive_key("prod", &prod), "{env}");
        assert_eq!(derive_key("a--prod--b", &prod), "a--{env}--b");
        assert_eq!(derive_key("", &prod), "");
    }

    #[test]
    fn a_name_or_tag_with_the_other_environments_token_is_foreign() {
        let (staging, prod) = (tokens(&["staging", "stg"]), tokens(&["prod", "production"]));
        let mut r: Resource = serde_json::from_value(serde_json::json!({
            "kind": "aws.autoscaling.group", "name": "shop-web-prod-asg"
        }))
        .unwrap();
        let mark = foreign_mark(&r, &staging, &prod).unwrap();
        assert_eq!((mark.place.as_str(), mark.token), ("name", "prod"));
        r.name = Some("shop-web-staging-asg".into());
        assert_eq!(foreign_mark(&r, &staging, &prod), None);
        r.name = Some("products-web".into());
        assert_eq!(foreign_mark(&r, &staging, &prod), None);
        r.tags = [("Environment".to_owned(), "Production".to_owned())]
            .into_iter()
            .collect();
        let mark = foreign_mark(&r, &staging, &prod).unwrap();
        assert_eq!(
            (mark.place.as_str(), mark.token),
            ("tag Environment", "production")
        );
        // A token both environments use marks neither.
        assert_eq!(foreign_mark(&r, &tokens(&["production"]), &prod), None);
    }

    #[test]
    fn default_tokens_know_common_spellings() {
        assert_eq!(default_tokens("Staging"), tokens(&["stage", "staging", "stg"]));
        assert!(default_tokens("prod").contains(&"production".to_string()));
        assert_eq!(default_tokens("blue"), tokens(&["blue"]));
    }
}
