//! `missing`: a declared application, environment or profile does not exist.

use super::{Class, Context, Finding};
use crate::live::Missing;

pub fn classify(cx: &Context<'_>, _found: &[Finding]) -> Vec<Finding> {
    let id = &cx.target.id;
    let what = match cx.live.missing {
        None => return Vec::new(),
        Some(Missing::Application) => format!("application `{}` does not exist", id.application),
        Some(Missing::Environment) => format!("environment `{}` does not exist", id.environment),
        Some(Missing::Profile) => {
            format!("configuration profile `{}` does not exist", id.profile)
        }
    };
    vec![cx.finding(Class::Missing, what)]
}
