//! [`SharedStr`]: an immutable string whose bytes many owners share, and [`Interner`], which
//! hands out one per distinct text. A large registry repeats the same few strings in every
//! object (project, owner, `INT64`, tag keys and values, feature names), so the catalog keeps
//! each once per load instead of once per object. The empty string allocates nothing.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A shared immutable string: derefs to `str`, serializes as one (the wire shape of a
/// `String`), and compares, orders and hashes as its text does.
#[derive(Clone, Default)]
pub struct SharedStr(Option<Arc<str>>);

impl SharedStr {
    pub fn as_str(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Whether both hold the very same bytes (not merely equal text).
    pub fn ptr_eq(a: &SharedStr, b: &SharedStr) -> bool {
        match (&a.0, &b.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Hash and order agree with `str`'s, so `&str` looks a `SharedStr` up in maps and sets.
impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Hash for SharedStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &SharedStr) -> bool {
        SharedStr::ptr_eq(self, other) || self.as_str() == other.as_str()
    }
}

impl Eq for SharedStr {}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &SharedStr) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    fn cmp(&self, other: &SharedStr) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

macro_rules! eq_with {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for SharedStr {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }
        impl PartialEq<SharedStr> for $other {
            fn eq(&self, other: &SharedStr) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}
eq_with!(str, &str, String);

impl From<&str> for SharedStr {
    fn from(text: &str) -> SharedStr {
        if text.is_empty() {
            SharedStr(None)
        } else {
            SharedStr(Some(Arc::from(text)))
        }
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> SharedStr {
        SharedStr::from(text.as_str())
    }
}

impl From<&String> for SharedStr {
    fn from(text: &String) -> SharedStr {
        SharedStr::from(text.as_str())
    }
}

impl From<SharedStr> for String {
    fn from(text: SharedStr) -> String {
        text.as_str().to_string()
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SharedStr, D::Error> {
        String::deserialize(deserializer).map(SharedStr::from)
    }
}

/// One [`SharedStr`] per distinct text seen, for the life of one load: objects decoded with
/// the same interner share their repeated strings. Dropped after the load, so a string no
/// object holds any more is freed with its last object.
#[derive(Default)]
pub struct Interner {
    seen: HashSet<SharedStr>,
}

impl Interner {
    /// The shared copy of `text`, made on first sight.
    pub fn intern(&mut self, text: &str) -> SharedStr {
        if text.is_empty() {
            return SharedStr::default();
        }
        if let Some(shared) = self.seen.get(text) {
            return shared.clone();
        }
        let shared = SharedStr::from(text);
        self.seen.insert(shared.clone());
        shared
    }

    /// Distinct texts held.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_texts_share_one_allocation_and_the_empty_string_none() {
        let mut interner = Interner::default();
        let a = interner.intern("INT64");
        let b = interner.intern(&String::from("INT64"));
        assert!(SharedStr::ptr_eq(&a, &b));
        assert!(!SharedStr::ptr_eq(&a, &SharedStr::from("INT64")));
        assert_eq!(a, SharedStr::from("INT64"));
        assert_eq!(interner.len(), 1);
        let empty = interner.intern("");
        assert!(empty.is_empty() && empty.0.is_none());
        assert_eq!(SharedStr::from(String::new()).0, None);
        assert_eq!(interner.len(), 1);
    }

    #[test]
    fn behaves_as_its_text() {
        let s = SharedStr::from("driver");
        assert_eq!(s, "driver");
        assert_eq!("driver", s);
        assert_eq!(s, String::from("driver"));
        assert_eq!(&*s, "driver");
        assert!(SharedStr::from("a") < SharedStr::from("b"));
        assert!(SharedStr::default() < SharedStr::from("a"));
        assert_eq!(format!("{s} {s:?}"), "driver \"driver\"");
        let set: HashSet<SharedStr> = [s.clone()].into();
        assert!(set.contains("driver"));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"driver\"");
        assert_eq!(serde_json::from_str::<SharedStr>(&json).unwrap(), s);
        assert_eq!(
            serde_json::to_string(&SharedStr::default()).unwrap(),
            "\"\""
        );
    }
}
