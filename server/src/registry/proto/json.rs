//! Protobuf JSON (what Feast's registry server sends, via `MessageToDict`) into the same
//! prost messages the binary registries decode to. The messages derive `serde::Deserialize`
//! with lowerCamelCase names and defaults for absent fields; unknown fields are ignored. This
//! file holds the parts of the protobuf JSON mapping serde does not do by itself: Timestamps
//! as RFC 3339, Durations as `"86400s"`, and enums by name.

use app::util::time::Instant;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::common::{Duration, Timestamp};
use super::{names, permission::Policy};

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        let instant = Instant::parse_rfc3339(&text)
            .ok_or_else(|| de::Error::custom(format!("not an RFC 3339 timestamp: {text}")))?;
        Ok(Timestamp {
            seconds: instant.seconds,
            // Below 10^9 by construction.
            nanos: instant.nanos as i32,
        })
    }
}

impl<'de> Deserialize<'de> for Duration {
    /// `"86400s"`, `"1.5s"`, `"-0.25s"`: seconds with up to nine fraction digits.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        let bad = || de::Error::custom(format!("not a protobuf JSON duration: {text}"));
        let number = text.strip_suffix('s').ok_or_else(bad)?;
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let seconds: i64 = whole.parse().map_err(|_| bad())?;
        let nanos: i32 = format!("{fraction:0<9}").parse().map_err(|_| bad())?;
        let negative = whole.starts_with('-');
        Ok(Duration {
            seconds,
            nanos: if negative { -nanos } else { nanos },
        })
    }
}

/// An enum value as protobuf JSON writes it: its name, or its number when the writer did not
/// know the name. A name this console does not know is [`names::UNRECOGNIZED`], not an error,
/// so one new enum value in a newer Feast does not make the whole object unreadable.
#[derive(Deserialize)]
#[serde(untagged)]
enum EnumValue {
    Number(i32),
    Name(String),
}

impl EnumValue {
    fn number(self, number_of: impl Fn(&str) -> Option<i32>) -> i32 {
        match self {
            EnumValue::Number(n) => n,
            EnumValue::Name(name) => number_of(&name).unwrap_or(names::UNRECOGNIZED),
        }
    }
}

/// `feast.types.ValueType.Enum` by name.
pub fn value_type<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    Ok(EnumValue::deserialize(d)?.number(|n| names::number_in(names::VALUE_TYPES, n)))
}

/// `DataSource.SourceType` by name.
pub fn source_type<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    Ok(EnumValue::deserialize(d)?.number(|n| names::number_in(names::SOURCE_TYPES, n)))
}

/// Repeated `PermissionSpec.Type` by name.
pub fn permission_types<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i32>, D::Error> {
    Ok(Vec::<EnumValue>::deserialize(d)?
        .into_iter()
        .map(|v| v.number(|n| names::position_in(&names::PERMISSION_TYPES, n)))
        .collect())
}

/// Repeated `PermissionSpec.AuthzedAction` by name.
pub fn authzed_actions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i32>, D::Error> {
    Ok(Vec::<EnumValue>::deserialize(d)?
        .into_iter()
        .map(|v| v.number(|n| names::position_in(&names::AUTHZED_ACTIONS, n)))
        .collect())
}

/// The other way, for writes: repeated `PermissionSpec.Type` as names (unknown numbers left out).
pub fn permission_type_names<S: Serializer>(types: &[i32], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(
        types.iter().filter_map(|t| {
            app::permissions::ResourceType::from_proto_number(*t).map(|t| t.name())
        }),
    )
}

/// Repeated `PermissionSpec.AuthzedAction` as names (unknown numbers left out).
pub fn authzed_action_names<S: Serializer>(actions: &[i32], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(
        actions
            .iter()
            .filter_map(|a| app::permissions::Action::from_proto_number(*a).map(|a| a.name())),
    )
}

/// A spec without a policy is written as `{}` (AllowAll), as Feast's apply body wants one.
pub fn policy_or_allow_all<S: Serializer>(
    policy: &Option<Policy>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match policy {
        Some(policy) => policy.serialize(s),
        None => Policy::default().serialize(s),
    }
}
