//! Fuzzes the YAML loader: any UTF-8 text must parse into a document or a problem, without a
//! panic, a hang or runaway memory, and every span it reports must lie inside the text with
//! the line and column of its start.

#![no_main]

use flagops::load::yaml::{self, Span};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|text: &str| {
    match yaml::parse(text) {
        Ok((doc, problems)) => {
            for problem in &problems {
                if let Some(span) = problem.span {
                    assert_span(text, span);
                }
            }
            let mut pointer = String::new();
            visit(text, &doc, &doc.value, &mut pointer);
        }
        Err(problem) => {
            if let Some(span) = problem.span {
                assert_span(text, span);
            }
        }
    }
});

/// Every node of the document has spans inside the text.
fn visit(text: &str, doc: &yaml::Document, value: &Value, pointer: &mut String) {
    let spans = doc.spans_at(pointer);
    assert_span(text, spans.value);
    if let Some(key) = spans.key {
        assert_span(text, key);
    }
    let len = pointer.len();
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointer.push_str(&format!("/{i}"));
                visit(text, doc, item, pointer);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                pointer.push('/');
                pointer.push_str(&yaml::escape_pointer(key));
                visit(text, doc, item, pointer);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

fn assert_span(text: &str, span: Span) {
    assert!(span.start <= span.end, "{span:?}");
    assert!(span.end <= text.len(), "{span:?} past {}", text.len());
    assert!(text.is_char_boundary(span.start), "{span:?}");
    assert!(span.line >= 1 && span.column >= 1, "{span:?}");
    // The line is the parser's; YAML also breaks lines at a lone CR, which `lines()` does not.
    if !text.contains('\r') {
        let line = text[..span.start].matches('\n').count() + 1;
        assert_eq!(span.line, line, "{span:?}");
    }
}
