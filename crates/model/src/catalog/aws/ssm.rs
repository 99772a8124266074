//! SSM Parameter Store (`aws.ssm.parameter`): every parameter under the environment's `ssm_paths`.

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[Kind {
    name: "aws.ssm.parameter",
    provider: "aws",
    service: "ssm",
    tagged: false,
    tagging_types: &["ssm:parameter"],
    doc: "An SSM parameter under one of the environment's ssm_paths.",
    fields: &[
        Field {
            path: "type",
            ty: FieldType::String,
            doc: "String, StringList or SecureString.",
        },
        Field {
            path: "tier",
            ty: FieldType::String,
            doc: "Standard, Advanced or Intelligent-Tiering.",
        },
        Field {
            path: "data_type",
            ty: FieldType::String,
            doc: "text or aws:ec2:image.",
        },
        Field {
            path: "value",
            ty: FieldType::Secret,
            doc: "The value (a list for StringList); redacted for SecureStrings and for names or contents that look secret (a URL keeps all but its password).",
        },
    ],
}];
