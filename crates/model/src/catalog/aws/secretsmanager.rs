//! Secrets Manager secrets (`aws.secretsmanager.secret`): that they exist, how they rotate, which key encrypts
//! them. Never the value, unless `decrypt_secrets` is set: then a fingerprint of it, read twenty at a time with
//! BatchGetSecretValue.

use crate::catalog::Kind;
use crate::catalog::typed::{OrNull, Secret, Typed};

crate::attributes! {
    /// The attributes of `aws.secretsmanager.secret`.
    pub struct ManagedSecret {
        /// How often the secret rotates: every N days, a schedule expression, or null when it does not.
        pub rotation: OrNull<String>,
        /// aws/secretsmanager (the AWS managed key), an alias by logical key, or customer-managed when the secret
        /// names its key by id.
        pub kms_key: String,
        /// Only with decrypt_secrets: the redacted value with its fingerprint.
        pub value: Option<Secret>,
    }
}

/// `aws.secretsmanager.secret`.
pub const SECRET: Kind = Kind {
    name: "aws.secretsmanager.secret",
    provider: "aws",
    service: "secretsmanager",
    tagged: true,
    tagging_types: &["secretsmanager:secret"],
    doc: "A Secrets Manager secret: rotation and encryption; its value only as a fingerprint, when decryption is asked for.",
    attributes: Typed::of::<ManagedSecret>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[SECRET];
