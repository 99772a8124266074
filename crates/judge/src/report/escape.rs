//! Data from an account (names, tags, values) is attacker-controlled: each medium gets it escaped for that medium,
//! through these functions only, so that no report can be forged by data.

use std::borrow::Cow;
use std::fmt::Write;

/// True for characters a terminal or a renderer acts on instead of showing: C0 and C1 controls (escape
/// sequences, `\r` overwrites, backspaces), Unicode line separators and bidirectional overrides.
fn acts(c: char, keep_newlines: bool) -> bool {
    (c.is_control() && !(keep_newlines && c == '\n'))
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The text with every character a terminal would act on shown as `\u{1b}`: what a person at a terminal or
/// reading a CI log sees is what the data holds. Newlines are kept when `keep_newlines`.
pub fn visible(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| acts(c, keep_newlines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts(c, keep_newlines) {
            write!(out, "\\u{{{:x}}}", c as u32).expect("writing to a string");
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of terminal text: every control character visible, newlines included.
pub fn terminal(text: &str) -> Cow<'_, str> {
    visible(text, false)
}

/// Text safe in HTML content and attribute values, shown as it is: markup escaped, and every character a
/// renderer would act on (controls, bidirectional overrides) visible as `\u{202e}`; newlines kept.
pub fn html(text: &str) -> String {
    let text = visible(text, true);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// [`html`] as the HTML report's template escaper: every value the template shows passes through it.
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, text: &str) -> std::fmt::Result {
        dest.write_str(&html(text))
    }
}

/// Whether GitHub-flavoured markdown would turn part of the text into a link or a notification: a URL, a
/// `www.` address, an e-mail address or an `@mention`.
fn links_or_mentions(text: &str) -> bool {
    text.contains("://") || text.contains('@') || text.to_ascii_lowercase().contains("www.")
}

/// Text for a markdown table cell, shown literally: no markup, no HTML, no line break, no cell break; a text
/// that would autolink or notify someone (a URL, `@team`) is a code span, where neither happens.
pub fn markdown(text: &str) -> String {
    if links_or_mentions(text) {
        return markdown_code(text);
    }
    let text = visible(text, false);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '`' | '[' | ']' | '!' | '*' | '_' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// An inline code span for a markdown table cell: delimited by more backticks than any run inside it, pipes
/// escaped (GitHub splits cells on them even in code), no line breaks.
pub fn markdown_code(text: &str) -> String {
    let text = visible(text, false).replace('|', "\\|");
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    // A space on each side keeps a backtick at either end apart from the delimiters (and is stripped when shown);
    // so does text that itself begins and ends with a space.
    let padded = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    match padded {
        true => format!("{ticks} {text} {ticks}"),
        false => format!("{ticks}{text}{ticks}"),
    }
}

/// A fenced code block for `content` (newlines kept, other controls visible), with an info string: the fence
/// is longer than any backtick run inside, so the content cannot close it.
pub fn markdown_fence(info: &str, content: &str) -> String {
    let content = visible(content, true);
    let fence = "`".repeat(longest_run(&content, '`').max(2) + 1);
    let newline = if content.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{info}\n{content}{newline}{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for x in text.chars() {
        current = if x == c { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

/// Text XML 1.0 can hold: characters it forbids (most controls, U+FFFE, U+FFFF, lone surrogates cannot occur in
/// a `str`) are shown as `\u{fffe}`. Escaping `<`, `&` and quotes is the XML writer's job.
pub fn xml(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
    if text.chars().all(allowed) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if allowed(c) {
            out.push(c);
        } else {
            write!(out, "\\u{{{:x}}}", c as u32).expect("writing to a string");
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_overwrites_become_visible() {
        assert_eq!(terminal("a\u{1b}[2K\u{1b}[1Ab"), "a\\u{1b}[2K\\u{1b}[1Ab");
        assert_eq!(terminal("x\ry\u{8}"), "x\\u{d}y\\u{8}");
        assert_eq!(visible("a\nb", true), "a\nb");
        assert_eq!(terminal("a\nb"), "a\\u{a}b");
        assert_eq!(terminal("\u{202e}evil"), "\\u{202e}evil");
        assert!(matches!(terminal("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_cells_hold_no_markup() {
        assert_eq!(markdown("a|b<img src=x>"), "a\\|b&lt;img src=x&gt;");
        assert_eq!(markdown("![x](e.png)"), "\\!\\[x\\](e.png)");
        assert_eq!(markdown("![x](http://e)"), "`![x](http://e)`");
        assert_eq!(markdown("line\r\n## heading"), "line\\\\u{d}\\\\u{a}## heading");
    }

    #[test]
    fn urls_and_mentions_from_data_are_code_spans_that_neither_link_nor_notify() {
        assert_eq!(markdown("ping @security-team"), "`ping @security-team`");
        assert_eq!(
            markdown("see https://evil.example/x"),
            "`see https://evil.example/x`"
        );
        assert_eq!(markdown("www.evil.example"), "`www.evil.example`");
        assert_eq!(markdown("plain"), "plain");
    }

    #[test]
    fn html_shows_bidi_overrides_and_escapes_as_text() {
        assert_eq!(html("a\u{202e}b\u{1b}[31m<i>"), "a\\u{202e}b\\u{1b}[31m&lt;i&gt;");
        assert_eq!(html("line\nnext"), "line\nnext");
    }

    #[test]
    fn code_spans_and_fences_outlast_any_backticks_inside() {
        assert_eq!(markdown_code("a``b"), "```a``b```");
        assert_eq!(markdown_code("`a"), "`` `a ``");
        assert_eq!(markdown_code("x|y"), "`x\\|y`");
        assert_eq!(markdown_fence("diff", "a\n```\nb\n"), "````diff\na\n```\nb\n````");
        assert_eq!(markdown_fence("diff", "plain"), "```diff\nplain\n```");
    }

    #[test]
    fn xml_forbidden_characters_are_shown() {
        assert_eq!(xml("a\u{fffe}b\u{ffff}\u{1}"), "a\\u{fffe}b\\u{ffff}\\u{1}");
        assert_eq!(xml("tab\tok"), "tab\tok");
    }
}
