//! The guide's recovery-priority table: every component assessed, in restoration order.

use super::assess::{assess_offline, assess_online, assess_operator, Assessment, Inputs};
use super::assess_registry::assess_registry;

/// All four components in recovery order.
pub fn assess_all(i: &Inputs) -> Vec<Assessment> {
    vec![
        assess_registry(i),
        assess_online(i),
        assess_offline(i),
        assess_operator(i),
    ]
}
