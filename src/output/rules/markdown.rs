//! The rule catalog as markdown: docs/rules.md is this output. A table of every rule, then a
//! section per rule with a stable anchor (`#fo201`) that SARIF and annotations link to.

use crate::finding::catalog::RuleInfo;
use crate::output::markdown::cell;

pub fn render(rules: &[&RuleInfo]) -> String {
    let mut md = String::from(
        "# Rules\n\n\
         Every finding flagops reports has a stable code and name; either sets its level in \
         `rules.levels` of flagops.yaml (`error`, `warning` or `off`). Codes are never \
         reused. FO0xx: reading files and YAML. FO1xx: schema. FO2xx: semantic rules. FO3xx: \
         compiled documents. FO4xx: drift, reported by `flagops drift`.\n\n\
         This page is the output of `flagops rules --format markdown`.\n\n\
         | code | name | default | what it finds |\n|---|---|---|---|\n",
    );
    for rule in rules {
        md.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            rule.code,
            rule.anchor(),
            rule.name,
            rule.default_severity.as_str(),
            cell(rule.summary)
        ));
    }
    for rule in rules {
        md.push_str(&format!(
            "\n<a id=\"{}\"></a>\n\n## {} {}\n\nDefault level: {}.\n\n{}\n\n**How to fix:** {}\n",
            rule.anchor(),
            rule.code,
            rule.name,
            rule.default_severity.as_str(),
            rule.description,
            rule.fix
        ));
    }
    md
}
