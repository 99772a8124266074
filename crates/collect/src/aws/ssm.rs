//! SSM Parameter Store (`aws.ssm.parameter`): every parameter under the environment's `ssm_paths`.
//!
//! SecureString values are read only when decryption is asked for, and even then stored only as a fingerprint.
//! String values whose names look secret are treated the same way.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_ssm::Client;
use aws_sdk_ssm::types::{ParameterMetadata, ParameterStringFilter, ParameterType};
use serde_json::Value;

use super::{RegionContext, each};
use crate::CollectError;
use crate::secrets::Redactor;
use envparity_model::catalog::aws::ssm::{PARAMETER, Parameter};
use envparity_model::catalog::typed::Secret;

use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_ssm, ctx);
    let paths: Vec<String> = ctx
        .env
        .ssm_paths_in(&ctx.region)
        .iter()
        .map(|p| ctx.env.expand(p))
        .collect();
    let per_path = each(ctx, &paths, |path| read_path(ctx, &client, path)).await?;
    for (path, found) in paths.iter().zip(&per_path) {
        if found.is_empty() {
            ctx.found_nothing_in(path);
        }
    }
    Ok(per_path.into_iter().flatten().collect())
}

/// Every parameter under one path: its metadata and its values, read side by side.
async fn read_path(
    ctx: &RegionContext<'_>,
    client: &Client,
    path: &str,
) -> Result<Vec<Resource>, CollectError> {
    let decrypt = ctx.settings.decrypt_secrets;
    let filter = ParameterStringFilter::builder()
        .key("Path")
        .option("Recursive")
        .values(path)
        .build()
        .expect("key is set");
    let (metadata, values) = tokio::try_join!(
        ctx.pages(
            "DescribeParameters",
            client
                .describe_parameters()
                .parameter_filters(filter)
                .max_results(50)
                .into_paginator()
                .send(),
        ),
        ctx.pages(
            "GetParametersByPath",
            client
                .get_parameters_by_path()
                .path(path)
                .recursive(true)
                .with_decryption(decrypt)
                .max_results(10)
                .into_paginator()
                .send(),
        ),
    )?;
    let values: HashMap<&str, &str> = values
        .iter()
        .flat_map(|p| p.parameters())
        .filter_map(|p| Some((p.name()?, p.value()?)))
        .collect();

    let mut out = Vec::new();
    for m in metadata.iter().flat_map(|p| p.parameters()) {
        let name = m.name().unwrap_or_default();
        let plain = values.get(name).copied();
        let attributes = parameter_attributes(m, plain, decrypt, ctx.redactor);
        out.push(ctx.resource(PARAMETER.name, name, m.arn(), BTreeMap::new(), attributes));
    }
    Ok(out)
}

/// A parameter's attributes from its metadata and the value GetParametersByPath returned (decrypted only when
/// `decrypt`): a SecureString's value is only ever a fingerprint, and any value passes the redactor. No call: the
/// conversion alone, tested without AWS.
pub(crate) fn parameter_attributes(m: &ParameterMetadata, plain: Option<&str>, decrypt: bool, redactor: &Redactor) -> Parameter {
    let name = m.name().unwrap_or_default();
    let kind = m.r#type();
    let value = match kind {
        // Without decryption the value is ciphertext (or worse): never stored.
        Some(ParameterType::SecureString) => redactor.redact(plain.filter(|_| decrypt)),
        Some(ParameterType::StringList) => {
            let items: Vec<&str> = plain.unwrap_or_default().split(',').collect();
            redactor.list(name, &items)
        }
        _ => plain.map_or(Value::Null, |plain| redactor.named(name, plain)),
    };
    Parameter {
        r#type: kind.map(|t| t.as_str().to_owned()),
        tier: m.tier().map(|t| t.as_str().to_owned()),
        data_type: m.data_type().map(str::to_owned),
        value: Secret(value),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parameter_attributes_never_hold_a_secure_string_s_value() {
        let metadata = |name: &str, kind: ParameterType| ParameterMetadata::builder().name(name).r#type(kind).build();
        let redactor = Redactor::new(None);
        let secure = metadata("/shop/prod/DB_URL", ParameterType::SecureString);
        for decrypt in [false, true] {
            let value = serde_json::to_value(parameter_attributes(&secure, Some("postgres://x"), decrypt, &redactor))
                .unwrap();
            assert_eq!(value["value"]["redacted"], true, "{value}");
            assert!(!value.to_string().contains("postgres://x"), "{value}");
        }
        let plain = metadata("/shop/prod/LOG_LEVEL", ParameterType::String);
        let value = serde_json::to_value(parameter_attributes(&plain, Some("info"), false, &redactor)).unwrap();
        assert_eq!(value, json!({"type": "String", "value": "info"}));
        let list = metadata("/shop/prod/REGIONS", ParameterType::StringList);
        let value = serde_json::to_value(parameter_attributes(&list, Some("eu-west-1,us-east-1"), false, &redactor))
            .unwrap();
        assert_eq!(value["value"], json!(["eu-west-1", "us-east-1"]));
    }
}
