//! The one way out: every text a collector put into a snapshot passes [`check`] before the snapshot leaves
//! collection, whichever collector made it and whatever field holds it. A new source inherits it by producing
//! resources at all.
//!
//! Collectors redact what they know to be secret by name (an environment variable `DB_PASSWORD`, a SecureString);
//! this pass judges by content alone: tokens, passwords inside URLs, command lines, connection strings, property
//! lines and embedded JSON, in attributes, tags, names, identifiers, kinds, accounts, regions, an organisation's
//! account names and gap messages alike.

use std::borrow::Cow;

use super::secrets::{self, Redactor};
use envparity_model::snapshot::{Attributes, Snapshot};

/// Masks or redacts every secret the snapshot's texts hold.
pub fn check(snapshot: &mut Snapshot, redactor: &Redactor) {
    let text = |s: &mut String| {
        if let Cow::Owned(masked) = redactor.scrub_text(s) {
            *s = masked;
        }
    };
    for r in &mut snapshot.resources {
        // A kind holds data too (`terraform.TYPE`, a custom resource's kind), as an account and a region read
        // from an ARN do. A kind masked here is no longer one a snapshot may hold: collection takes the resource
        // out as a gap.
        text(&mut r.kind);
        for field in [&mut r.key, &mut r.name, &mut r.id, &mut r.account, &mut r.region]
            .into_iter()
            .flatten()
        {
            text(field);
        }
        r.identifiers.iter_mut().for_each(text);
        for (key, value) in r.tags.values_mut() {
            if let Cow::Owned(masked) = redactor.tag(key, value) {
                *value = masked;
            }
        }
        // Most attributes hold nothing to scrub, which their text tells without parsing it.
        if !secrets::scrub_keeps(r.attributes.text()) {
            let attributes = r
                .attributes
                .parse()
                .into_iter()
                .map(|(k, v)| (k, redactor.scrub(v)))
                .collect();
            // Scrubbing only replaces values by shallower ones, so the attributes stay as readable as they were.
            r.attributes = Attributes::from_map(&attributes);
        }
    }
    for gap in &mut snapshot.gaps {
        text(&mut gap.error);
        gap.account.iter_mut().chain(&mut gap.region).for_each(text);
    }
    for source in &mut snapshot.sources {
        source.empty.iter_mut().for_each(text);
        source.account.iter_mut().chain(&mut source.region).for_each(text);
    }
    for unaudited in &mut snapshot.unaudited {
        text(&mut unaudited.resource_type);
        unaudited
            .account
            .iter_mut()
            .chain(&mut unaudited.region)
            .for_each(text);
    }
    // An organisation's accounts are named by whoever administers them.
    for account in snapshot.fleet.iter_mut().flat_map(|f| &mut f.accounts) {
        account
            .name
            .iter_mut()
            .chain(&mut account.organizational_unit)
            .for_each(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use envparity_model::snapshot::{Gap, Resource};
    use serde_json::json;

    const PRIVATE_KEY: &str =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Qm9vLx2TzqZ3kP\n-----END RSA PRIVATE KEY-----";

    #[test]
    fn a_private_key_in_any_text_of_a_resource_or_a_gap_is_masked() {
        let mut snapshot = Snapshot::new("prod", "2026-12-07T00:00:00Z");
        snapshot.resources.push(
            serde_json::from_value::<Resource>(json!({
                "kind": format!("terraform.{PRIVATE_KEY}"),
                "name": PRIVATE_KEY,
                "id": PRIVATE_KEY,
                "account": PRIVATE_KEY,
                "region": PRIVATE_KEY,
                "identifiers": [PRIVATE_KEY],
                "tags": {"Note": PRIVATE_KEY},
                "attributes": {"note": PRIVATE_KEY},
            }))
            .unwrap(),
        );
        snapshot.gaps.push(Gap {
            provider: "aws".into(),
            service: "sqs".into(),
            account: Some(PRIVATE_KEY.into()),
            region: Some(PRIVATE_KEY.into()),
            kinds: vec!["aws.sqs.queue".into()],
            error: PRIVATE_KEY.into(),
        });
        let at = json!({"account": PRIVATE_KEY, "region": PRIVATE_KEY});
        snapshot.sources.push(
            serde_json::from_value(json!({"provider": "aws", "service": "sqs", "status": "complete",
                "empty": [PRIVATE_KEY], "account": at["account"], "region": at["region"]}))
            .unwrap(),
        );
        snapshot.unaudited.push(
            serde_json::from_value(json!({"provider": "aws", "type": PRIVATE_KEY, "count": 1,
                "account": at["account"], "region": at["region"]}))
            .unwrap(),
        );
        snapshot.fleet = Some(
            serde_json::from_value(json!({"accounts": [{"id": "111111111111", "name": PRIVATE_KEY,
                "organizational_unit": PRIVATE_KEY}], "regions": ["eu-west-1"]}))
            .unwrap(),
        );
        check(&mut snapshot, &Redactor::default());
        let text = serde_json::to_string(&snapshot).unwrap();
        assert!(!text.contains("MIIEow"), "{text}");
        assert!(!text.contains("BEGIN RSA"), "{text}");
    }
}
