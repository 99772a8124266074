//! The two pattern languages of a policy.
//!
//! - [`DottedGlob`] for kinds and attribute paths: segments split on `.`; `*` inside a segment matches any
//!   characters of that segment, a whole `**` segment matches any number of segments.
//! - [`Wildcard`] for resource keys, which contain `/`, `.` and `{env}`: `*` matches any characters.

use std::fmt;

/// Why a pattern is not a valid glob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    #[error("empty pattern")]
    Empty,
    #[error("empty segment (two dots in a row, or a dot at either end)")]
    EmptySegment,
    #[error("`**` must be a whole segment, as in `attributes.**.enabled`")]
    PartialDoubleStar,
    #[error("unsupported glob character `{0}`: only `*` and `**` are supported")]
    Unsupported(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    AnyDepth,
    Wild(String),
}

/// A glob over dotted paths such as `aws.rds.*` or `attributes.*.timeout_seconds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DottedGlob {
    source: String,
    segments: Vec<Segment>,
}

impl DottedGlob {
    /// Parses a pattern, refusing what would silently never match.
    pub fn new(source: &str) -> Result<Self, GlobError> {
        if source.is_empty() {
            return Err(GlobError::Empty);
        }
        if let Some(c) = source
            .chars()
            .find(|c| matches!(c, '?' | '[' | ']' | '{' | '}' | '!'))
        {
            return Err(GlobError::Unsupported(c));
        }
        let segments = source
            .split('.')
            .map(|s| match s {
                "" => Err(GlobError::EmptySegment),
                "**" => Ok(Segment::AnyDepth),
                s if s.contains("**") => Err(GlobError::PartialDoubleStar),
                s => Ok(Segment::Wild(s.to_owned())),
            })
            .collect::<Result<_, _>>()?;
        Ok(DottedGlob {
            source: source.to_owned(),
            segments,
        })
    }

    /// True when the pattern matches the whole path.
    pub fn matches(&self, path: &str) -> bool {
        let path: Vec<&str> = path.split('.').collect();
        match_segments(&self.segments, &path, false)
    }

    /// True when the pattern matches the path or one of its ancestors: `parameters` covers
    /// `parameters.max_connections`.
    pub fn covers(&self, path: &str) -> bool {
        let path: Vec<&str> = path.split('.').collect();
        match_segments(&self.segments, &path, true)
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for DottedGlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Whether the pattern matches the path (or, with `prefix_ok`, one of its ancestors). One pass per pattern
/// segment over the set of path positions reached so far: linear in the path's length, however many `**`.
fn match_segments(pattern: &[Segment], path: &[&str], prefix_ok: bool) -> bool {
    // reached[j]: the pattern's segments so far match the first j segments of the path.
    let mut reached = vec![false; path.len() + 1];
    reached[0] = true;
    let mut next = vec![false; path.len() + 1];
    for segment in pattern {
        next.fill(false);
        match segment {
            Segment::AnyDepth => {
                let mut any = false;
                for (j, slot) in next.iter_mut().enumerate() {
                    any |= reached[j];
                    *slot = any;
                }
            }
            Segment::Wild(seg) => {
                for (j, part) in path.iter().enumerate() {
                    next[j + 1] = reached[j] && wildcard_match(seg, part);
                }
            }
        }
        std::mem::swap(&mut reached, &mut next);
        if !reached.contains(&true) {
            return false;
        }
    }
    // With `prefix_ok` the pattern may end before the path does (`parameters` covers its keys).
    reached[path.len()] || (prefix_ok && reached.contains(&true))
}

/// A pattern over whole strings where `*` matches any characters, such as `reporting-{env}-*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard(String);

impl Wildcard {
    pub fn new(pattern: &str) -> Result<Self, GlobError> {
        if pattern.is_empty() {
            return Err(GlobError::Empty);
        }
        Ok(Wildcard(pattern.to_owned()))
    }

    pub fn matches(&self, text: &str) -> bool {
        wildcard_match(&self.0, text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Matches `text` against `pattern` where `*` stands for any run of characters.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_match_whole_segments() {
        let g = DottedGlob::new("aws.rds.*").unwrap();
        assert!(g.matches("aws.rds.instance"));
        assert!(g.matches("aws.rds.cluster"));
        assert!(!g.matches("aws.rdsx.instance"));
        assert!(!g.matches("aws.rds"));
        assert!(!g.matches("aws.rds.instance.extra"));
    }

    #[test]
    fn fields_cover_descendants() {
        let g = DottedGlob::new("parameters").unwrap();
        assert!(g.covers("parameters.max_connections"));
        assert!(g.covers("parameters"));
        assert!(!g.covers("parameters_group"));
        assert!(!g.matches("parameters.max_connections"));
        let g = DottedGlob::new("attributes.*.timeout_seconds").unwrap();
        assert!(g.covers("attributes.idle_timeout.timeout_seconds"));
        assert!(!g.covers("attributes.idle_timeout.enabled"));
    }

    #[test]
    fn double_star_spans_segments() {
        let g = DottedGlob::new("**.enabled").unwrap();
        assert!(g.matches("enabled"));
        assert!(g.matches("attributes.deletion_protection.enabled"));
        assert!(!g.matches("attributes.enabled_x"));
    }

    #[test]
    fn double_stars_against_a_long_path_take_linear_time() {
        let g = DottedGlob::new("**.**.**.zzz").unwrap();
        let path = vec!["a"; 3000].join(".");
        let started = std::time::Instant::now();
        assert!(!g.matches(&path));
        assert!(!g.covers(&path));
        assert!(g.matches(&format!("{path}.zzz")));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn star_inside_a_segment() {
        let g = DottedGlob::new("health_check.*_seconds").unwrap();
        assert!(g.matches("health_check.interval_seconds"));
        assert!(!g.matches("health_check.path"));
    }

    #[test]
    fn bad_globs_are_refused() {
        assert_eq!(DottedGlob::new(""), Err(GlobError::Empty));
        assert_eq!(DottedGlob::new("aws..rds"), Err(GlobError::EmptySegment));
        assert_eq!(DottedGlob::new("aws.rds."), Err(GlobError::EmptySegment));
        assert_eq!(DottedGlob::new("a**b"), Err(GlobError::PartialDoubleStar));
        assert_eq!(DottedGlob::new("aws.rds.[ab]"), Err(GlobError::Unsupported('[')));
    }

    #[test]
    fn wildcards_match_keys() {
        let w = Wildcard::new("reporting-{env}-*").unwrap();
        assert!(w.matches("reporting-{env}-db"));
        assert!(!w.matches("orders-{env}-db"));
        assert!(Wildcard::new("*").unwrap().matches(""));
        assert!(Wildcard::new("/a/*/c*").unwrap().matches("/a/b/x/c"));
        assert!(!Wildcard::new("a*b").unwrap().matches("acbd"));
    }
}
