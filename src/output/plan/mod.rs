//! Rendering of a plan: one module per format.

pub mod human;
pub mod json;
pub mod markdown;

use serde_json::Value;

use crate::cli::ReportFormat;
use crate::freeze::Frozen;
use crate::output;
use crate::plan::{ChangeKind, FieldChange, FlagChange, Plan};

/// Prints the plan in `format`, adds the markdown to the job summary, and sets the step's
/// `has_changes` output.
pub fn emit(
    plan: &Plan,
    frozen: &[Frozen],
    backend: &str,
    format: ReportFormat,
) -> std::io::Result<()> {
    output::emit_report(format, |format| match format {
        ReportFormat::Human => human::render(plan, frozen, backend),
        ReportFormat::Markdown => markdown::render(plan, frozen, backend),
        ReportFormat::Json => json::render(plan, frozen, backend),
    })?;
    output::actions::set_output(
        "has_changes",
        if plan.has_changes() { "true" } else { "false" },
    )
}

/// "storefront/production/release-flags: frozen by freeze #1 \"Holiday freeze\" until …;
/// ships when it ends, or with `flagops apply --break-glass --app … --env … --reason …`".
pub fn describe_frozen(frozen: &Frozen) -> String {
    let (id, freeze) = (&frozen.id, &frozen.freeze);
    format!(
        "{id}: frozen by freeze #{} \"{}\" until {}; apply deploys it when the freeze ends, or now with `flagops apply --break-glass --app {} --env {} --profile {} --reason \"…\"`",
        freeze.index + 1,
        freeze.reason,
        freeze.until,
        id.application,
        id.environment,
        id.profile
    )
}

/// "~ deployment strategy quick-canary: bake_minutes 0 → 5; growth_factor 20 → 25", and one
/// line per setting apply keeps as it is.
pub fn describe_setup(change: &crate::plan::setup::SetupChange) -> Vec<String> {
    if change.undeclared {
        return vec![format!(
            "? {}: in AppConfig, not in flagops.yaml (reported, never deleted)",
            change.title()
        )];
    }
    let value = |v: &Value| short(&(!v.is_null()).then(|| v.clone()));
    let updated: Vec<String> = (change.settings.iter())
        .filter(|s| s.kept.is_none())
        .map(|s| format!("{} {} → {}", s.setting, value(&s.live), value(&s.declared)))
        .collect();
    let mut lines = Vec::new();
    if !updated.is_empty() {
        lines.push(format!("~ {}: {}", change.title(), updated.join("; ")));
    }
    for s in change.settings.iter().filter(|s| s.kept.is_some()) {
        lines.push(format!(
            "! {}: {} {} kept: {}",
            change.title(),
            s.setting,
            value(&s.live),
            s.kept.as_deref().unwrap_or_default()
        ));
    }
    lines
}

/// A value for a one-line summary: strings bare, long values shortened.
pub fn short(value: &Option<Value>) -> String {
    match value {
        None => "(none)".to_owned(),
        Some(Value::String(s)) => shorten(s),
        Some(v) => shorten(&v.to_string()),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// "enabled: false → true", "allow_list: +ws_a −ws_b".
pub fn describe_field(f: &FieldChange) -> String {
    if !f.added.is_empty() || !f.removed.is_empty() {
        let mut parts: Vec<String> = f.added.iter().map(|a| format!("+{a}")).collect();
        parts.extend(f.removed.iter().map(|r| format!("−{r}")));
        return format!("{}: {}", f.field, parts.join(" "));
    }
    match (&f.from, &f.to) {
        (None, Some(_)) => format!("{}: {}", f.field, short(&f.to)),
        (Some(_), None) => format!("{}: removed (was {})", f.field, short(&f.from)),
        _ => format!("{}: {} → {}", f.field, short(&f.from), short(&f.to)),
    }
}

/// "~ checkout_v2 (release): enabled: false → true; …"
pub fn describe_change(c: &FlagChange) -> String {
    let sign = match c.kind {
        ChangeKind::Added => "+",
        ChangeKind::Removed => "-",
        ChangeKind::Changed => "~",
    };
    let class = c
        .class
        .map(|k| format!(" ({})", k.as_str()))
        .unwrap_or_default();
    let fields: Vec<String> = match c.kind {
        ChangeKind::Removed => Vec::new(),
        _ => c
            .fields
            .iter()
            .filter(|f| !f.field.starts_with("definition.") || c.kind == ChangeKind::Changed)
            .map(describe_field)
            .collect(),
    };
    if fields.is_empty() {
        format!("{sign} {}{class}", c.key)
    } else {
        format!("{sign} {}{class}: {}", c.key, fields.join("; "))
    }
}

/// "held: checkout.enabled stays false (git: true) after deployment #4 ROLLED_BACK: CloudWatch alarm: arn…"
pub fn describe_kept(k: &crate::plan::overlay::Kept) -> String {
    if k.field == "document"
        && let crate::plan::overlay::Reason::RolledBack {
            deployment,
            state,
            trigger,
        } = &k.reason
    {
        let stays = if k.live.is_some() {
            "stays at the live version"
        } else {
            "stays undeployed: nothing is served"
        };
        return format!(
            "held: the whole {} document {stays} since deployment #{deployment} was {state}{}; fix it in git, or apply --retry {}",
            k.key,
            if trigger.is_empty() {
                String::new()
            } else {
                format!(" by {trigger}")
            },
            k.key
        );
    }
    let field = if k.field == "definition" {
        format!("{} (definition)", k.key)
    } else {
        format!("{}.{}", k.key, k.field)
    };
    match &k.reason {
        crate::plan::overlay::Reason::ConsoleOwned => format!(
            "console-owned: {field} keeps its live value {} (git: {})",
            short(&k.live),
            short(&k.desired)
        ),
        crate::plan::overlay::Reason::RolledBack {
            deployment,
            state,
            trigger,
        } => format!(
            "held: {field} stays {} (git: {}) since deployment #{deployment} was {state}{}; fix it in git, adopt the live value, or apply --retry {}",
            short(&k.live),
            short(&k.desired),
            if trigger.is_empty() {
                String::new()
            } else {
                format!(" by {trigger}")
            },
            k.key
        ),
    }
}
