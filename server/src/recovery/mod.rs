//! Server side of the recovery area: probes (PostgreSQL registry, registry files and backups,
//! Redis), the background round (on the probing replica only) that stores samples and the
//! latest report and feeds the page, exports and gauges, and the command line. The judging itself is pure and lives in `app::recovery`.

pub mod backend;
pub mod cli;
pub mod demo;
pub mod gather;
pub mod http;
pub mod latest;
pub mod plot;
pub mod redis;
pub mod registry_probe;
pub mod runner;
pub mod samples;
pub mod sources;
