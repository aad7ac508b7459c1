//! The typed model of a flags repository: `flagops.yaml` and the flag files, each file kept
//! with its path so rules can point back at the YAML.

pub mod config;
pub mod flags;

use crate::load::yaml::escape_pointer;
pub use config::RepoConfig;
pub use flags::{EnvValue, Flag, FlagFile};

/// The typed repository: what parsed and matched its schema.
#[derive(Debug, Default)]
pub struct Model {
    /// flagops.yaml, when it is valid.
    pub config: Option<RepoConfig>,
    /// Valid flag files, by repository-relative path, in path order.
    pub files: Vec<(String, FlagFile)>,
}

/// A flag together with where it is defined.
#[derive(Debug, Clone, Copy)]
pub struct FlagRef<'a> {
    pub file: &'a str,
    pub application: &'a str,
    pub profile: &'a str,
    pub key: &'a str,
    pub flag: &'a Flag,
}

impl<'a> FlagRef<'a> {
    /// JSON Pointer of the flag in its file.
    pub fn pointer(&self) -> String {
        format!("/flags/{}", escape_pointer(self.key))
    }

    /// The flag's value blocks: `defaults` first, then each environment, with their pointers
    /// and environment names (`None` for defaults).
    pub fn value_blocks(&self) -> impl Iterator<Item = (String, Option<&'a str>, &'a EnvValue)> {
        let base = self.pointer();
        std::iter::once((format!("{base}/defaults"), None, &self.flag.defaults)).chain(
            self.flag.environments.iter().map(move |(env, value)| {
                (
                    format!("{base}/environments/{}", escape_pointer(env)),
                    Some(env.as_str()),
                    value,
                )
            }),
        )
    }
}

impl Model {
    /// Every flag of every file, in file order then definition order.
    pub fn flags(&self) -> impl Iterator<Item = FlagRef<'_>> {
        self.files.iter().flat_map(|(path, file)| {
            file.flags.iter().flatten().map(move |(key, flag)| FlagRef {
                file: path,
                application: &file.application,
                profile: &file.profile,
                key,
                flag,
            })
        })
    }
}
