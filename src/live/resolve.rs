//! Which deployment of a profile is live, from its environment's deployment history.
//!
//! ListDeployments is newest first and numbered per environment. Walking it for one profile:
//! ROLLED_BACK, ROLLING_BACK and REVERTED attempts are skipped (their version is not served);
//! the first COMPLETE or BAKING deployment is live; DEPLOYING or VALIDATING ones newer than it
//! are in flight. A profile with no live deployment has never been served.

use super::{DeployState, Deployment};

/// What a profile's deployment history says about one environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveState {
    /// The deployment whose version is served: the newest COMPLETE or BAKING one.
    pub live: Option<Deployment>,
    /// A newer deployment still rolling out (DEPLOYING or VALIDATING).
    pub in_flight: Option<Deployment>,
    /// Newer deployments that were rolled back or reverted, newest first.
    pub rejected: Vec<Deployment>,
    /// A deployment in progress in the environment, of any profile: the next one must wait.
    pub environment_busy: Option<Deployment>,
}

impl LiveState {
    /// The newest rejected deployment, if it is newer than anything that went live after it.
    pub fn last_rejected(&self) -> Option<&Deployment> {
        self.rejected.first()
    }
}

/// Resolves the live state of `profile_id` from `deployments` (newest first, profile ids
/// filled in).
pub fn resolve(deployments: &[Deployment], profile_id: &str) -> LiveState {
    let mut state = LiveState {
        environment_busy: deployments
            .iter()
            .find(|d| d.state.is_in_progress())
            .cloned(),
        ..LiveState::default()
    };
    for d in deployments
        .iter()
        .filter(|d| d.profile_id.as_deref() == Some(profile_id))
    {
        match &d.state {
            DeployState::Complete | DeployState::Baking => {
                state.live = Some(d.clone());
                break;
            }
            DeployState::Deploying | DeployState::Validating => {
                if state.in_flight.is_none() {
                    state.in_flight = Some(d.clone());
                }
            }
            DeployState::RollingBack | DeployState::RolledBack | DeployState::Reverted => {
                state.rejected.push(d.clone());
            }
            DeployState::Other(_) => {}
        }
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(number: i32, profile: &str, version: &str, state: &str) -> Deployment {
        Deployment {
            number,
            profile_id: Some(profile.to_owned()),
            version: version.to_owned(),
            version_label: None,
            state: DeployState::parse(state),
            percentage: 100.0,
            strategy_id: None,
            profile_name: None,
            bake_minutes: None,
            description: None,
            started_at: None,
            completed_at: None,
            events: Vec::new(),
        }
    }

    fn live_version(history: &[Deployment]) -> Option<String> {
        resolve(history, "p").live.map(|d| d.version)
    }

    #[test]
    fn the_newest_complete_or_baking_deployment_is_live() {
        assert_eq!(
            live_version(&[d(2, "p", "2", "COMPLETE"), d(1, "p", "1", "COMPLETE")]),
            Some("2".into())
        );
        assert_eq!(
            live_version(&[d(2, "p", "2", "BAKING"), d(1, "p", "1", "COMPLETE")]),
            Some("2".into())
        );
        assert_eq!(live_version(&[]), None);
    }

    #[test]
    fn rolled_back_rolling_back_and_reverted_attempts_are_skipped() {
        for rejected in ["ROLLED_BACK", "ROLLING_BACK", "REVERTED"] {
            let history = [
                d(3, "p", "3", rejected),
                d(2, "p", "2", "COMPLETE"),
                d(1, "p", "1", "COMPLETE"),
            ];
            let state = resolve(&history, "p");
            assert_eq!(
                state.live.map(|d| d.version),
                Some("2".into()),
                "{rejected}"
            );
            assert_eq!(
                state.rejected.iter().map(|d| d.number).collect::<Vec<_>>(),
                vec![3]
            );
        }
    }

    #[test]
    fn a_reverted_first_deployment_leaves_nothing_live() {
        let state = resolve(&[d(1, "p", "1", "REVERTED")], "p");
        assert_eq!(state.live, None);
        assert_eq!(state.rejected.len(), 1);
    }

    #[test]
    fn deploying_and_validating_are_in_flight_over_the_previous_live_version() {
        for moving in ["DEPLOYING", "VALIDATING"] {
            let state = resolve(&[d(2, "p", "2", moving), d(1, "p", "1", "COMPLETE")], "p");
            assert_eq!(state.in_flight.map(|d| d.number), Some(2), "{moving}");
            assert_eq!(state.live.map(|d| d.number), Some(1));
        }
    }

    #[test]
    fn other_profiles_do_not_count_but_block_the_environment() {
        let history = [
            d(3, "other", "9", "DEPLOYING"),
            d(2, "other", "8", "COMPLETE"),
            d(1, "p", "1", "COMPLETE"),
        ];
        let state = resolve(&history, "p");
        assert_eq!(state.live.map(|d| d.number), Some(1));
        assert_eq!(state.in_flight, None);
        assert_eq!(state.environment_busy.map(|d| d.number), Some(3));
    }

    #[test]
    fn a_rollback_after_a_later_success_is_history_not_drift() {
        let history = [
            d(3, "p", "3", "COMPLETE"),
            d(2, "p", "2", "ROLLED_BACK"),
            d(1, "p", "1", "COMPLETE"),
        ];
        let state = resolve(&history, "p");
        assert_eq!(state.live.map(|d| d.number), Some(3));
        assert!(state.rejected.is_empty());
    }

    #[test]
    fn every_sequence_of_states_resolves_consistently() {
        // Exhaustive over three deployments of one profile, each in any of the seven states.
        let states = [
            "VALIDATING",
            "DEPLOYING",
            "BAKING",
            "COMPLETE",
            "ROLLING_BACK",
            "ROLLED_BACK",
            "REVERTED",
        ];
        for a in states {
            for b in states {
                for c in states {
                    let history = [d(3, "p", "3", a), d(2, "p", "2", b), d(1, "p", "1", c)];
                    let state = resolve(&history, "p");
                    let expected_live = history
                        .iter()
                        .find(|x| matches!(x.state, DeployState::Complete | DeployState::Baking));
                    assert_eq!(state.live.as_ref(), expected_live, "{a} {b} {c}");
                    let live_number = expected_live.map_or(0, |x| x.number);
                    for r in &state.rejected {
                        assert!(r.state.is_rejected() && r.number > live_number);
                    }
                    if let Some(f) = &state.in_flight {
                        assert!(f.number > live_number);
                    }
                }
            }
        }
    }

    #[test]
    fn states_parse_whatever_their_casing() {
        assert_eq!(DeployState::parse("ROLLED_BACK"), DeployState::RolledBack);
        assert_eq!(DeployState::parse("RolledBack"), DeployState::RolledBack);
        assert_eq!(
            DeployState::parse("ReadyForDeployment"),
            DeployState::Other("ReadyForDeployment".into())
        );
    }
}
