//! FO224 monitor-role: every alarm monitor names the IAM role AppConfig assumes to read the
//! alarm. AppConfig's API model marks `AlarmRoleArn` optional, but AWS refuses a monitor
//! without it ("Value null at 'alarmRoleArn' failed to satisfy constraint: Member must not be
//! null"): caught here, on the pull request, rather than by apply's CreateEnvironment.

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::MONITOR_ROLE};
use crate::load::CONFIG_FILE;
use crate::load::yaml::escape_pointer;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(config) = &cx.model.config else {
        return;
    };
    for (app_name, app) in &config.applications {
        for (env_name, env) in &app.environments {
            for (i, monitor) in env.monitors.iter().enumerate() {
                if monitor
                    .alarm_role_arn
                    .as_deref()
                    .is_some_and(|r| !r.is_empty())
                {
                    continue;
                }
                let node = format!(
                    "/applications/{}/environments/{}/monitors/{i}",
                    escape_pointer(app_name),
                    escape_pointer(env_name)
                );
                out.push(
                    Finding::new(
                        &MONITOR_ROLE,
                        Location::node(CONFIG_FILE, node),
                        format!(
                            "the monitor of environment `{app_name}/{env_name}` on alarm `{}` has no `alarm_role_arn`: AppConfig refuses a monitor without one",
                            crate::finding::quote(&monitor.alarm_arn)
                        ),
                    )
                    .label("no alarm_role_arn")
                    .help("add `alarm_role_arn:` with the IAM role AppConfig assumes to read the alarm (docs/iam.md has its policy)"),
                );
            }
        }
    }
}
