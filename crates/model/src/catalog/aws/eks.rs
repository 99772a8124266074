//! EKS clusters (`aws.eks.cluster`) with their Fargate profiles, and their managed node groups
//! (`aws.eks.nodegroup`).

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "aws.eks.cluster",
        provider: "aws",
        service: "eks",
        tagged: true,
        tagging_types: &["eks:cluster"],
        doc: "An EKS cluster: its Kubernetes version, API endpoint access, logging and Fargate profiles.",
        fields: &[
            Field {
                path: "version",
                ty: FieldType::String,
                doc: "The Kubernetes version, such as 1.30.",
            },
            Field {
                path: "endpoint_public_access",
                ty: FieldType::Boolean,
                doc: "Whether the API server answers from the internet.",
            },
            Field {
                path: "endpoint_private_access",
                ty: FieldType::Boolean,
                doc: "Whether the API server answers inside the VPC.",
            },
            Field {
                path: "logging",
                ty: FieldType::List,
                doc: "The control plane log types sent to CloudWatch (api, audit, authenticator, ...).",
            },
            Field {
                path: "secrets_encryption",
                ty: FieldType::Boolean,
                doc: "Whether a KMS key of the account envelope-encrypts Kubernetes secrets.",
            },
            Field {
                path: "fargate_profiles",
                ty: FieldType::List,
                doc: "Fargate profiles by logical key.",
            },
        ],
    },
    Kind {
        name: "aws.eks.nodegroup",
        provider: "aws",
        service: "eks",
        tagged: true,
        tagging_types: &["eks:nodegroup"],
        doc: "A managed node group, named CLUSTER/NODEGROUP.",
        fields: &[
            Field {
                path: "version",
                ty: FieldType::String,
                doc: "The nodes' Kubernetes version.",
            },
            Field {
                path: "instance_types",
                ty: FieldType::List,
                doc: "The EC2 instance types of the nodes.",
            },
            Field {
                path: "ami_type",
                ty: FieldType::String,
                doc: "AL2023_x86_64_STANDARD, BOTTLEROCKET_ARM_64, ...",
            },
            Field {
                path: "capacity_type",
                ty: FieldType::String,
                doc: "ON_DEMAND or SPOT.",
            },
            Field {
                path: "min_size",
                ty: FieldType::Integer,
                doc: "The fewest nodes.",
            },
            Field {
                path: "max_size",
                ty: FieldType::Integer,
                doc: "The most nodes.",
            },
            Field {
                path: "desired_size",
                ty: FieldType::Integer,
                doc: "The nodes wanted now.",
            },
            Field {
                path: "disk_size",
                ty: FieldType::Integer,
                doc: "Each node's root volume in GiB.",
            },
            Field {
                path: "taints",
                ty: FieldType::List,
                doc: "KEY=VALUE:EFFECT, which pods may be scheduled on the nodes.",
            },
        ],
    },
];
