//! Server side of the cache area: the probe that times full registry reads and its history in
//! the console database, the plots (plotters, SVG), the pages' provider and the command line.

pub mod backend;
pub mod cli;
pub mod client_config;
pub mod plots;
pub mod probe;
pub mod store;
