//! The app crate's integration tests, linked into one test binary.

mod support;

mod permissions_access;
mod permissions_oracle;
