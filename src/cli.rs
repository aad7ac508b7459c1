//! Command-line interface: clap types only. Each command's work lives in `commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// GitOps for AWS AppConfig feature flags.
#[derive(Debug, Parser)]
#[command(name = "flagops", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 nothing to report, 1 flagops failed, 2 findings/changes/drift for a human, 3 AppConfig rolled back or reverted a deployment."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every command takes.
#[derive(Debug, Args, Default, Clone)]
pub struct GlobalArgs {
    /// Log more on stderr: -v flagops's steps and AWS request ids, -vv the AWS SDK's too.
    /// FLAGOPS_LOG (or RUST_LOG) filters take precedence, e.g. `FLAGOPS_LOG=flagops=trace`.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Print only the report and errors: no warnings, progress or logs.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// When to colour output: auto (a terminal, unless NO_COLOR), always, never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: ColorWhen,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Schema-check and lint flagops.yaml and every flag file (no AWS needed).
    Check(CheckArgs),
    /// Print or write the document AppConfig will serve for each target.
    Compile(CompileArgs),
    /// Show, per target and flag, what would change live if this revision were applied.
    Plan(PlanArgs),
    /// Reconcile the whole desired state into AppConfig and watch each deployment to its end.
    Apply(ApplyArgs),
    /// Report where AppConfig serves something other than git, classified; record it in the ledger.
    Drift(DriftArgs),
    /// Show every flag in every environment: what is live, whether it is what git says, and
    /// the last deployment (a table, markdown, json, or a self-contained HTML page).
    Status(StatusArgs),
    /// Follow the deployments running on the selected targets to their end.
    Watch(WatchArgs),
    /// Write live values back into the flag files, on a branch of their own.
    Adopt(AdoptArgs),
    /// Stop a flagops rollout in progress, or revert a completed one; recorded in the ledger
    Stop(StopArgs),
    /// Work with the drift ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Write flagops.yaml and flag files from an existing AppConfig setup, exactly as live.
    Import(ImportArgs),
    /// Find where application code reads each flag: unreferenced and undefined flags.
    Refs(RefsArgs),
    /// Generate flag keys and their fallback values as Rust, TypeScript or Go source.
    Codegen(CodegenArgs),
    /// List every rule with its code, default level and summary.
    Rules(RulesArgs),
    /// Print the JSON Schemas of flagops.yaml and flag files (or write them to schemas/).
    Schema(SchemaArgs),
    /// Start a flags repository: flagops.yaml, an example flag file, schemas and workflows.
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `flagops man > flagops.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to start the repository in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The AppConfig application the example declares.
    #[arg(long = "app", default_value = "my-app", value_name = "NAME")]
    pub application: String,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// How results are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with the node underlined (colour respects NO_COLOR).
    Human,
    /// GitHub Actions workflow commands: annotations on the PR's changed lines.
    Github,
    /// One versioned JSON document (`version: 1`; fields are added, never changed).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// Markdown, for a job summary or a PR comment.
    Markdown,
}

#[derive(Debug, Args)]
pub struct RepoArgs {
    /// The repository: a directory at or below the one holding flagops.yaml.
    #[arg(short = 'C', long = "repo", value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Report only findings in these files or directories (everything is still loaded).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub today: TodayArg,
    /// Where to keep what check found per file and profile, so that the next run checks only
    /// what changed [default: .flagops/cache in the repository].
    #[arg(long, env = "FLAGOPS_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Check everything again, and neither read nor write the cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub filter: TargetFilter,
    /// Write `<app>/<env>/<profile>.json` files under this directory instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Indent the documents for reading. Without it, each document is byte for byte what
    /// apply uploads (its SHA-256 is the plan's `digest`).
    #[arg(long)]
    pub pretty: bool,
    #[command(flatten)]
    pub today: TodayArg,
}

/// The date time-driven rules (expiry) compare against.
#[derive(Debug, Args, Default, Clone)]
pub struct TodayArg {
    /// The date expiry rules compare against (YYYY-MM-DD); today by default.
    #[arg(long = "today", env = "FLAGOPS_TODAY", value_name = "DATE")]
    pub date: Option<jiff::civil::Date>,
}

impl TodayArg {
    /// The date given, or today.
    pub fn date(&self) -> jiff::civil::Date {
        self.date.unwrap_or_else(|| jiff::Zoned::now().date())
    }
}

/// Where flags are served.
#[derive(Debug, Args, Default, Clone)]
pub struct BackendArgs {
    /// `appconfig` (AWS, standard credentials and endpoint settings) or `local[:DIR]` (a
    /// directory that behaves like AppConfig; default DIR .flagops/local). Default: flagops.yaml's
    /// `backend`, else appconfig.
    #[arg(long, env = "FLAGOPS_BACKEND", value_name = "BACKEND")]
    pub backend: Option<crate::live::BackendSpec>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Deploy these flags' git values even though AppConfig rolled them back before
    /// (repeatable). Without it, rolled-back values stay held at their live values.
    #[arg(long, value_name = "FLAG")]
    pub retry: Vec<String>,
    #[command(flatten)]
    pub filter: TargetFilter,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
    #[command(flatten)]
    pub today: TodayArg,
    /// The time freezes are checked against (RFC 3339); now by default.
    #[arg(long, env = "FLAGOPS_NOW", value_name = "TIME")]
    pub now: Option<jiff::Timestamp>,
    /// Also save the plan to FILE, for `flagops apply FILE` to apply exactly this plan
    /// (refused there if the commit, the desired state or the live state has moved).
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// Show each changed target's unified document diff in the human format (the default).
    #[arg(long, overrides_with = "no_diff")]
    pub diff: bool,
    /// Leave the document diffs out of the human format: only the per-flag change lines.
    #[arg(long, overrides_with = "diff")]
    pub no_diff: bool,
    /// Print FILE, an earlier plan comment, marked stale for this workflow run, and exit
    /// without reading anything else: what a failed plan job posts over its last comment.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["out", "retry"])]
    pub mark_stale: Option<std::path::PathBuf>,
}

/// How a report without source locations is rendered (plan, apply and the other commands).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// For a terminal or a CI log.
    Human,
    /// For a job summary or a pull-request comment (plan's fits GitHub's comment size limit).
    Markdown,
    /// One versioned JSON document (see docs/json.md).
    Json,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved by `flagops plan --out FILE`: apply exactly it, with its selection, or
    /// refuse if the commit, the desired state or the live state has moved since. Without
    /// it, apply reconciles HEAD.
    #[arg(value_name = "PLAN", conflicts_with_all = ["application", "environment", "profile", "retry"])]
    pub plan: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Record in the drift ledger what apply sees: drift it restored, and rollbacks.
    #[arg(long)]
    pub record: bool,
    /// Deploy these flags' git values even though AppConfig rolled them back before
    /// (repeatable). Without it, rolled-back values stay held at their live values.
    #[arg(long, value_name = "FLAG")]
    pub retry: Vec<String>,
    #[command(flatten)]
    pub filter: TargetFilter,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Return once deployments are started instead of watching them to their end.
    #[arg(long)]
    pub no_wait: bool,
    /// Stop waiting for deployments after this many minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub timeout_minutes: u64,
    /// Seconds between polls of a running deployment.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub poll_seconds: u64,
    /// Environments deployed at the same time; 0, the default, deploys and waits on every
    /// environment at once (waiting costs nothing, and at most 10 requests to AppConfig are
    /// in flight whatever this is).
    #[arg(long, default_value_t = 0)]
    pub concurrency: usize,
    /// Run from a branch other than flagops.yaml's `default_branch` (or a detached HEAD).
    #[arg(long)]
    pub allow_any_branch: bool,
    /// Output format of the final report.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
    #[command(flatten)]
    pub today: TodayArg,
    /// Deploy through a freeze (`freezes` in flagops.yaml) anyway. Needs a scope (`--app`,
    /// `--env`) and `--reason`; recorded in the report and, before anything is deployed, in
    /// the drift ledger.
    #[arg(long, requires = "reason")]
    pub break_glass: bool,
    /// Why the glass is broken: recorded with who and what.
    #[arg(long, value_name = "TEXT", requires = "break_glass")]
    pub reason: Option<String>,
    /// The time freezes are checked against (RFC 3339); now by default.
    #[arg(long, env = "FLAGOPS_NOW", value_name = "TIME")]
    pub now: Option<jiff::Timestamp>,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub filter: TargetFilter,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Output format: github and sarif put each drifted flag on its line.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Add new findings (and resolutions of findings gone) to the ledger, committed on the
    /// branch `flagops/drift-ledger`.
    #[arg(long)]
    pub record: bool,
    /// Exit 2 on any drift, or only on drift the ledger does not already have.
    #[arg(long, value_enum, default_value = "any")]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any drift exits 2.
    Any,
    /// Only drift not yet in the ledger exits 2 (for scheduled jobs).
    New,
    /// Any drift, or flagops's own work still pending, exits 2.
    Pending,
}

#[derive(Debug, Args)]
pub struct StopArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The application, environment (and profile) whose rollout to stop: required.
    #[command(flatten)]
    pub filter: TargetFilter,
    /// Revert the completed deployment that is live (within 72 hours of its end), not only
    /// a rollout in progress.
    #[arg(long)]
    pub revert: bool,
    /// Why: recorded in the drift ledger with who stopped what.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, Args)]
pub struct AdoptArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub filter: TargetFilter,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Only these flags (repeatable); all drifted flags by default.
    #[arg(long = "flag", value_name = "KEY")]
    pub flags: Vec<String>,
    /// Edit the files but do not commit (no branch is created).
    #[arg(long)]
    pub no_commit: bool,
    /// Switch the checkout to the new branch. Without it, adopt commits on the branch and
    /// leaves the working tree and the current branch as they were.
    #[arg(long, conflicts_with = "no_commit")]
    pub checkout: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format (markdown is docs/rules.md).
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The directory to write the repository into (created if missing).
    #[arg(short = 'C', long = "repo", value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
    /// Only this application (repeatable); every application by default.
    #[arg(long = "app", value_name = "NAME")]
    pub applications: Vec<String>,
    /// Overwrite files that exist already.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, Args)]
pub struct RefsArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Source trees to scan, relative to the repository root; `refs.paths` of flagops.yaml
    /// (or the repository itself) by default.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct CodegenArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The language to generate.
    #[arg(long, value_enum)]
    pub lang: crate::codegen::Lang,
    /// Write to this file (relative to the current directory) instead of printing.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Do not write: exit 2 when FILE (--out) is not what would be generated.
    #[arg(long, requires = "out")]
    pub check: bool,
    /// Values of this environment, compiled, instead of each flag's `defaults`.
    #[arg(long = "env", value_name = "ENV")]
    pub environment: Option<String>,
    /// Only this application.
    #[arg(long = "app")]
    pub application: Option<String>,
    /// Only this configuration profile.
    #[arg(long)]
    pub profile: Option<String>,
    /// The Go package name.
    #[arg(long, default_value = "flags")]
    pub package: String,
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// List ledger records: open findings by default.
    List {
        #[command(flatten)]
        repo: RepoArgs,
        /// Also resolved findings and resolutions.
        #[arg(long)]
        all: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: ReportFormat,
    },
    /// Mark a finding acknowledged (committed on the ledger branch).
    Ack {
        #[command(flatten)]
        repo: RepoArgs,
        /// The finding's id.
        id: String,
        /// Why it is acceptable.
        #[arg(long)]
        note: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: ReportFormat,
    },
}

/// Selects targets, so a large repository can shard work across CI jobs.
#[derive(Debug, Args, Default, Clone)]
pub struct TargetFilter {
    /// Only this application.
    #[arg(long = "app")]
    pub application: Option<String>,
    /// Only this environment.
    #[arg(long = "env")]
    pub environment: Option<String>,
    /// Only this configuration profile.
    #[arg(long)]
    pub profile: Option<String>,
}

impl TargetFilter {
    pub fn selector(&self) -> crate::check::select::Selector<'_> {
        crate::check::select::Selector {
            application: self.application.as_deref(),
            environment: self.environment.as_deref(),
            profile: self.profile.as_deref(),
        }
    }
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write schemas/flagops.schema.json and schemas/flags.schema.json in the given repository.
    #[arg(long)]
    pub write: bool,
    /// Write nothing: exit 2 when the committed schemas differ from what flagops generates
    /// (for CI, so that editors never validate against stale ones).
    #[arg(long, conflicts_with = "write")]
    pub check: bool,
    #[command(flatten)]
    pub repo: RepoArgs,
}

/// How `flagops status` is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    /// An aligned table for a terminal or a CI log (fits 100 columns).
    Human,
    /// A table for a job summary or a pull-request comment.
    Markdown,
    /// One versioned JSON document (see docs/json.md).
    Json,
    /// One self-contained page (no external scripts, fonts or styles), with a filter box.
    Html,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub filter: TargetFilter,
    /// Only flags this owner answers for.
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// Only flags of this class (release, experiment, ops, kill-switch, permission).
    #[arg(long, value_name = "CLASS", value_parser = parse_class)]
    pub class: Option<crate::model::flags::FlagClass>,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: StatusFormat,
    /// Write the report to FILE instead of stdout (e.g. the HTML page a workflow publishes).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub today: TodayArg,
}

fn parse_class(text: &str) -> Result<crate::model::flags::FlagClass, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| "expected one of release, experiment, ops, kill-switch, permission".to_owned())
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub filter: TargetFilter,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Stop waiting after this many minutes (exit 2 when a deployment is still running).
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub timeout_minutes: u64,
    /// Seconds between polls of a running deployment.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub poll_seconds: u64,
}
