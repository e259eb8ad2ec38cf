//! [`Tags`]: an object's tags, sorted by key, in one exact-size allocation.
//!
//! A `BTreeMap` node holds room for eleven pairs, so two tags cost a few hundred bytes per
//! object; a registry of 100,000 views has that 100,000 times. Serialized as the JSON object
//! the map was, so the wire shape is unchanged.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::util::shared_str::SharedStr;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Tags(Box<[(SharedStr, SharedStr)]>);

impl Tags {
    /// From pairs sorted by key with no key twice (what a `BTreeMap` yields).
    fn from_sorted(pairs: Vec<(SharedStr, SharedStr)>) -> Tags {
        Tags(pairs.into_boxed_slice())
    }

    pub fn get(&self, key: &str) -> Option<&SharedStr> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Sets one tag, keeping the order (a copy of the pairs: for building and tests, not loops).
    pub fn insert(&mut self, key: impl Into<SharedStr>, value: impl Into<SharedStr>) {
        let (key, value) = (key.into(), value.into());
        let mut pairs = std::mem::take(&mut self.0).into_vec();
        match pairs.binary_search_by(|(k, _)| k.as_str().cmp(key.as_str())) {
            Ok(i) => pairs[i].1 = value,
            Err(i) => pairs.insert(i, (key, value)),
        }
        self.0 = pairs.into_boxed_slice();
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Pairs in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&SharedStr, &SharedStr)> + '_ {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &SharedStr> + '_ {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As owned strings (what the permission model's resources hold).
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// From a map, each key and value made by `share` (an interner's, to share repeats).
    pub fn from_map_with(
        map: BTreeMap<String, String>,
        mut share: impl FnMut(&str) -> SharedStr,
    ) -> Tags {
        Tags::from_sorted(map.iter().map(|(k, v)| (share(k), share(v))).collect())
    }
}

/// Later pairs win over earlier ones with the same key, as inserting into a map does.
impl<K: Into<SharedStr>, V: Into<SharedStr>> FromIterator<(K, V)> for Tags {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Tags {
        let map: BTreeMap<SharedStr, SharedStr> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Tags::from_sorted(map.into_iter().collect())
    }
}

impl<K: Into<SharedStr>, V: Into<SharedStr>, const N: usize> From<[(K, V); N]> for Tags {
    fn from(pairs: [(K, V); N]) -> Tags {
        pairs.into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for Tags {
    fn from(map: BTreeMap<String, String>) -> Tags {
        map.into_iter().collect()
    }
}

impl IntoIterator for Tags {
    type Item = (SharedStr, SharedStr);
    type IntoIter = std::vec::IntoIter<(SharedStr, SharedStr)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a Tags {
    type Item = (&'a SharedStr, &'a SharedStr);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (SharedStr, SharedStr)>,
        fn(&'a (SharedStr, SharedStr)) -> (&'a SharedStr, &'a SharedStr),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl fmt::Debug for Tags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Tags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Tags, D::Error> {
        BTreeMap::<String, String>::deserialize(deserializer).map(Tags::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_key_later_pairs_win_and_json_is_a_map() {
        let tags = Tags::from([("tier", "gold"), ("team", "a"), ("tier", "silver")]);
        assert_eq!(tags.len(), 2);
        assert_eq!(tags.get("tier").map(|v| v.as_str()), Some("silver"));
        assert_eq!(tags.get("nope"), None);
        let keys: Vec<&str> = tags.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["team", "tier"]);
        let json = serde_json::to_string(&tags).unwrap();
        assert_eq!(json, r#"{"team":"a","tier":"silver"}"#);
        assert_eq!(serde_json::from_str::<Tags>(&json).unwrap(), tags);
        assert_eq!(tags.to_map(), serde_json::from_str(&json).unwrap());
        assert_eq!(format!("{tags:?}"), r#"{"team": "a", "tier": "silver"}"#);
    }
}
