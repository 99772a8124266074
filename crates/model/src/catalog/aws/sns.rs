//! SNS topics (`aws.sns.topic`) with their subscriptions.

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[Kind {
    name: "aws.sns.topic",
    provider: "aws",
    service: "sns",
    tagged: true,
    tagging_types: &["sns"],
    doc: "An SNS topic with its delivery settings and subscriptions.",
    fields: &[
        Field {
            path: "fifo",
            ty: FieldType::Boolean,
            doc: "Whether the topic is FIFO.",
        },
        Field {
            path: "content_based_deduplication",
            ty: FieldType::Boolean,
            doc: "For FIFO topics: whether duplicates are found by content.",
        },
        Field {
            path: "encryption",
            ty: FieldType::String,
            doc: "none or kms.",
        },
        Field {
            path: "encrypted",
            ty: FieldType::Boolean,
            doc: "Whether messages are encrypted at rest.",
        },
        Field {
            path: "delivery_policy",
            ty: FieldType::Map(&["http"]),
            doc: "The HTTP delivery retry policy, as set on the topic.",
        },
        Field {
            path: "subscriptions",
            ty: FieldType::List,
            doc: "PROTOCOL:TARGET, the target by logical key (a queue or function name, a URL with its \
                  environment token replaced).",
        },
    ],
}];
