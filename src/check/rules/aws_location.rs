//! FO225 aws-location: the `aws` blocks of flagops.yaml say where each environment lives,
//! and say it in a form AWS accepts: role ARNs, a region name, an external id beside its
//! role, an http(s) endpoint; and where any block is used, every environment has a region.

use std::sync::LazyLock;

use regex::Regex;

use crate::check::Context;
use crate::finding::{Finding, Location, catalog::AWS_LOCATION, quote};
use crate::load::CONFIG_FILE;
use crate::load::yaml::escape_pointer;
use crate::model::config::AwsSettings;

static ROLE_ARN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+$").ok()
});
static REGION: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$").ok());

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(config) = &cx.model.config else {
        return;
    };
    let mut used = false;
    if let Some(aws) = &config.aws {
        used = true;
        block(aws, "/aws", "the top-level `aws` block", out);
    }
    for (app_name, app) in &config.applications {
        let app_node = format!("/applications/{}", escape_pointer(app_name));
        if let Some(aws) = &app.aws {
            used = true;
            let what = format!("the `aws` block of application `{}`", quote(app_name));
            block(aws, &format!("{app_node}/aws"), &what, out);
        }
        for (env_name, env) in &app.environments {
            if let Some(aws) = &env.aws {
                used = true;
                let node = format!("{app_node}/environments/{}/aws", escape_pointer(env_name));
                let what = format!(
                    "the `aws` block of environment `{}/{}`",
                    quote(app_name),
                    quote(env_name)
                );
                block(aws, &node, &what, out);
            }
        }
    }
    if !used {
        // No `aws` block at all: every environment is where the ambient settings say.
        return;
    }
    for (app_name, app) in &config.applications {
        for (env_name, env) in &app.environments {
            let has_region = [config.aws.as_ref(), app.aws.as_ref(), env.aws.as_ref()]
                .into_iter()
                .flatten()
                .any(|aws| aws.region.is_some());
            if has_region {
                continue;
            }
            let node = format!(
                "/applications/{}/environments/{}",
                escape_pointer(app_name),
                escape_pointer(env_name)
            );
            out.push(
                Finding::new(
                    &AWS_LOCATION,
                    Location::node(CONFIG_FILE, node),
                    format!(
                        "environment `{}/{}` has no region: flagops.yaml says where other environments live, so it must say where this one does",
                        quote(app_name),
                        quote(env_name)
                    ),
                )
                .label("no region")
                .help("add `region:` to the top-level `aws` block, the application's, or this environment's `aws` block"),
            );
        }
    }
}

/// The findings of one `aws` block at `node`.
fn block(aws: &AwsSettings, node: &str, what: &str, out: &mut Vec<Finding>) {
    let matches =
        |re: &LazyLock<Option<Regex>>, text: &str| re.as_ref().is_some_and(|re| re.is_match(text));
    let mut finding = |field: &str, message: String, label: &str, help: &str| {
        out.push(
            Finding::new(
                &AWS_LOCATION,
                Location::node(CONFIG_FILE, format!("{node}/{field}")),
                message,
            )
            .label(label.to_owned())
            .help(help.to_owned()),
        );
    };
    for (field, role) in [
        ("role_arn", &aws.role_arn),
        ("read_role_arn", &aws.read_role_arn),
    ] {
        if let Some(role) = role
            && !matches(&ROLE_ARN, role)
        {
            finding(
                field,
                format!(
                    "`{field}` `{}` in {what} is not an IAM role ARN",
                    quote(role)
                ),
                "not an IAM role ARN",
                "write it as `arn:aws:iam::<12-digit account id>:role/<role name>` (`arn:aws-cn:` or `arn:aws-us-gov:` in those partitions)",
            );
        }
    }
    if let Some(region) = &aws.region
        && !matches(&REGION, region)
    {
        finding(
            "region",
            format!(
                "`region` `{}` in {what} is not an AWS region name",
                quote(region)
            ),
            "not a region name",
            "write a region code such as `us-east-1` or `eu-west-1`",
        );
    }
    if aws.external_id.is_some() && aws.role_arn.is_none() && aws.read_role_arn.is_none() {
        finding(
            "external_id",
            format!(
                "`external_id` in {what} has no `role_arn` beside it: an external id is sent only when assuming a role of its own block"
            ),
            "no role_arn in this block",
            "add the `role_arn` whose trust policy asks for this external id to the same block, or remove `external_id`",
        );
    }
    if let Some(url) = &aws.endpoint_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        finding(
            "endpoint_url",
            format!(
                "`endpoint_url` `{}` in {what} is not an http(s) URL",
                quote(url)
            ),
            "not an http(s) URL",
            "write the endpoint as `https://host[:port]`, or remove `endpoint_url` to use AWS's regional endpoint",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_and_regions_are_told_from_near_misses() {
        let role = |s: &str| ROLE_ARN.as_ref().is_some_and(|re| re.is_match(s));
        assert!(role("arn:aws:iam::111122223333:role/flagops"));
        assert!(role(
            "arn:aws-us-gov:iam::111122223333:role/path/to/flagops"
        ));
        assert!(!role("arn:aws:iam::1111:role/flagops"));
        assert!(!role("arn:aws:iam::111122223333:user/flagops"));
        assert!(!role("arn:aws:iam::111122223333:role/"));
        let region = |s: &str| REGION.as_ref().is_some_and(|re| re.is_match(s));
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-4",
            "us-isob-east-1",
        ] {
            assert!(region(ok), "{ok}");
        }
        for bad in ["eu-west", "EU-WEST-1", "euwest1", "us-east-1a"] {
            assert!(!region(bad), "{bad}");
        }
    }
}
