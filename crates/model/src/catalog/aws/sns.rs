//! SNS topics (`aws.sns.topic`) with their subscriptions.

use crate::catalog::Kind;
use crate::catalog::typed::{Map, OrNull, Typed};

crate::attributes! {
    /// The attributes of `aws.sns.topic`.
    pub struct Topic {
        /// Whether the topic is FIFO.
        pub fifo: bool,
        /// For FIFO topics: whether duplicates are found by content.
        pub content_based_deduplication: bool,
        /// none or kms.
        pub encryption: String,
        /// Whether messages are encrypted at rest.
        pub encrypted: bool,
        /// The HTTP delivery retry policy, as set on the topic.
        #[keys = &["http"]]
        pub delivery_policy: OrNull<Map>,
        /// PROTOCOL:TARGET, the target by logical key (a queue or function name, a URL with its environment token
        /// replaced).
        pub subscriptions: Vec<String>,
    }
}

/// `aws.sns.topic`.
pub const TOPIC: Kind = Kind {
    name: "aws.sns.topic",
    provider: "aws",
    service: "sns",
    tagged: true,
    tagging_types: &["sns"],
    doc: "An SNS topic with its delivery settings and subscriptions.",
    attributes: Typed::of::<Topic>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[TOPIC];
