//! EC2: standalone instances (`aws.ec2.instance`) and launch templates (`aws.ec2.launch_template`).

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "aws.ec2.instance",
        provider: "aws",
        service: "ec2",
        tagged: true,
        tagging_types: &["ec2:instance"],
        doc: "An EC2 instance that no Auto Scaling group launched (those fold into their group).",
        fields: &[
            Field {
                path: "instance_type",
                ty: FieldType::String,
                doc: "The instance type, such as m6i.large.",
            },
            Field {
                path: "architecture",
                ty: FieldType::String,
                doc: "x86_64 or arm64.",
            },
            Field {
                path: "ebs_optimized",
                ty: FieldType::Boolean,
                doc: "Whether the instance is EBS-optimized.",
            },
            Field {
                path: "monitoring",
                ty: FieldType::Boolean,
                doc: "Whether detailed monitoring is enabled.",
            },
            Field {
                path: "metadata.http_tokens",
                ty: FieldType::String,
                doc: "required (IMDSv2 only) or optional.",
            },
            Field {
                path: "security_groups",
                ty: FieldType::List,
                doc: "Its security groups by logical key, sorted.",
            },
            Field {
                path: "image",
                ty: FieldType::String,
                doc: "The AMI's name (not its id); null when the AMI can no longer be described.",
            },
            Field {
                path: "root_volume.type",
                ty: FieldType::String,
                doc: "The root volume's type, such as gp3.",
            },
            Field {
                path: "root_volume.size_gb",
                ty: FieldType::Integer,
                doc: "The root volume's size in GiB.",
            },
            Field {
                path: "root_volume.encrypted",
                ty: FieldType::Boolean,
                doc: "Whether the root volume is encrypted.",
            },
        ],
    },
    Kind {
        name: "aws.ec2.launch_template",
        provider: "aws",
        service: "ec2",
        tagged: true,
        tagging_types: &["ec2:launch-template"],
        doc: "A launch template's default version.",
        fields: &[
            Field {
                path: "instance_type",
                ty: FieldType::String,
                doc: "The instance type it launches.",
            },
            Field {
                path: "metadata.http_tokens",
                ty: FieldType::String,
                doc: "required (IMDSv2 only) or optional.",
            },
            Field {
                path: "block_devices",
                ty: FieldType::List,
                doc: "Its block device mappings (device, type, size_gb, encrypted), sorted by device.",
            },
            Field {
                path: "image",
                ty: FieldType::String,
                doc: "The AMI's name (not its id).",
            },
        ],
    },
];
