//! SSM Parameter Store (`aws.ssm.parameter`): every parameter under the environment's `ssm_paths`.

use crate::catalog::Kind;
use crate::catalog::typed::{Secret, Typed};

crate::attributes! {
    /// The attributes of `aws.ssm.parameter`.
    pub struct Parameter {
        /// String, StringList or SecureString.
        pub r#type as "type": Option<String>,
        /// Standard, Advanced or Intelligent-Tiering.
        pub tier: Option<String>,
        /// text or aws:ec2:image.
        pub data_type: Option<String>,
        /// The value (a list for StringList); redacted for SecureStrings and for names or contents that look secret
        /// (a URL keeps all but its password).
        pub value: Secret,
    }
}

/// `aws.ssm.parameter`.
pub const PARAMETER: Kind = Kind {
    name: "aws.ssm.parameter",
    provider: "aws",
    service: "ssm",
    tagged: false,
    tagging_types: &["ssm:parameter"],
    doc: "An SSM parameter under one of the environment's ssm_paths.",
    attributes: Typed::of::<Parameter>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[PARAMETER];
