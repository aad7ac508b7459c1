//! flagops: GitOps for AWS AppConfig feature flags.
//!
//! The pipeline, one module per stage: [`load`] → [`check`] → [`compile`], reported through
//! [`finding`] and rendered by [`output`]; [`cache`] keeps what `check` found per file and
//! profile. [`commands`] wires the stages per command;
//! [`exit`] decides exit codes; [`secrets`] masks credentials in everything printed;
//! [`vocabulary`] holds AppConfig's names.

pub mod adopt;
pub mod apply;
pub mod cache;
pub mod check;
pub mod cli;
pub mod codegen;
pub mod commands;
pub mod compile;
pub mod drift;
pub mod exit;
pub mod finding;
pub mod freeze;
pub mod fsutil;
pub mod git;
pub mod import;
pub mod init;
pub mod ledger;
pub mod live;
pub mod load;
pub mod model;
pub mod output;
pub mod plan;
pub mod refs;
pub mod secrets;
pub mod status;
pub mod vocabulary;
pub mod watch;
