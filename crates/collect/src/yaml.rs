//! YAML as every local source reads it: refused before parsing when its flow collections (`[`, `{`) nest deeper
//! than a real file ever does. libyaml's scanner takes time quadratic in that depth before the parser's own
//! recursion limit is reached (100,000 levels in a 200 KB file took minutes), so the depth is measured first, in
//! one pass.

/// The deepest flow nesting read: the parser refuses anything past 128 levels anyway.
pub(super) const MAX_FLOW_DEPTH: usize = 128;

/// Refuses text whose `[`/`{` nest deeper than [`MAX_FLOW_DEPTH`], counting outside quoted scalars and comments.
/// The error names the line, never the text.
pub(super) fn check_depth(text: &str) -> Result<(), String> {
    let (mut depth, mut line) = (0usize, 1usize);
    // The last character that was not a space: a quote opens a quoted scalar only where a token can start.
    let mut before = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '#' if before == '\n' || before == ' ' || before == '\t' => {
                // A comment runs to the end of its line.
                while chars.next_if(|&c| c != '\n').is_some() {}
            }
            '\'' | '"' if matches!(before, '\n' | ':' | '-' | '[' | '{' | ',' | '?' | ' ' | '\t') => {
                let quote = c;
                while let Some(c) = chars.next() {
                    match c {
                        '\n' => line += 1,
                        '\\' if quote == '"' => {
                            chars.next();
                        }
                        // `''` inside single quotes is one quote.
                        '\'' if quote == '\'' && chars.peek() == Some(&'\'') => {
                            chars.next();
                        }
                        c if c == quote => break,
                        _ => {}
                    }
                }
            }
            '[' | '{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(format!(
                        "not valid YAML: line {line}: collections nested deeper than {MAX_FLOW_DEPTH} levels"
                    ));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        before = c;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_thousand_nested_brackets_are_refused_at_once_naming_the_line() {
        let deep = format!("a: 1\nb: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let started = std::time::Instant::now();
        assert_eq!(
            check_depth(&deep).unwrap_err(),
            "not valid YAML: line 2: collections nested deeper than 128 levels"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn brackets_in_quotes_and_comments_and_ordinary_files_pass() {
        let quoted = format!(
            "a: '{}'\nb: \"{}\" # {}\n",
            "[".repeat(500),
            "{".repeat(500),
            "[".repeat(500)
        );
        assert_eq!(check_depth(&quoted), Ok(()));
        assert_eq!(check_depth("a: {b: [1, 2, {c: d}]}\nmsg: don't [stop]\n"), Ok(()));
    }
}
