//! SQS queues (`aws.sqs.queue`).

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[Kind {
    name: "aws.sqs.queue",
    provider: "aws",
    service: "sqs",
    tagged: true,
    tagging_types: &["sqs"],
    doc: "An SQS queue with its delivery settings and dead-letter policy.",
    fields: &[
        Field {
            path: "visibility_timeout_seconds",
            ty: FieldType::Integer,
            doc: "How long a received message stays hidden; must outlast the consumer's processing time.",
        },
        Field {
            path: "message_retention_seconds",
            ty: FieldType::Integer,
            doc: "How long an unread message is kept.",
        },
        Field {
            path: "maximum_message_size",
            ty: FieldType::Integer,
            doc: "The largest message accepted, in bytes.",
        },
        Field {
            path: "delay_seconds",
            ty: FieldType::Integer,
            doc: "How long a new message waits before it can be received.",
        },
        Field {
            path: "receive_wait_time_seconds",
            ty: FieldType::Integer,
            doc: "Long polling: how long a receive waits for messages.",
        },
        Field {
            path: "fifo",
            ty: FieldType::Boolean,
            doc: "Whether the queue is FIFO (ordered, exactly-once).",
        },
        Field {
            path: "content_based_deduplication",
            ty: FieldType::Boolean,
            doc: "For FIFO queues: whether duplicates are found by content.",
        },
        Field {
            path: "encryption",
            ty: FieldType::String,
            doc: "none, sse-sqs (keys SQS manages) or kms (a KMS key).",
        },
        Field {
            path: "encrypted",
            ty: FieldType::Boolean,
            doc: "Whether messages are encrypted at rest (either way).",
        },
        Field {
            path: "dead_letter_target",
            ty: FieldType::String,
            doc: "The dead-letter queue by logical key, or null.",
        },
        Field {
            path: "max_receive_count",
            ty: FieldType::Integer,
            doc: "Receives before a message moves to the dead-letter queue.",
        },
    ],
}];
