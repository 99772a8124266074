//! Container image references, split the way they are compared: repository, tag and digest apart.
//!
//! `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2` gives the repository
//! `*.dkr.ecr.*.amazonaws.com/shop/web` (an ECR registry's account and region differ between environments by
//! design) and the tag `1.4.2`; `nginx@sha256:...` keeps its digest. Docker Hub's implied names are left as
//! written: `nginx` and `docker.io/library/nginx` are different texts of one image, compared as written.

use serde_json::{Value, json};

/// An image reference in its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The registry host (if any) and path, ECR hosts with account and region replaced by `*`.
    pub repository: String,
    /// The tag, `None` when the reference names none (Docker then pulls `latest`).
    pub tag: Option<&'a str>,
    /// `sha256:...` when the reference pins a digest.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(image: &'a str) -> Self {
        let (rest, digest) = match image.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (image, None),
        };
        // A colon after the last slash separates the tag; one before it belongs to a registry's port.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        ImageRef {
            repository: without_ecr_account(path),
            tag,
            digest,
        }
    }

    /// The snapshot's form: `{"repository": ..., "tag": ..., "digest": ...}`, absent parts as null.
    pub fn to_value(&self) -> Value {
        json!({ "repository": self.repository, "tag": self.tag, "digest": self.digest })
    }
}

/// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/PATH` as `*.dkr.ecr.*.amazonaws.com/PATH`; any other text unchanged.
fn without_ecr_account(path: &str) -> String {
    let Some((host, rest)) = path.split_once('/') else {
        return path.to_owned();
    };
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [account, "dkr", "ecr", _region, "amazonaws", "com" | "com.cn"]
            if account.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("*.dkr.ecr.*.{}/{rest}", parts[4..].join("."))
        }
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(image: &str) -> (String, Option<&str>, Option<&str>) {
        let i = ImageRef::parse(image);
        (i.repository, i.tag, i.digest)
    }

    #[test]
    fn ecr_repositories_lose_account_and_region() {
        assert_eq!(
            parts("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2"),
            ("*.dkr.ecr.*.amazonaws.com/shop/web".into(), Some("1.4.2"), None)
        );
    }

    #[test]
    fn tags_digests_and_ports() {
        assert_eq!(parts("nginx"), ("nginx".into(), None, None));
        assert_eq!(parts("postgres:15"), ("postgres".into(), Some("15"), None));
        assert_eq!(
            parts("registry.local:5000/team/app:2.0"),
            ("registry.local:5000/team/app".into(), Some("2.0"), None)
        );
        assert_eq!(
            parts("registry.local:5000/team/app"),
            ("registry.local:5000/team/app".into(), None, None)
        );
        assert_eq!(
            parts("ghcr.io/org/app:1.2@sha256:abc"),
            ("ghcr.io/org/app".into(), Some("1.2"), Some("sha256:abc"))
        );
        assert_eq!(parts("app@sha256:abc"), ("app".into(), None, Some("sha256:abc")));
    }

    #[test]
    fn a_look_alike_host_is_kept() {
        assert_eq!(
            parts("evil.dkr.ecr.eu-west-1.amazonaws.com/app:1").0,
            "evil.dkr.ecr.eu-west-1.amazonaws.com/app"
        );
    }
}
