//! AWS Lambda: functions.

use std::collections::HashMap;

use serde_json::Value;

use super::{first, int, strings, text};

pub(super) fn function(a: &Value) -> aws_sdk_lambda::types::FunctionConfiguration {
    use aws_sdk_lambda::types as lambda;
    let variables = first(a, "environment")
        .and_then(|e| e.get("variables"))
        .and_then(Value::as_object)
        .map(|vars| {
            vars.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect::<HashMap<String, String>>()
        });
    lambda::FunctionConfiguration::builder()
        .set_runtime(text(a, "runtime").map(lambda::Runtime::from))
        .set_architectures(Some(
            strings(a, "architectures")
                .into_iter()
                .map(lambda::Architecture::from)
                .collect(),
        ))
        .set_handler(text(a, "handler").map(str::to_owned))
        .set_memory_size(int(a, "memory_size"))
        .set_timeout(int(a, "timeout"))
        .set_ephemeral_storage(
            first(a, "ephemeral_storage")
                .and_then(|e| int(e, "size"))
                .and_then(|size| lambda::EphemeralStorage::builder().size(size).build().ok()),
        )
        .set_environment(variables.map(|v| {
            lambda::EnvironmentResponse::builder()
                .set_variables(Some(v))
                .build()
        }))
        .set_layers(Some(
            strings(a, "layers")
                .into_iter()
                .map(|arn| lambda::Layer::builder().arn(arn).build())
                .collect(),
        ))
        .set_tracing_config(first(a, "tracing_config").and_then(|t| text(t, "mode")).map(|m| {
            lambda::TracingConfigResponse::builder()
                .mode(lambda::TracingMode::from(m))
                .build()
        }))
        .set_dead_letter_config(
            first(a, "dead_letter_config")
                .and_then(|d| text(d, "target_arn"))
                .map(|arn| lambda::DeadLetterConfig::builder().target_arn(arn).build()),
        )
        .build()
}
