//! Fuzzing of every parser that reads input from outside, through the real parsers, with
//! structured-but-hostile input (issue #17). `PROPTEST_CASES` sets the cases per target (256
//! by default); `scripts/figures.sh` runs a long form and collects the `fuzz ...` lines.

mod config_files;
mod manifests;
mod name_patterns;
mod queries;
mod registry_blobs;
mod support;
mod tokens;
