//! Lambda functions (`aws.lambda.function`) with their event source mappings.
//!
//! ListFunctions carries nearly everything; reserved concurrency has no batch call: one GetFunctionConcurrency per
//! function, side by side. Event source mappings are listed once per region. Tags, when a filter needs them, come
//! from the region's tagging API, a hundred at a time.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_lambda::types::FunctionConfiguration;
use serde_json::{Value, json};

use super::{RegionContext, each, string_set, tags_of, service_and_name};
use crate::CollectError;
use crate::secrets::Redactor;
use envparity_model::catalog::aws::lambda::{FUNCTION, Function};
use envparity_model::snapshot::Resource;

pub(super) async fn collect(ctx: &RegionContext<'_>) -> Result<Vec<Resource>, CollectError> {
    let client = client!(aws_sdk_lambda, ctx);
    let (pages, mappings) = tokio::try_join!(
        ctx.pages(
            "ListFunctions",
            client.list_functions().max_items(50).into_paginator().send()
        ),
        ctx.pages(
            "ListEventSourceMappings",
            client.list_event_source_mappings().max_items(100).into_paginator().send()
        ),
    )?;
    let functions: Vec<&FunctionConfiguration> = pages.iter().flat_map(|p| p.functions()).collect();
    let names: Vec<&str> = functions.iter().filter_map(|f| f.function_name()).collect();
    let concurrency = async {
        each(ctx, &names, |name| {
            ctx.send(
                "GetFunctionConcurrency",
                client.get_function_concurrency().function_name(*name).send(),
            )
        })
        .await
    };
    let (concurrency, tags) = tokio::try_join!(concurrency, ctx.tags_if_needed())?;

    // What invokes each function, by the function's ARN.
    let mut sources: HashMap<&str, Vec<Value>> = HashMap::new();
    for m in mappings.iter().flat_map(|p| p.event_source_mappings()) {
        let Some(function) = m.function_arn() else { continue };
        sources.entry(function).or_default().push(event_source(
            m.event_source_arn(),
            m.batch_size(),
            m.maximum_batching_window_in_seconds(),
            m.state().map(|s| matches!(s, "Enabled" | "Enabling" | "Creating" | "Updating")),
            |name| ctx.key_of_name(name),
        ));
    }

    let mut out = Vec::new();
    for (f, concurrency) in functions.iter().zip(concurrency) {
        let name = f.function_name().unwrap_or_default();
        let event_sources = f.function_arn().and_then(|a| sources.remove(a)).unwrap_or_default();
        let reserved = concurrency.reserved_concurrent_executions();
        let attributes = function_attributes(f, reserved, event_sources, ctx.redactor, |name| ctx.key_of_name(name));
        let tags = tags_of(tags, f.function_arn());
        out.push(ctx.resource(FUNCTION.name, name, f.function_arn(), tags, attributes));
    }
    Ok(out)
}

/// What invokes a function, as compared: the source's service and logical key (`key_of` gives one from a name),
/// its batching, whether it is enabled.
pub(crate) fn event_source(
    source_arn: Option<&str>,
    batch_size: Option<i32>,
    batching_window_seconds: Option<i32>,
    enabled: Option<bool>,
    key_of: impl Fn(&str) -> String,
) -> Value {
    let source = source_arn.and_then(service_and_name);
    json!({
        "source_kind": source.map(|(service, _)| service),
        "source": source.map(|(_, name)| key_of(name)),
        "batch_size": batch_size,
        "batching_window_seconds": batching_window_seconds,
        "enabled": enabled,
    })
}

/// A function's attributes from what ListFunctions returned, with its reserved concurrency and event sources;
/// environment values pass the redactor, and `key_of` gives a layer's logical key from its name. No call: the
/// conversion alone, tested without AWS.
pub(crate) fn function_attributes(
    f: &FunctionConfiguration,
    reserved_concurrency: Option<i32>,
    mut event_sources: Vec<Value>,
    redactor: &Redactor,
    key_of: impl Fn(&str) -> String,
) -> Function {
    let variables: BTreeMap<&str, &str> = f
        .environment()
        .and_then(|e| e.variables())
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // A layer by name and version: its ARN's account and region differ between environments by design.
    let layers = f.layers().iter().filter_map(|l| l.arn()).map(|arn| {
        let mut parts = arn.rsplit(':');
        let version = parts.next().unwrap_or_default();
        format!("{}:{version}", key_of(parts.next().unwrap_or_default()))
    });
    event_sources.sort_by_key(|s| s.to_string());
    Function {
        runtime: f.runtime().map(|r| r.as_str().to_owned()).into(),
        architectures: string_set(f.architectures().iter().map(|a| a.as_str().to_owned())),
        handler: f.handler().map(str::to_owned),
        memory_mb: f.memory_size(),
        timeout_seconds: f.timeout(),
        ephemeral_storage_mb: f.ephemeral_storage().map(|e| e.size()),
        environment_names: string_set(variables.keys().map(|k| (*k).to_owned())),
        environment: variables.iter().map(|(k, v)| ((*k).to_owned(), redactor.named(k, v))).collect(),
        layers: string_set(layers),
        reserved_concurrency: reserved_concurrency.into(),
        tracing: f.tracing_config().and_then(|t| t.mode()).map(|m| m.as_str().to_owned()),
        dead_letter_target_kind: f
            .dead_letter_config()
            .and_then(|d| d.target_arn())
            .and_then(service_and_name)
            .map(|(service, _)| service.to_owned())
            .into(),
        event_sources,
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_lambda::types::{DeadLetterConfig, EnvironmentResponse, Layer, Runtime};
    use serde_json::json;

    use super::*;

    #[test]
    fn function_attributes_from_what_lambda_returns() {
        let f = FunctionConfiguration::builder()
            .runtime(Runtime::Python312)
            .handler("app.handler")
            .memory_size(512)
            .timeout(30)
            .environment(
                EnvironmentResponse::builder()
                    .variables("LOG_LEVEL", "info")
                    .variables("DB_PASSWORD", "hunter2hunter2")
                    .build(),
            )
            .layers(Layer::builder().arn("arn:aws:lambda:eu-west-1:111111111111:layer:shared-prod:7").build())
            .dead_letter_config(DeadLetterConfig::builder().target_arn("arn:aws:sqs:eu-west-1:1:jobs-dlq").build())
            .build();
        let sources = vec![json!({"source": "b"}), json!({"source": "a"})];
        let attributes =
            function_attributes(&f, Some(5), sources, &Redactor::new(None), |name| name.replace("prod", "{env}"));
        let value = serde_json::to_value(&attributes).unwrap();
        assert_eq!(value["runtime"], "python3.12");
        assert_eq!(value["environment_names"], json!(["DB_PASSWORD", "LOG_LEVEL"]));
        assert_eq!(value["environment"]["LOG_LEVEL"], "info");
        assert_eq!(value["environment"]["DB_PASSWORD"]["redacted"], true, "a secret-looking name is redacted");
        assert_eq!(value["layers"], json!(["shared-{env}:7"]));
        assert_eq!(value["reserved_concurrency"], 5);
        assert_eq!(value["dead_letter_target_kind"], "sqs");
        assert_eq!(value["event_sources"], json!([{"source": "a"}, {"source": "b"}]));
        // No reserved concurrency is written as null; no dead-letter target likewise.
        let bare = function_attributes(&FunctionConfiguration::builder().build(), None, Vec::new(), &Redactor::new(None), str::to_owned);
        let bare = serde_json::to_value(&bare).unwrap();
        assert_eq!((&bare["reserved_concurrency"], &bare["dead_letter_target_kind"]), (&json!(null), &json!(null)));
    }
}
