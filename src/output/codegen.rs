//! What `flagops codegen --check` says about a generated file that is out of date.

pub fn stale(path: &str, missing: bool) -> String {
    if missing {
        format!("{path} does not exist: run `flagops codegen` with the same options to write it\n")
    } else {
        format!(
            "{path} is out of date with the flags: run `flagops codegen` with the same options (without --check) to regenerate it\n"
        )
    }
}
