//! The typed model of a flags repository: `flagops.yaml` and the flag files, each file kept
//! with its path so rules can point back at the YAML.

pub mod config;
pub mod flags;

use crate::load::yaml::push_pointer_segment;
pub use config::RepoConfig;
pub use flags::{EnvValue, Flag, FlagFile};

/// Parses a timestamp of the model (an active period's bounds, a freeze's): RFC 3339 with a
/// time and an offset. `Err` says, in words to follow "`<text>` ", why it is refused.
///
/// A leap second (`23:59:60Z`) is refused: flagops could read it (as 23:59:59), but an
/// active period is uploaded as written, and most clients' date libraries reject it.
pub fn parse_timestamp(text: &str) -> Result<jiff::Timestamp, &'static str> {
    let timestamp = text
        .parse::<jiff::Timestamp>()
        .map_err(|_| "is not an RFC 3339 timestamp")?;
    let seconds = text
        .split_once(['T', 't', ' '])
        .map(|(_, time)| time.get(6..8));
    if seconds == Some(Some("60")) {
        return Err(
            "is a leap second, which most clients cannot parse: write 23:59:59 or the next minute's :00",
        );
    }
    Ok(timestamp)
}

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
        flag_pointer(self.key)
    }

    /// The flag's value blocks: `defaults` first, then each environment, with where they are
    /// and their environment names (`None` for defaults).
    pub fn value_blocks(
        &self,
    ) -> impl Iterator<Item = (BlockPointer<'a>, Option<&'a str>, &'a EnvValue)> {
        let key = self.key;
        std::iter::once((BlockPointer { key, env: None }, None, &self.flag.defaults)).chain(
            self.flag.environments.iter().map(move |(env, value)| {
                let env = Some(env.as_str());
                (BlockPointer { key, env }, env, value)
            }),
        )
    }
}

/// Where a flag's value block is: displayed as its JSON Pointer, which is written out only
/// when a finding needs it (most blocks have none).
#[derive(Debug, Clone, Copy)]
pub struct BlockPointer<'a> {
    key: &'a str,
    /// `None` for `defaults`.
    env: Option<&'a str>,
}

/// The JSON Pointer of the flag `key` in its file.
fn flag_pointer(key: &str) -> String {
    let mut pointer = String::with_capacity("/flags/".len() + key.len());
    pointer.push_str("/flags");
    push_pointer_segment(&mut pointer, key);
    pointer
}

impl std::fmt::Display for BlockPointer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut pointer = flag_pointer(self.key);
        match self.env {
            None => pointer.push_str("/defaults"),
            Some(env) => {
                pointer.push_str("/environments");
                push_pointer_segment(&mut pointer, env);
            }
        }
        f.write_str(&pointer)
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

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn timestamps_are_rfc3339_with_an_offset_and_no_leap_second() {
        assert!(parse_timestamp("2027-03-01T08:00:00Z").is_ok());
        assert!(parse_timestamp("2027-03-01T09:00:00.5+01:00").is_ok());
        assert!(parse_timestamp("2027-03-01").is_err());
        let leap = parse_timestamp("2026-12-31T23:59:60Z").unwrap_err();
        assert!(leap.contains("leap second"), "{leap}");
        assert!(parse_timestamp("2026-12-31T23:59:59Z").is_ok());
    }
}
