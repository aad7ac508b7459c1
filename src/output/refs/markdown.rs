//! refs as markdown, for the job summary: the flags nothing reads and the names no flag
//! file defines, each with where it stands.

use super::{RefsReport, at};
use crate::output::markdown::cell;

pub fn render(r: &RefsReport<'_>) -> String {
    let unreferenced: Vec<_> = r.unreferenced().collect();
    let undefined = r.undefined_by_name();
    let mut md = format!("### flagops refs\n\n{}.\n", super::summary(r));
    if !unreferenced.is_empty() {
        md.push_str("\n| defined but not referenced | target | defined at |\n|---|---|---|\n");
        for f in &unreferenced {
            md.push_str(&format!(
                "| `{}` | {}/{} | `{}:{}` |\n",
                cell(f.key),
                cell(f.application),
                cell(f.profile),
                cell(f.file),
                f.line
            ));
        }
    }
    if !undefined.is_empty() {
        md.push_str("\n| referenced but not defined | read at |\n|---|---|\n");
        for (name, refs) in &undefined {
            let places: Vec<String> = refs.iter().map(|r| format!("`{}`", cell(&at(r)))).collect();
            md.push_str(&format!("| `{}` | {} |\n", cell(name), places.join(", ")));
        }
    }
    if !r.patterns {
        md.push_str("\nSet `refs.patterns` to find undefined flags.\n");
    }
    md
}
