//! Markdown text shared by every report: cell text is escaped so a message cannot break a
//! table.

/// Escapes text for a table cell: pipes and line breaks everywhere, HTML-significant
/// characters outside `code spans`. Messages quote keys and values in code spans, and inside
/// one an entity is not decoded (`&lt;` would show as such) while `<` cannot start HTML; so
/// there they stay as written.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((before, code, after)) = code_span(rest) {
        out.push_str(&table_text(&html_text(before)));
        out.push('`');
        out.push_str(&table_text(code));
        out.push('`');
        rest = after;
    }
    out.push_str(&table_text(&html_text(rest)));
    out
}

/// `s` as one inline code span, whatever backticks it holds: the fence is one backtick longer
/// than the longest run inside, padded with spaces where `s` starts or ends with one.
/// Line breaks become spaces.
pub fn code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Splits `s` at its first code span: the text before it, the code, the text after it.
/// Only a span that CommonMark reads as one counts: a single backtick, not escaped and not
/// part of a longer run, up to the next single backtick. Whatever is not recognised here is
/// escaped as text, which is always safe.
fn code_span(s: &str) -> Option<(&str, &str, &str)> {
    let bytes = s.as_bytes();
    let single = |i: usize| {
        bytes.get(i) == Some(&b'`')
            && (i == 0 || bytes[i - 1] != b'`')
            && bytes.get(i + 1) != Some(&b'`')
    };
    let mut from = 0;
    while let Some(open) = s[from..].find('`').map(|i| from + i) {
        let backslashes = bytes[..open]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if single(open) && backslashes % 2 == 0 {
            let close = s[open + 1..].find('`').map(|i| open + 1 + i)?;
            if single(close) {
                return Some((&s[..open], &s[open + 1..close], &s[close + 1..]));
            }
            return None;
        }
        from = open + 1;
        while bytes.get(from) == Some(&b'`') {
            from += 1;
        }
    }
    None
}

fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What no cell may contain as such: a `|` ends the cell, a line break the row.
fn table_text(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_escape_pipes_and_line_breaks_everywhere() {
        assert_eq!(cell("a|b\r\nc"), "a\\|b  c");
        assert_eq!(cell("key `a|b\nc` here"), "key `a\\|b c` here");
    }

    #[test]
    fn html_is_escaped_outside_code_spans_only() {
        assert_eq!(cell("<b>&"), "&lt;b&gt;&amp;");
        assert_eq!(cell("key `<b>&co` is <i>"), "key `<b>&co` is &lt;i&gt;");
        assert_eq!(cell("`flags/R&D.yaml:1:2`"), "`flags/R&D.yaml:1:2`");
    }

    #[test]
    fn what_commonmark_would_not_read_as_code_is_escaped() {
        // Unclosed, escaped, or delimited by a run of two backticks.
        assert_eq!(cell("a `<b>"), "a `&lt;b&gt;");
        assert_eq!(cell("\\`<b>` x"), "\\`&lt;b&gt;` x");
        assert_eq!(cell("``<b>``"), "``&lt;b&gt;``");
        assert_eq!(cell("`<b>`` x"), "`&lt;b&gt;`` x");
        assert_eq!(cell("`a` and `<b>`"), "`a` and `<b>`");
    }
}
