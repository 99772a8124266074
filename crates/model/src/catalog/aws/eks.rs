//! EKS clusters (`aws.eks.cluster`) with their Fargate profiles, and their managed node groups
//! (`aws.eks.nodegroup`).

use crate::catalog::Kind;
use crate::catalog::typed::Typed;

crate::attributes! {
    /// The attributes of `aws.eks.cluster`.
    pub struct Cluster {
        /// The Kubernetes version, such as 1.30.
        pub version: Option<String>,
        /// Whether the API server answers from the internet.
        pub endpoint_public_access: Option<bool>,
        /// Whether the API server answers inside the VPC.
        pub endpoint_private_access: Option<bool>,
        /// The control plane log types sent to CloudWatch (api, audit, authenticator, ...).
        pub logging: Vec<String>,
        /// Whether a KMS key of the account envelope-encrypts Kubernetes secrets.
        pub secrets_encryption: bool,
        /// Fargate profiles by logical key.
        pub fargate_profiles: Vec<String>,
    }
}

/// `aws.eks.cluster`.
pub const CLUSTER: Kind = Kind {
    name: "aws.eks.cluster",
    provider: "aws",
    service: "eks",
    tagged: true,
    tagging_types: &["eks:cluster"],
    doc: "An EKS cluster: its Kubernetes version, API endpoint access, logging and Fargate profiles.",
    attributes: Typed::of::<Cluster>(),
};

crate::attributes! {
    /// The attributes of `aws.eks.nodegroup`.
    pub struct Nodegroup {
        /// The nodes' Kubernetes version.
        pub version: Option<String>,
        /// The EC2 instance types of the nodes.
        pub instance_types: Vec<String>,
        /// AL2023_x86_64_STANDARD, BOTTLEROCKET_ARM_64, ...
        pub ami_type: Option<String>,
        /// ON_DEMAND or SPOT.
        pub capacity_type: Option<String>,
        /// The fewest nodes.
        pub min_size: Option<i32>,
        /// The most nodes.
        pub max_size: Option<i32>,
        /// The nodes wanted now.
        pub desired_size: Option<i32>,
        /// Each node's root volume in GiB.
        pub disk_size: Option<i32>,
        /// KEY=VALUE:EFFECT, which pods may be scheduled on the nodes.
        pub taints: Vec<String>,
    }
}

/// `aws.eks.nodegroup`.
pub const NODEGROUP: Kind = Kind {
    name: "aws.eks.nodegroup",
    provider: "aws",
    service: "eks",
    tagged: true,
    tagging_types: &["eks:nodegroup"],
    doc: "A managed node group, named CLUSTER/NODEGROUP.",
    attributes: Typed::of::<Nodegroup>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[CLUSTER, NODEGROUP];
