//! Policy problems, each pointing at the file, line and column that caused it.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use toml_span::{ErrorKind, Span};

use super::parse::{closest, first_line};

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    /// Byte range in the file; `None` for problems of the file as a whole.
    pub span: Option<Span>,
    /// How to fix it, when that can be said in a line.
    pub help: Option<String>,
}

impl Diagnostic {
    /// Converts a toml-span error, splitting "unexpected keys" into one diagnostic per key elsewhere.
    pub(crate) fn from_toml(e: toml_span::Error, text: &str) -> Diagnostic {
        let help = match &e.kind {
            ErrorKind::UnexpectedKeys { keys, expected } => {
                let (key, span) = &keys[0];
                let allowed: Vec<&str> = expected.iter().map(String::as_str).collect();
                let help = match closest(key, &allowed) {
                    Some(close) => format!("did you mean `{close}`? expected one of: {}", allowed.join(", ")),
                    None => format!("expected one of: {}", allowed.join(", ")),
                };
                let others = keys[1..]
                    .iter()
                    .map(|(k, _)| format!("`{k}`"))
                    .collect::<Vec<_>>();
                let message = if others.is_empty() {
                    format!("unknown key `{key}`")
                } else {
                    format!("unknown key `{key}` (also unknown here: {})", others.join(", "))
                };
                return Diagnostic {
                    message,
                    span: Some(*span),
                    help: Some(help),
                };
            }
            ErrorKind::MissingField(field) => {
                return Diagnostic {
                    message: format!("missing field `{field}`"),
                    span: Some(first_line(text, e.span)),
                    help: None,
                };
            }
            ErrorKind::InvalidNumber if looks_like_date(text, e.span) => {
                Some("write dates as strings: expires = \"2027-01-31\"".to_owned())
            }
            _ => None,
        };
        Diagnostic {
            message: e.to_string(),
            span: Some(e.span),
            help,
        }
    }
}

fn looks_like_date(text: &str, span: Span) -> bool {
    let s = text.get(span.start..span.end).unwrap_or("");
    s.len() >= 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-'
}

/// A policy file that cannot be used, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub path: String,
    pub source_text: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl PolicyError {
    /// The 1-based line and column of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = &self.source_text[..floor_boundary(&self.source_text, offset)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    /// Every diagnostic with its source line and a caret, as rustc and ruff show them.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut out = String::new();
        for d in &self.diagnostics {
            let title = Level::ERROR.primary_title(&d.message);
            let mut report = Vec::new();
            match d.span {
                Some(span) => {
                    let span = clamp(span, &self.source_text);
                    report.push(
                        title.element(
                            Snippet::source(&self.source_text)
                                .path(&self.path)
                                .annotation(AnnotationKind::Primary.span(span.start..span.end)),
                        ),
                    );
                }
                None => {
                    report.push(Group::with_title(
                        Level::ERROR.primary_title(format!("{}: {}", self.path, d.message)),
                    ));
                }
            }
            if let Some(help) = &d.help {
                report.push(Group::with_title(Level::HELP.secondary_title(help)));
            }
            out.push_str(&renderer.render(&report));
            out.push_str("\n\n");
        }
        let n = self.diagnostics.len();
        out.push_str(&format!(
            "{}: {n} problem{} in the policy",
            self.path,
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

/// The span inside the text and widened to whole characters (the TOML parser may point inside one).
pub(super) fn clamp(span: Span, text: &str) -> Span {
    let start = floor_boundary(text, span.start);
    Span {
        start,
        end: ceil_boundary(text, span.end.max(start)),
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl fmt::Display for PolicyError {
    /// One line per problem: `file:line:column: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match d.span {
                Some(span) => {
                    let (line, column) = self.line_column(span.start);
                    write!(f, "{}:{line}:{column}: {}", self.path, d.message)?;
                }
                None => write!(f, "{}: {}", self.path, d.message)?,
            }
            if let Some(help) = &d.help {
                write!(f, " ({})", help.replace('\n', " "))?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}
