//! A count at each replica number, shared by the cache figures (`model.rs`) and the
//! recommendations (`recommend.rs`).

use serde::{Deserialize, Serialize};

/// A count at the current, smallest and largest replica numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub current: i64,
    pub min: i64,
    pub max: i64,
}

impl Range {
    pub fn times(self, k: i64) -> Range {
        Range {
            current: self.current * k,
            min: self.min * k,
            max: self.max * k,
        }
    }
    pub fn plus(self, o: Range) -> Range {
        Range {
            current: self.current + o.current,
            min: self.min + o.min,
            max: self.max + o.max,
        }
    }
}
