//! Pairing: which staging resource is which prod resource.
//!
//! Every resource gets a logical key: the snapshot's `key` if it has one, else the value of the configured key
//! tag, else its name with the environment's tokens (whole segments only) replaced by `{env}`:
//! `orders-staging-db` and `orders-prod-db` both give `orders-{env}-db`. Resources of one kind with equal keys
//! pair; two resources of one kind with the same key on one side are an ambiguity, never paired at random.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::snapshot::{Resource, Snapshot};

/// The placeholder that stands for the environment's name in a logical key.
pub const ENV_PLACEHOLDER: &str = "{env}";

/// How one environment's resources get their logical keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRule {
    /// A tag whose value is the key, such as `Service`.
    pub key_tag: Option<String>,
    /// Name segments that stand for the environment, such as `staging` and `stg`.
    pub tokens: Vec<String>,
}

impl KeyRule {
    /// The rule for an environment with no configured tokens: its own name plus the common spellings.
    pub fn for_environment(environment: &str) -> Self {
        KeyRule {
            key_tag: None,
            tokens: default_tokens(environment),
        }
    }

    /// The logical key of `resource` under this rule.
    pub fn key_of(&self, resource: &Resource) -> String {
        if let Some(key) = &resource.key {
            return key.clone();
        }
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

/// One resource on each side with the same kind and key. Resources told apart by region only have the region
/// in their key: `jobs-{env}@us-east-1`.
#[derive(Debug, Clone)]
pub struct Pair<'a> {
    pub key: Cow<'a, str>,
    pub staging: &'a Resource,
    pub prod: &'a Resource,
}

/// A resource found on one side only.
#[derive(Debug, Clone)]
pub struct Unpaired<'a> {
    pub key: Cow<'a, str>,
    pub resource: &'a Resource,
}

/// Several resources of one kind share a key on one side: which pairs with which is unknown.
#[derive(Debug, Clone)]
pub struct Ambiguity<'a> {
    pub kind: &'a str,
    pub key: &'a str,
    pub staging: Vec<&'a Resource>,
    pub prod: Vec<&'a Resource>,
}

/// The outcome of pairing two snapshots; every list is sorted by kind, then key.
#[derive(Debug, Default)]
pub struct Pairing<'a> {
    pub paired: Vec<Pair<'a>>,
    pub only_in_staging: Vec<Unpaired<'a>>,
    pub only_in_prod: Vec<Unpaired<'a>>,
    pub ambiguous: Vec<Ambiguity<'a>>,
}

/// The logical keys of one snapshot's resources, in the snapshot's order.
pub fn keys_of(snapshot: &Snapshot, rule: &KeyRule) -> Vec<String> {
    snapshot.resources.iter().map(|r| rule.key_of(r)).collect()
}

/// Pairs two snapshots whose keys were computed by [`keys_of`].
pub fn pair<'a>(
    staging: &'a Snapshot,
    staging_keys: &'a [String],
    prod: &'a Snapshot,
    prod_keys: &'a [String],
) -> Pairing<'a> {
    type Sides<'a> = (Vec<&'a Resource>, Vec<&'a Resource>);
    let mut groups: BTreeMap<(&'a str, &'a str), Sides<'a>> = BTreeMap::new();
    for (r, key) in staging.resources.iter().zip(staging_keys) {
        groups.entry((&r.kind, key)).or_default().0.push(r);
    }
    for (r, key) in prod.resources.iter().zip(prod_keys) {
        groups.entry((&r.kind, key)).or_default().1.push(r);
    }

    let mut pairing = Pairing::default();
    for ((kind, key), (s, p)) in groups {
        match (s.as_slice(), p.as_slice()) {
            ([staging], [prod]) => pairing.paired.push(Pair {
                key: key.into(),
                staging,
                prod,
            }),
            ([resource], []) => pairing.only_in_staging.push(Unpaired {
                key: key.into(),
                resource,
            }),
            ([], [resource]) => pairing.only_in_prod.push(Unpaired {
                key: key.into(),
                resource,
            }),
            _ if !pair_by_region(key, &s, &p, &mut pairing) => pairing.ambiguous.push(Ambiguity {
                kind,
                key,
                staging: s,
                prod: p,
            }),
            _ => {}
        }
    }
    pairing
}

/// Several resources share a key on one side: when each is in a region of its own (one deployment per region,
/// the same names in each), they pair region by region, and a region one side lacks is one-sided. Returns
/// false, adding nothing, when the regions do not tell them apart.
fn pair_by_region<'a>(
    key: &'a str,
    staging: &[&'a Resource],
    prod: &[&'a Resource],
    pairing: &mut Pairing<'a>,
) -> bool {
    type Sides<'a> = (Option<&'a Resource>, Option<&'a Resource>);
    let mut regions: BTreeMap<&str, Sides<'a>> = BTreeMap::new();
    for (resources, is_staging) in [(staging, true), (prod, false)] {
        for r in resources {
            let Some(region) = r.region.as_deref() else {
                return false;
            };
            let slot = regions.entry(region).or_default();
            let side = if is_staging { &mut slot.0 } else { &mut slot.1 };
            if side.replace(r).is_some() {
                return false; // Two of one key in one region: the region does not tell them apart.
            }
        }
    }
    for (region, (staging, prod)) in regions {
        let key = Cow::Owned(format!("{key}@{region}"));
        match (staging, prod) {
            (Some(staging), Some(prod)) => pairing.paired.push(Pair { key, staging, prod }),
            (Some(resource), None) => pairing.only_in_staging.push(Unpaired { key, resource }),
            (None, Some(resource)) => pairing.only_in_prod.push(Unpaired { key, resource }),
            (None, None) => unreachable!("a region is listed because a resource is in it"),
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
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
    fn one_name_in_several_regions_pairs_region_by_region() {
        let snapshot = |env: &str, regions: &[&str]| -> Snapshot {
            let resources: Vec<_> = regions
                .iter()
                .map(|r| serde_json::json!({"kind": "aws.sqs.queue", "name": format!("jobs-{env}"), "region": r}))
                .collect();
            serde_json::from_value(serde_json::json!({
                "schema": "envparity/snapshot/v1", "environment": env,
                "collected_at": "2026-11-27T12:00:00Z", "resources": resources,
            }))
            .unwrap()
        };
        let staging = snapshot("staging", &["eu-west-1", "us-east-1"]);
        let prod = snapshot("prod", &["eu-west-1", "us-east-1", "ap-south-1"]);
        let (sk, pk) = (
            keys_of(&staging, &KeyRule::for_environment("staging")),
            keys_of(&prod, &KeyRule::for_environment("prod")),
        );
        let pairing = pair(&staging, &sk, &prod, &pk);
        let keys: Vec<&str> = pairing.paired.iter().map(|p| p.key.as_ref()).collect();
        assert_eq!(keys, ["jobs-{env}@eu-west-1", "jobs-{env}@us-east-1"]);
        assert_eq!(pairing.only_in_prod.len(), 1);
        assert!(pairing.ambiguous.is_empty());

        // Two of one name in one region: still ambiguous, never paired at random.
        let twice = snapshot("staging", &["eu-west-1", "eu-west-1"]);
        let tk = keys_of(&twice, &KeyRule::for_environment("staging"));
        let pairing = pair(&twice, &tk, &prod, &pk);
        assert_eq!((pairing.paired.len(), pairing.ambiguous.len()), (0, 1));
    }

    #[test]
    fn default_tokens_know_common_spellings() {
        assert_eq!(default_tokens("Staging"), tokens(&["stage", "staging", "stg"]));
        assert!(default_tokens("prod").contains(&"production".to_string()));
        assert_eq!(default_tokens("blue"), tokens(&["blue"]));
    }
}
