//! `flagops status`: every flag × every environment, from the live read drift makes.

use crate::check::scope::Purpose;
use crate::cli::StatusArgs;
use crate::exit::Exit;
use crate::status::{Inputs, RowFilter, StatusReport};
use crate::{drift, output};

pub fn run(args: &StatusArgs) -> anyhow::Result<Exit> {
    let today = args.today.date();
    let Some(checked) =
        super::live::checked(&args.repo.repo, today, Purpose::Monitor, &args.filter)?
    else {
        return Ok(Exit::refused());
    };
    let config = checked.config();
    let targets = checked.targets();
    let model = &checked.report.model;
    let (across, backend) = super::live::read_across(&args.backend, &checked, false)?;
    let drift::across::Across {
        findings,
        live,
        unreachable,
        ..
    } = across;
    // Only what was read: an account not reached has no cells.
    let targets: Vec<_> = (targets.into_iter())
        .filter(|t| !unreachable.iter().any(|u| u.targets.contains(&t.id)))
        .collect();
    let plan = crate::plan::plan(config, model, &targets, &live, &[]);
    let scan = references(&checked.root, config, model);
    let rows = crate::status::build(
        &Inputs {
            config,
            model,
            targets: &targets,
            live: &live,
            plan: &plan,
            findings: &findings,
            today,
            references: scan.as_ref(),
        },
        &RowFilter {
            owner: args.owner.as_deref(),
            class: args.class,
        },
    );
    let report = StatusReport {
        backend,
        today: today.to_string(),
        commit: crate::git::head_sha(&checked.root),
        repository: crate::status::repository_url(&checked.root),
        environments: crate::status::environments(config, &targets),
        rows,
        not_compared: checked.blocked.clone(),
        unreachable,
    };
    output::status::emit(&report, args.format, args.out.as_deref())?;
    Ok(Exit::for_status(&report))
}

/// Where code reads each flag, when flagops.yaml has `refs` settings; a warning (and no
/// references) when they cannot be used, which `flagops refs` explains.
fn references(
    root: &std::path::Path,
    config: &crate::model::RepoConfig,
    model: &crate::model::Model,
) -> Option<crate::refs::Scan> {
    let settings = config.refs.as_ref()?;
    let keys = model.flags().map(|f| f.key.to_owned()).collect();
    let skip = [
        config.flags_dir.as_str(),
        crate::load::CONFIG_FILE,
        config.ledger_dir.as_str(),
    ];
    match crate::refs::scan(root, settings, &[], &keys, &skip) {
        Ok(scan) => Some(scan),
        Err(_) => {
            output::print_warning(
                "the refs settings in flagops.yaml are not valid: no code references; `flagops refs` says why",
            );
            None
        }
    }
}
