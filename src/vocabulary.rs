//! AppConfig's vocabulary, in one place: its profile types, its predefined deployment
//! strategies, and the label flagops gives the hosted versions it uploads.

/// The profile type of feature flags.
pub const FEATURE_FLAGS: &str = "AWS.AppConfig.FeatureFlags";
/// The profile type of any other document; AppConfig's default.
pub const FREEFORM: &str = "AWS.Freeform";

/// Predefined strategies every AppConfig account has. Their ids are their names.
pub const PREDEFINED_STRATEGIES: &[&str] = &[
    "AppConfig.AllAtOnce",
    "AppConfig.Linear50PercentEvery30Seconds",
    "AppConfig.Canary10Percent20Minutes",
    "AppConfig.Linear20PercentEvery6Minutes",
];

/// Whether a strategy name is AppConfig's own (they all share this prefix, which custom
/// strategies cannot use), so it is referenced by name instead of looked up.
pub fn is_predefined_strategy(name: &str) -> bool {
    name.starts_with("AppConfig.")
}

/// The prefix of every hosted version label flagops writes.
const LABEL_PREFIX: &str = "fo.";

/// The label of a target's hosted version: content digest and environment. Unique per
/// profile in AppConfig, so it doubles as the idempotency key.
pub fn version_label(digest: &str, environment: &str) -> String {
    let env: String = environment.chars().take(40).collect();
    format!("{LABEL_PREFIX}{}.{env}", &digest[..16.min(digest.len())])
}

/// Whether a hosted version carries a label flagops wrote.
pub fn is_flagops_label(label: Option<&str>) -> bool {
    label.is_some_and(|l| l.starts_with(LABEL_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_recognised_and_bounded() {
        let label = version_label(&"ab".repeat(32), &"e".repeat(100));
        assert!(is_flagops_label(Some(&label)));
        assert!(!is_flagops_label(Some("v1")));
        assert!(!is_flagops_label(None));
        // AppConfig caps labels at 64 characters.
        assert!(label.len() <= 64, "{label}");
    }

    #[test]
    fn every_predefined_strategy_is_recognised_as_one() {
        assert!(
            PREDEFINED_STRATEGIES
                .iter()
                .all(|s| is_predefined_strategy(s))
        );
        assert!(!is_predefined_strategy("fast"));
    }
}
