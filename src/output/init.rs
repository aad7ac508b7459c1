//! What `flagops init` wrote, and the next steps.

use crate::init::InitReport;

pub fn render(report: &InitReport) -> String {
    let mut out = String::new();
    for file in &report.written {
        out.push_str(&format!("+ {file}\n"));
    }
    for file in &report.kept {
        out.push_str(&format!("  {file} (exists, kept)\n"));
    }
    out.push_str(&format!(
        "\nflagops repository started in {}. Next:\n\
         - `flagops check` checks it; `flagops plan --backend local` and `flagops apply --backend local` try it without AWS;\n\
         - in .github/workflows/, replace each `uses: ./` with `uses: <owner>/flagops@<full commit sha> # <version>`, and set the repository variables the workflow headers name (docs/iam.md);\n\
         - commit it.\n",
        report.dir.display()
    ));
    out
}
