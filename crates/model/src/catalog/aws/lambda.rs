//! Lambda functions (`aws.lambda.function`) with their event source mappings.

use serde_json::Value;

use crate::catalog::Kind;
use crate::catalog::typed::{Map, OrNull, Typed};

crate::attributes! {
    /// The attributes of `aws.lambda.function`.
    pub struct Function {
        /// The runtime, such as python3.12 (null for container images).
        pub runtime: OrNull<String>,
        /// x86_64 or arm64.
        pub architectures: Vec<String>,
        /// The function's entry point.
        pub handler: Option<String>,
        /// Memory in MB (CPU scales with it).
        pub memory_mb: Option<i32>,
        /// How long one invocation may run.
        pub timeout_seconds: Option<i32>,
        /// The size of /tmp in MB.
        pub ephemeral_storage_mb: Option<i32>,
        /// The names of its environment variables.
        pub environment_names: Vec<String>,
        /// Its environment variables, name -> value; secrets redacted by name or content.
        pub environment: Map,
        /// Its layers by name and version (`name:3`), without account or region.
        pub layers: Vec<String>,
        /// Reserved concurrent executions, or null when unreserved.
        pub reserved_concurrency: OrNull<i32>,
        /// X-Ray tracing: Active or PassThrough.
        pub tracing: Option<String>,
        /// The kind of its dead-letter target (sqs or sns), or null.
        pub dead_letter_target_kind: OrNull<String>,
        /// What invokes it: per mapping, the source's kind and key, batch size, batching window, enabled.
        pub event_sources: Vec<Value>,
    }
}

/// `aws.lambda.function`.
pub const FUNCTION: Kind = Kind {
    name: "aws.lambda.function",
    provider: "aws",
    service: "lambda",
    tagged: true,
    tagging_types: &["lambda:function"],
    doc: "A Lambda function with its configuration and the event sources that invoke it.",
    attributes: Typed::of::<Function>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[FUNCTION];
