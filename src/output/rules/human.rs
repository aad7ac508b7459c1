//! The rule catalog as aligned columns: code, name, default level, summary.

use crate::finding::catalog::RuleInfo;

pub fn render(rules: &[&RuleInfo]) -> String {
    let width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for rule in rules {
        text.push_str(&format!(
            "{}  {:<width$} {:<8} {}\n",
            rule.code,
            rule.name,
            rule.default_severity.as_str(),
            rule.summary
        ));
    }
    text
}
