//! SQS queues (`aws.sqs.queue`).

use crate::catalog::Kind;
use crate::catalog::typed::{OrNull, Typed};

crate::attributes! {
    /// The attributes of `aws.sqs.queue`.
    pub struct Queue {
        /// How long a received message stays hidden; must outlast the consumer's processing time.
        pub visibility_timeout_seconds: Option<u64>,
        /// How long an unread message is kept.
        pub message_retention_seconds: Option<u64>,
        /// The largest message accepted, in bytes.
        pub maximum_message_size: Option<u64>,
        /// How long a new message waits before it can be received.
        pub delay_seconds: Option<u64>,
        /// Long polling: how long a receive waits for messages.
        pub receive_wait_time_seconds: Option<u64>,
        /// Whether the queue is FIFO (ordered, exactly-once).
        pub fifo: bool,
        /// For FIFO queues: whether duplicates are found by content.
        pub content_based_deduplication: bool,
        /// none, sse-sqs (keys SQS manages) or kms (a KMS key).
        pub encryption: String,
        /// Whether messages are encrypted at rest (either way).
        pub encrypted: bool,
        /// The dead-letter queue by logical key, or null.
        pub dead_letter_target: OrNull<String>,
        /// Receives before a message moves to the dead-letter queue.
        pub max_receive_count: OrNull<u64>,
    }
}

/// `aws.sqs.queue`.
pub const QUEUE: Kind = Kind {
    name: "aws.sqs.queue",
    provider: "aws",
    service: "sqs",
    tagged: true,
    tagging_types: &["sqs"],
    doc: "An SQS queue with its delivery settings and dead-letter policy.",
    attributes: Typed::of::<Queue>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[QUEUE];
