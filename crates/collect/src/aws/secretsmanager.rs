//! Secrets Manager secrets (`aws.secretsmanager.secret`): that they exist, how they rotate, which key encrypts
//! them. Never the value, unless `decrypt_secrets` is set: then a fingerprint of it, read twenty at a time with
//! BatchGetSecretValue.

use std::collections::HashMap;

use aws_sdk_secretsmanager::types::SecretListEntry;

use super::{RegionContext, each, tag_map};
use crate::CollectError;
use envparity_model::catalog::aws::secretsmanager::{ManagedSecret, SECRET};
use envparity_model::catalog::typed::Secret;
use envparity_model::snapshot::Resource;

/// BatchGetSecretValue takes at most this many secrets per call.
const VALUE_BATCH: usize = 20;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_secretsmanager, ctx);
    let pages = ctx
        .pages("ListSecrets", client.list_secrets().max_results(100).into_paginator().send())
        .await?;
    let secrets: Vec<&SecretListEntry> = pages.iter().flat_map(|p| p.secret_list()).collect();

    let mut values: HashMap<String, Option<String>> = HashMap::new();
    if ctx.settings.decrypt_secrets {
        let arns: Vec<String> = secrets.iter().filter_map(|s| s.arn()).map(str::to_owned).collect();
        let batches: Vec<&[String]> = arns.chunks(VALUE_BATCH).collect();
        let found = each(ctx, &batches, |batch| {
            ctx.send(
                "BatchGetSecretValue",
                client.batch_get_secret_value().set_secret_id_list(Some(batch.to_vec())).send(),
            )
        })
        .await?;
        for page in &found {
            // A secret whose value could not be read is not half-known: the whole service is a gap.
            if let Some(e) = page.errors().first() {
                return Err(CollectError {
                    code: e.error_code().map(str::to_owned),
                    message: format!(
                        "BatchGetSecretValue: {}: {}",
                        e.secret_id().unwrap_or_default(),
                        e.message().unwrap_or_default()
                    ),
                });
            }
            for v in page.secret_values() {
                let plain = v.secret_string().map(str::to_owned).or_else(|| {
                    v.secret_binary().map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
                });
                values.insert(v.arn().unwrap_or_default().to_owned(), plain);
            }
        }
    }

    Ok(secrets
        .iter()
        .map(|s| {
            let value = ctx.settings.decrypt_secrets.then(|| {
                let plain = s.arn().and_then(|arn| values.get(arn)).and_then(Option::as_deref);
                ctx.redactor.redact(plain)
            });
            let attributes = ManagedSecret {
                rotation: rotation(s).into(),
                kms_key: kms_key(s.kms_key_id(), |alias| ctx.key_of_name(alias)),
                value: value.map(Secret),
            };
            let tags = tag_map(s.tags().iter().map(|t| (t.key(), t.value())));
            ctx.resource(
                SECRET.name,
                s.name().unwrap_or_default(),
                s.arn(),
                tags,
                attributes,
            )
        })
        .collect())
}

/// The key that encrypts a secret, comparable across accounts: the AWS managed key, an alias by logical key, or
/// `customer-managed` for a key named by id or ARN (ids differ between accounts by design).
pub(crate) fn kms_key(key: Option<&str>, key_of: impl Fn(&str) -> String) -> String {
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return "aws/secretsmanager".to_owned();
    };
    match key.split_once("alias/") {
        Some((_, alias)) => key_of(alias),
        None => "customer-managed".to_owned(),
    }
}

/// How a secret rotates, from ListSecrets' entry: its schedule, every N days, `enabled` when the rules say
/// neither, or null when it does not rotate. No call: tested without AWS.
pub(crate) fn rotation(s: &SecretListEntry) -> Option<String> {
    match (s.rotation_enabled().unwrap_or(false), s.rotation_rules()) {
        (false, _) => None,
        (true, Some(r)) if r.schedule_expression().is_some() => r.schedule_expression().map(str::to_owned),
        (true, Some(r)) if r.automatically_after_days().is_some() => Some(format!(
            "every {} days",
            r.automatically_after_days().unwrap_or_default()
        )),
        (true, _) => Some("enabled".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_secretsmanager::types::RotationRulesType;

    use super::*;

    #[test]
    fn rotation_from_what_list_secrets_returns() {
        let entry = |enabled: bool, rules: Option<RotationRulesType>| {
            SecretListEntry::builder()
                .rotation_enabled(enabled)
                .set_rotation_rules(rules)
                .build()
        };
        let days = RotationRulesType::builder().automatically_after_days(30).build();
        let schedule = RotationRulesType::builder()
            .schedule_expression("rate(10 days)")
            .automatically_after_days(10)
            .build();
        let rotation = |s: &SecretListEntry| super::rotation(s).unwrap_or_else(|| "null".to_owned());
        assert_eq!(rotation(&entry(true, Some(days.clone()))), "every 30 days");
        assert_eq!(rotation(&entry(true, Some(schedule))), "rate(10 days)");
        assert_eq!(rotation(&entry(true, None)), "enabled");
        assert_eq!(rotation(&entry(false, Some(days))), "null");
        assert_eq!(rotation(&SecretListEntry::builder().build()), "null");
    }
}
