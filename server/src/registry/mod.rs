//! Reading Feast registries: SQL (SQLite, PostgreSQL), file `registry.db`, and the registry
//! server's REST API, into immutable [`RegistrySnapshot`]s kept fresh by [`refresher`].

pub mod decode;
pub mod demo;
pub mod failure;
pub mod feature_store_yaml;
pub mod file;
pub mod load_error;
pub mod parallel_decode;
pub mod proto;
pub mod reader;
pub mod refresher;
pub mod rest;
pub mod row_cache;
pub mod snapshot;
pub mod source;
pub mod sql;
pub mod token;
pub mod write;
pub mod write_file;
pub mod write_rest;

pub use load_error::LoadError;
pub use reader::Reader;
pub use snapshot::RegistrySnapshot;
pub use source::{RegistrySource, SourceKind};
pub use token::RegistryToken;
