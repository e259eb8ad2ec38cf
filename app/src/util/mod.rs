//! Small pure helpers that several areas need, on the server and in the browser alike: one
//! home each, so they cannot drift apart again.

pub mod csv;
pub mod percent;
pub mod severity;
pub mod shared_str;
pub mod time;
