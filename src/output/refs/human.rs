//! refs for a terminal or a CI log.

use super::{FlagRefs, RefsReport, at, plural};

pub fn render(r: &RefsReport<'_>) -> String {
    let mut out = String::new();
    for f in r.flags.iter().filter(|f| !f.references.is_empty()) {
        out.push_str(&format!(
            "{} ({}/{}): {}\n",
            f.key,
            f.application,
            f.profile,
            plural(f.references.len(), "reference")
        ));
        for reference in &f.references {
            out.push_str(&format!("  {}  {}\n", at(reference), reference.line_text));
        }
    }
    let unreferenced: Vec<&FlagRefs<'_>> = r.unreferenced().collect();
    if !unreferenced.is_empty() {
        out.push_str("\ndefined but not referenced:\n");
        for f in &unreferenced {
            out.push_str(&format!(
                "  {} ({}/{}), defined at {}:{}\n",
                f.key, f.application, f.profile, f.file, f.line
            ));
        }
    }
    let undefined = r.undefined_by_name();
    if !undefined.is_empty() {
        out.push_str("\nreferenced but not defined:\n");
        for (name, refs) in &undefined {
            out.push_str(&format!("  {name}\n"));
            for reference in refs {
                out.push_str(&format!("    {}  {}\n", at(reference), reference.line_text));
            }
        }
    }
    if !r.problems.is_empty() {
        out.push('\n');
        for p in r.problems {
            out.push_str(&format!("warning: {p}\n"));
        }
    }
    out.push_str(&format!(
        "\nrefs: {}{}\n",
        super::summary(r),
        if r.patterns {
            ""
        } else {
            " (set refs.patterns to find undefined flags)"
        }
    ));
    out
}
