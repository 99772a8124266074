//! Problems in the TOML files people write (policies and `envparity.toml`), each pointing at the file, line and
//! column that caused it, and the span-keeping reader both files are parsed with.
//!
//! Every problem in a file is collected before any is shown, so one run lists them all.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use toml_span::de_helpers::TableHelper;
use toml_span::value::ValueInner;
use toml_span::{DeserError, ErrorKind, Span, Spanned, Value};

/// One problem in a file.
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
    pub fn from_toml(e: toml_span::Error, text: &str) -> Diagnostic {
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

/// Which kind of file a [`FileError`] is about, for its closing line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Policy,
    Config,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Subject::Policy => "the policy",
            Subject::Config => "the config",
        }
    }
}

/// A file that cannot be used, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub subject: Subject,
    pub path: String,
    pub source_text: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileError {
    /// The 1-based line and column of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        line_column(&self.source_text, offset)
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
            "{}: {n} problem{} in {}",
            self.path,
            if n == 1 { "" } else { "s" },
            self.subject.name()
        ));
        out
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The span inside the text and widened to whole characters (the TOML parser may point inside one).
fn clamp(span: Span, text: &str) -> Span {
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

impl fmt::Display for FileError {
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

impl std::error::Error for FileError {}

/// Reads a TOML file with spans, collecting every problem as a [`Diagnostic`].
pub struct TomlReader<'t> {
    pub text: &'t str,
    pub diagnostics: Vec<Diagnostic>,
}

/// Text without a leading byte-order mark, which some editors write and no format here means.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

impl<'t> TomlReader<'t> {
    pub fn new(text: &'t str) -> Self {
        TomlReader {
            text,
            diagnostics: Vec::new(),
        }
    }

    /// Parses the text, or the one diagnostic of why it is not TOML.
    pub fn parse(text: &str) -> Result<Value<'_>, Vec<Diagnostic>> {
        toml_span::parse(text).map_err(|e| vec![Diagnostic::from_toml(e, text)])
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        self.diagnostics.push(Diagnostic {
            message: message.into(),
            span: Some(span),
            help,
        });
    }

    /// A problem of the file as a whole.
    pub fn file_error(&mut self, message: impl Into<String>, help: Option<String>) {
        self.diagnostics.push(Diagnostic {
            message: message.into(),
            span: None,
            help,
        });
    }

    /// The value as a table to take keys from, or a diagnostic saying what it is instead.
    pub fn table<'de>(&mut self, value: &mut Value<'de>, what: &str) -> Option<TableHelper<'de>> {
        match value.as_table() {
            Some(_) => TableHelper::new(value).ok(),
            None => {
                let found = value.take().type_str();
                self.error(value.span, format!("{what} must be a table, found {found}"), None);
                None
            }
        }
    }

    /// Ends a table: its unknown keys and type errors become diagnostics.
    pub fn finish(&mut self, table: TableHelper<'_>) {
        if let Err(DeserError { errors }) = table.finalize(None) {
            for e in errors {
                self.diagnostics.push(Diagnostic::from_toml(e, self.text));
            }
        }
    }

    /// The items of an array of tables (`[[rule]]`).
    pub fn array<'de>(&mut self, value: &mut Value<'de>, what: &str) -> Vec<Value<'de>> {
        match value.take() {
            ValueInner::Array(items) => items,
            other => {
                let found = other.type_str();
                self.error(
                    value.span,
                    format!("{what} must be an array of tables, found {found}"),
                    Some(format!("write each entry under its own {what} header")),
                );
                Vec::new()
            }
        }
    }

    /// Reports a string that is not one of `allowed`, suggesting the closest.
    pub fn unknown(&mut self, found: &Spanned<String>, what: &str, allowed: &[&str]) {
        let help = match closest(&found.value, allowed) {
            Some(close) => format!("did you mean `{close}`? expected one of: {}", allowed.join(", ")),
            None => format!("expected one of: {}", allowed.join(", ")),
        };
        self.error(
            found.span,
            format!("unknown {what} `{}`", found.value),
            Some(help),
        );
    }

    /// Parses one of a fixed set of names, or reports it with the closest.
    pub fn choice<T>(
        &mut self,
        found: &Spanned<String>,
        what: &str,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let parsed = parse(&found.value);
        if parsed.is_none() {
            self.unknown(found, what, allowed);
        }
        parsed
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        line_column(self.text, offset).0
    }

    /// The value read, or every problem found, sorted by position.
    pub fn into_result<T>(self, value: Option<T>) -> Result<T, Vec<Diagnostic>> {
        match value {
            Some(value) if self.diagnostics.is_empty() => Ok(value),
            _ => {
                let mut diagnostics = self.diagnostics;
                diagnostics.sort_by_key(|d| d.span.map(|s| s.start));
                Err(diagnostics)
            }
        }
    }
}

/// The closest allowed spelling, if one is close enough to be a typo.
pub fn closest<'a>(found: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::damerau_levenshtein(found, a), *a))
        .filter(|(d, a)| *d <= (a.len() / 3).max(2))
        .min()
        .map(|(_, a)| a)
}

/// The span cut to its first line, so a diagnostic on a whole table points at its header.
pub fn first_line(text: &str, span: Span) -> Span {
    let span = clamp(span, text);
    let end = text[span.start..span.end]
        .find('\n')
        .map_or(span.end, |i| span.start + i);
    Span {
        start: span.start,
        end,
    }
}

/// A TOML value as JSON, for `staging`/`prod` expected values and TOML config files.
pub fn toml_to_json(value: &mut Value<'_>) -> serde_json::Value {
    match value.take() {
        ValueInner::String(s) => serde_json::Value::String(s.into_owned()),
        ValueInner::Integer(i) => i.into(),
        ValueInner::Float(f) => f.into(),
        ValueInner::Boolean(b) => b.into(),
        ValueInner::Array(items) => items.into_iter().map(|mut v| toml_to_json(&mut v)).collect(),
        ValueInner::Table(table) => table
            .into_iter()
            .map(|(k, mut v)| (k.name.into_owned(), toml_to_json(&mut v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

/// An error and its sources in one line, each cause once: "dispatch failure: io error: connection refused".
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}
