//! Lambda functions (`aws.lambda.function`) with their event source mappings.

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[Kind {
    name: "aws.lambda.function",
    provider: "aws",
    service: "lambda",
    tagged: true,
    tagging_types: &["lambda:function"],
    doc: "A Lambda function with its configuration and the event sources that invoke it.",
    fields: &[
        Field {
            path: "runtime",
            ty: FieldType::String,
            doc: "The runtime, such as python3.12 (null for container images).",
        },
        Field {
            path: "architectures",
            ty: FieldType::List,
            doc: "x86_64 or arm64.",
        },
        Field {
            path: "handler",
            ty: FieldType::String,
            doc: "The function's entry point.",
        },
        Field {
            path: "memory_mb",
            ty: FieldType::Integer,
            doc: "Memory in MB (CPU scales with it).",
        },
        Field {
            path: "timeout_seconds",
            ty: FieldType::Integer,
            doc: "How long one invocation may run.",
        },
        Field {
            path: "ephemeral_storage_mb",
            ty: FieldType::Integer,
            doc: "The size of /tmp in MB.",
        },
        Field {
            path: "environment_names",
            ty: FieldType::List,
            doc: "The names of its environment variables.",
        },
        Field {
            path: "environment",
            ty: FieldType::Map(&[]),
            doc: "Its environment variables, name -> value; secrets redacted by name or content.",
        },
        Field {
            path: "layers",
            ty: FieldType::List,
            doc: "Its layers by name and version (`name:3`), without account or region.",
        },
        Field {
            path: "reserved_concurrency",
            ty: FieldType::Integer,
            doc: "Reserved concurrent executions, or null when unreserved.",
        },
        Field {
            path: "tracing",
            ty: FieldType::String,
            doc: "X-Ray tracing: Active or PassThrough.",
        },
        Field {
            path: "dead_letter_target_kind",
            ty: FieldType::String,
            doc: "The kind of its dead-letter target (sqs or sns), or null.",
        },
        Field {
            path: "event_sources",
            ty: FieldType::List,
            doc: "What invokes it: per mapping, the source's kind and key, batch size, batching window, enabled.",
        },
    ],
}];
