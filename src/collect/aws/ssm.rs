//! SSM Parameter Store (`aws.ssm.parameter`): every parameter under the environment's `ssm_paths`.
//!
//! SecureString values are read only when decryption is asked for, and even then stored only as a fingerprint.
//! String values whose names look secret are treated the same way.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_ssm::Client;
use aws_sdk_ssm::types::{ParameterStringFilter, ParameterType};
use serde_json::Value;

use super::{RegionContext, attrs};
use crate::collect::CollectError;
use crate::collect::secrets::{looks_secret, redact};
use crate::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = Client::new(&ctx.sdk);
    let decrypt = ctx.settings.decrypt_secrets;
    let mut out = Vec::new();
    for template in &ctx.env.ssm_paths {
        let path = ctx.env.expand(template);
        let filter = ParameterStringFilter::builder()
            .key("Path")
            .option("Recursive")
            .values(path.clone())
            .build()
            .expect("key is set");
        let metadata = ctx
            .pages(
                "DescribeParameters",
                client
                    .describe_parameters()
                    .parameter_filters(filter)
                    .max_results(50)
                    .into_paginator()
                    .send(),
            )
            .await?;
        let values = ctx
            .pages(
                "GetParametersByPath",
                client
                    .get_parameters_by_path()
                    .path(path)
                    .recursive(true)
                    .with_decryption(decrypt)
                    .max_results(10)
                    .into_paginator()
                    .send(),
            )
            .await?;
        let values: HashMap<&str, &str> = values
            .iter()
            .flat_map(|p| p.parameters())
            .filter_map(|p| Some((p.name()?, p.value()?)))
            .collect();

        for m in metadata.iter().flat_map(|p| p.parameters()) {
            let name = m.name().unwrap_or_default();
            let kind = m.r#type();
            let plain = values.get(name).copied();
            let value = match kind {
                // Without decryption the value is ciphertext (or worse): never stored.
                Some(ParameterType::SecureString) => redact(plain.filter(|_| decrypt), ctx.fingerprint_key),
                _ if looks_secret(name) => redact(plain, ctx.fingerprint_key),
                Some(ParameterType::StringList) => Value::from(
                    plain
                        .unwrap_or_default()
                        .split(',')
                        .map(str::to_owned)
                        .collect::<Vec<_>>(),
                ),
                _ => plain.map_or(Value::Null, Value::from),
            };
            let attributes = attrs([
                ("type", kind.map(|t| Value::from(t.as_str()))),
                ("tier", m.tier().map(|t| Value::from(t.as_str()))),
                ("data_type", m.data_type().map(Value::from)),
                ("value", Some(value)),
            ]);
            out.push(ctx.resource("aws.ssm.parameter", name, m.arn(), BTreeMap::new(), attributes));
        }
    }
    Ok(out)
}
