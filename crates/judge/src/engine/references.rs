//! Staging must not point at prod: a value of one environment that names a resource or an account of the other
//! (`references-prod`, `references-staging`). The other side's identifiers (endpoint hostnames, account ids,
//! ARNs in shared accounts) become one Aho-Corasick automaton, run once over each resource's attribute text: the
//! cost grows with the text, not with text x identifiers. The automaton holds the identifiers reversed, and runs
//! over reversed text: endpoints share long suffixes (`.eu-west-1.rds.amazonaws.com`), which reversed become
//! shared prefixes, so the automaton has a fraction of the states and builds that much faster.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use serde_json::Value;

use envparity_model::snapshot::{Resource, Snapshot, flatten};

/// A value of the scanned side that names an identifier of the other side.
pub(super) struct Crossing {
    /// The resource's index in its snapshot.
    pub index: usize,
    /// The attribute that holds the value.
    pub path: String,
    pub value: Value,
    /// What it names, for the message.
    pub names: String,
}

/// Every value of `scanned` that names an identifier of `other`, resource by resource.
pub(super) fn crossings(scanned: &Snapshot, other: &Snapshot) -> Vec<Crossing> {
    let Some(identifiers) = Identifiers::of(other, scanned) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut reversed = Vec::new();
    for (index, resource) in scanned.resources.iter().enumerate() {
        let hits = identifiers.find(resource.attributes.text(), &mut reversed);
        if hits.is_empty() {
            continue;
        }
        let parsed = resource.attributes.parse();
        let flat = flatten(&parsed);
        for hit in hits {
            if let Some((path, value)) = flat.iter().find(|(_, v)| v.to_string().contains(hit.text)) {
                out.push(Crossing {
                    index,
                    path: path.clone(),
                    value: (*value).clone(),
                    names: hit.names,
                });
            }
        }
    }
    out
}

/// What an identifier of the other side names.
#[derive(Debug, Clone, Copy)]
enum Target<'s> {
    Account,
    Resource(&'s Resource),
}

/// The other side's identifiers that this side does not share, ready to be found in this side's values.
struct Identifiers<'s> {
    automaton: AhoCorasick,
    /// Per pattern: its text and what it names.
    patterns: Vec<(&'s str, Target<'s>)>,
    other: &'s Snapshot,
    /// The other side's resources by ARN, built on the first account-id match (to name what an ARN points at).
    by_id: OnceLock<HashMap<&'s str, &'s Resource>>,
}

/// One identifier of the other side found in a value.
struct Hit<'s> {
    /// The identifier as found.
    pub text: &'s str,
    /// What it names, for a message: `aws.rds.instance orders-prod-db: orders-prod-db.abc.rds.amazonaws.com`,
    /// `account 222222222222`.
    pub names: String,
}

/// The shortest identifier worth looking for: shorter ones would match by chance.
const MIN_LEN: usize = 8;

impl<'s> Identifiers<'s> {
    /// The identifiers of `other` that `this` does not hold itself; `None` when there are none.
    fn of(other: &'s Snapshot, this: &'s Snapshot) -> Option<Self> {
        let accounts = |s: &'s Snapshot| -> BTreeSet<&'s str> {
            let sources = s.sources.iter().filter_map(|x| x.account.as_deref());
            let resources = s.resources.iter().filter_map(|r| r.account.as_deref());
            sources.chain(resources).collect()
        };
        let (theirs, ours) = (accounts(other), accounts(this));
        let our_identifiers: HashSet<&str> = this
            .resources
            .iter()
            .flat_map(|r| r.identifiers.iter().map(String::as_str))
            .collect();

        let mut patterns: Vec<(&'s str, Target<'s>)> = theirs
            .iter()
            .filter(|a| !ours.contains(*a))
            .map(|a| (*a, Target::Account))
            .collect();
        let mut seen = HashSet::new();
        for r in &other.resources {
            // In an account both sides share, the account id tells nothing apart: the ARN does.
            let shared_arn = r.id.as_deref().filter(|id| {
                id.starts_with("arn:") && r.account.as_deref().is_some_and(|a| ours.contains(a))
            });
            let identifiers = r.identifiers.iter().map(String::as_str).chain(shared_arn);
            for text in identifiers {
                if text.len() >= MIN_LEN && !our_identifiers.contains(text) && seen.insert(text) {
                    patterns.push((text, Target::Resource(r)));
                }
            }
        }
        if patterns.is_empty() {
            return None;
        }
        let reversed = patterns
            .iter()
            .map(|(text, _)| text.bytes().rev().collect::<Vec<u8>>());
        let automaton =
            AhoCorasick::new(reversed).expect("identifiers are few and short enough for an automaton");
        Some(Identifiers {
            automaton,
            patterns,
            other,
            by_id: OnceLock::new(),
        })
    }

    /// Every distinct identifier of the other side that `text` holds as a whole word, in order of appearance.
    /// `reversed` is a buffer for the reversed text, reused from one call to the next.
    fn find(&self, text: &str, reversed: &mut Vec<u8>) -> Vec<Hit<'s>> {
        let bytes = text.as_bytes();
        reversed.clear();
        reversed.extend(bytes.iter().rev());
        let mut found: Vec<usize> = Vec::new();
        for m in self.automaton.find_overlapping_iter(reversed.as_slice()) {
            // Back in the text's own order.
            let (start, end) = (bytes.len() - m.end(), bytes.len() - m.start());
            let whole = start.checked_sub(1).is_none_or(|i| !inside_word(bytes[i], true))
                && bytes.get(end).is_none_or(|b| !inside_word(*b, false));
            if whole && !found.contains(&m.pattern().as_usize()) {
                found.push(m.pattern().as_usize());
            }
        }
        found
            .into_iter()
            .map(|index| {
                let (needle, target) = self.patterns[index];
                Hit {
                    text: needle,
                    names: self.names(target, needle, text),
                }
            })
            .collect()
    }

    fn names(&self, target: Target<'s>, needle: &str, text: &str) -> String {
        match target {
            Target::Resource(r) => format!("{} {}: {needle}", r.kind, r.label()),
            // An account id inside an ARN names the resource of that ARN, when the other side holds it.
            Target::Account => {
                let by_id = self.by_id.get_or_init(|| {
                    let ids = self
                        .other
                        .resources
                        .iter()
                        .filter_map(|r| Some((r.id.as_deref()?, r)));
                    ids.collect()
                });
                let resource = token_around(text, needle).and_then(|arn| by_id.get(arn));
                match resource {
                    Some(r) => format!("{} {} (account {needle})", r.kind, r.label()),
                    None => format!("account {needle}"),
                }
            }
        }
    }
}

/// Bytes that continue a hostname, ARN or number: a match next to one is part of something longer. A `.` before
/// a match makes it a subdomain; after one, it may end a sentence.
fn inside_word(b: u8, before: bool) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (before && b == b'.')
}

/// The whitespace- and quote-delimited token of `text` that holds the first occurrence of `needle`.
fn token_around<'t>(text: &'t str, needle: &str) -> Option<&'t str> {
    let at = text.find(needle)?;
    let is_delimiter = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '<' | '>' | '\\');
    let start = text[..at].rfind(is_delimiter).map_or(0, |i| i + 1);
    let end = text[at..].find(is_delimiter).map_or(text.len(), |i| at + i);
    Some(&text[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snapshot(environment: &str, account: &str, resources: serde_json::Value) -> Snapshot {
        let doc = json!({
            "schema": "envparity/snapshot/v1", "environment": environment,
            "collected_at": "2026-11-27T12:00:00Z",
            "sources": [{"provider": "aws", "service": "rds", "account": account, "region": "eu-west-1",
                         "status": "complete", "resources": 1}],
            "resources": resources,
        });
        envparity_model::snapshot::parse(doc.to_string().as_bytes(), "t.json".as_ref()).unwrap()
    }

    #[test]
    fn endpoints_and_accounts_are_found_as_whole_words_only() {
        let prod = snapshot(
            "prod",
            "222222222222",
            json!([{"kind": "aws.rds.instance", "name": "orders-prod-db", "account": "222222222222",
                    "id": "arn:aws:rds:eu-west-1:222222222222:db:orders-prod-db",
                    "identifiers": ["orders-prod-db.abc.eu-west-1.rds.amazonaws.com"]}]),
        );
        let staging = snapshot("staging", "111111111111", json!([]));
        let ids = Identifiers::of(&prod, &staging).unwrap();
        let names = |text: &str| {
            ids.find(text, &mut Vec::new())
                .into_iter()
                .map(|h| h.names)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names("postgres://app:<redacted>@orders-prod-db.abc.eu-west-1.rds.amazonaws.com:5432/app"),
            ["aws.rds.instance orders-prod-db: orders-prod-db.abc.eu-west-1.rds.amazonaws.com"]
        );
        assert_eq!(
            names("\"arn:aws:rds:eu-west-1:222222222222:db:orders-prod-db\""),
            ["aws.rds.instance orders-prod-db (account 222222222222)"]
        );
        assert_eq!(
            names("arn:aws:sqs:eu-west-1:222222222222:jobs"),
            ["account 222222222222"]
        );
        assert!(names("x.orders-prod-db.abc.eu-west-1.rds.amazonaws.com").is_empty());
        assert!(names("orders-prod-db.abc.eu-west-1.rds.amazonaws.com-replica").is_empty());
        assert!(names("12222222222223").is_empty());
    }

    #[test]
    fn identifiers_both_sides_hold_are_not_looked_for() {
        let shared = json!([{"kind": "aws.rds.instance", "name": "orders-prod-db", "account": "333333333333",
                             "id": "arn:aws:rds:eu-west-1:333333333333:db:orders-prod-db",
                             "identifiers": ["shared-cache.internal.example"]}]);
        let prod = snapshot("prod", "333333333333", shared.clone());
        let mut staging_resources = shared;
        staging_resources[0]["name"] = json!("orders-staging-db");
        staging_resources[0]["id"] = json!("arn:aws:rds:eu-west-1:333333333333:db:orders-staging-db");
        let staging = snapshot("staging", "333333333333", staging_resources);
        let ids = Identifiers::of(&prod, &staging).unwrap();
        // One account, one shared endpoint: only prod's own ARN remains.
        assert!(
            ids.find("shared-cache.internal.example 333333333333", &mut Vec::new())
                .is_empty()
        );
        assert_eq!(
            ids.find(
                "arn:aws:rds:eu-west-1:333333333333:db:orders-prod-db",
                &mut Vec::new()
            )[0]
            .names,
            "aws.rds.instance orders-prod-db: arn:aws:rds:eu-west-1:333333333333:db:orders-prod-db"
        );
    }
}
