//! Protobuf wire-level helpers for lossless read-modify-write.
//!
//! prost drops fields it does not know. To write back a message without losing fields that a
//! newer Feast added, [`merge_preserving_unknown`] takes the freshly encoded known fields and
//! re-attaches every field of the original bytes that the schema does not declare, at every
//! nesting level the schema describes.

/// Which field numbers a message declares, and for its singular message fields, their own
/// schema. Derived from the prost attributes by [`declared!`], so field numbers are written once.
#[derive(Clone, Copy)]
pub struct Schema {
    field: fn(u32) -> Option<Option<Schema>>,
}

impl Schema {
    /// `field(n)`: None when `n` is not declared, `Some(nested)` when it is.
    pub const fn new(field: fn(u32) -> Option<Option<Schema>>) -> Schema {
        Schema { field }
    }

    fn field(&self, number: u32) -> Option<Option<Schema>> {
        (self.field)(number)
    }
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schema")
    }
}

/// A message or oneof declared through [`declared!`].
pub trait Declared {
    /// The schema to merge field `number` of the enclosing message with: the message's own,
    /// or for a oneof, that of its variant `number`.
    fn schema_at(number: u32) -> Option<Schema>;
}

/// The nested schema a field of this Rust type has: singular messages and oneofs (`Option`)
/// have one; scalars, maps and repeated fields are kept or replaced whole.
pub trait FieldSchema {
    fn nested(number: u32) -> Option<Schema>;
}

impl<T: Declared> FieldSchema for Option<T> {
    fn nested(number: u32) -> Option<Schema> {
        T::schema_at(number)
    }
}

macro_rules! whole_fields {
    ($($ty:ty),*) => {
        $(impl FieldSchema for $ty {
            fn nested(_: u32) -> Option<Schema> {
                None
            }
        })*
    };
}
whole_fields!(String, bool, i32, i64, u32, u64, f32, f64);

impl<T> FieldSchema for Vec<T> {
    fn nested(_: u32) -> Option<Schema> {
        None
    }
}

impl<K, V> FieldSchema for std::collections::BTreeMap<K, V> {
    fn nested(_: u32) -> Option<Schema> {
        None
    }
}

/// Whether a prost `tag = "N"` or `tags = "N, M"` value names `number`.
pub fn declares(tags: &str, number: u32) -> bool {
    tags.split(',').any(|t| t.trim().parse() == Ok(number))
}

/// The `tag`/`tags` string of a `#[prost(...)]` attribute's tokens.
macro_rules! prost_tags {
    (tag = $tags:literal $($rest:tt)*) => { $tags };
    (tags = $tags:literal $($rest:tt)*) => { $tags };
    ($skip:tt $($rest:tt)*) => { $crate::registry::proto::wire::prost_tags!($($rest)*) };
}
pub(crate) use prost_tags;

/// Declares a prost message (or oneof) and derives its [`Schema`] from the same `#[prost]`
/// attributes. Each field's `#[prost(...)]` comes first, its other attributes (docs, serde) after.
macro_rules! declared {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                #[prost($($attr:tt)*)]
                $(#[$field_meta:meta])*
                $field_vis:vis $field:ident : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $(
                #[prost($($attr)*)]
                $(#[$field_meta])*
                $field_vis $field: $ty,
            )*
        }

        impl $name {
            #[allow(dead_code)]
            pub fn schema() -> $crate::registry::proto::wire::Schema {
                #[allow(unused_variables)]
                fn field(number: u32) -> Option<Option<$crate::registry::proto::wire::Schema>> {
                    $(
                        if $crate::registry::proto::wire::declares(
                            $crate::registry::proto::wire::prost_tags!($($attr)*),
                            number,
                        ) {
                            return Some(
                                <$ty as $crate::registry::proto::wire::FieldSchema>::nested(number),
                            );
                        }
                    )*
                    None
                }
                $crate::registry::proto::wire::Schema::new(field)
            }
        }

        impl $crate::registry::proto::wire::Declared for $name {
            fn schema_at(_: u32) -> Option<$crate::registry::proto::wire::Schema> {
                Some($name::schema())
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                #[prost($($attr:tt)*)]
                $(#[$variant_meta:meta])*
                $variant:ident($ty:ty)
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $(
                #[prost($($attr)*)]
                $(#[$variant_meta])*
                $variant($ty),
            )*
        }

        impl $crate::registry::proto::wire::Declared for $name {
            fn schema_at(number: u32) -> Option<$crate::registry::proto::wire::Schema> {
                $(
                    if $crate::registry::proto::wire::declares(
                        $crate::registry::proto::wire::prost_tags!($($attr)*),
                        number,
                    ) {
                        return <Option<$ty> as $crate::registry::proto::wire::FieldSchema>::nested(number);
                    }
                )*
                None
            }
        }
    };
}
pub(crate) use declared;

/// One top-level field of an encoded message: its number and its complete bytes (key included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawField<'a> {
    pub number: u32,
    pub wire_type: u8,
    /// Key and value, exactly as encoded.
    pub bytes: &'a [u8],
    /// For length-delimited fields, the payload without key and length.
    pub payload: Option<&'a [u8]>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WireError {
    #[error("truncated at byte {0}")]
    Truncated(usize),
    #[error("invalid varint at byte {0}")]
    BadVarint(usize),
    #[error("unsupported wire type {wire_type} at byte {at}")]
    BadWireType { wire_type: u8, at: usize },
    #[error("field number 0 at byte {0}")]
    ZeroField(usize),
}

fn varint(buf: &[u8], mut at: usize) -> Result<(u64, usize), WireError> {
    let start = at;
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(at).ok_or(WireError::Truncated(at))?;
        at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok((value, at));
        }
    }
    Err(WireError::BadVarint(start))
}

/// Splits an encoded message into its top-level fields, in wire order.
pub fn fields(buf: &[u8]) -> Result<Vec<RawField<'_>>, WireError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        let start = at;
        let (key, next) = varint(buf, at)?;
        at = next;
        let number = u32::try_from(key >> 3).map_err(|_| WireError::BadVarint(start))?;
        if number == 0 {
            return Err(WireError::ZeroField(start));
        }
        let wire_type = (key & 7) as u8;
        let mut payload = None;
        at = match wire_type {
            0 => varint(buf, at)?.1,
            1 => at
                .checked_add(8)
                .filter(|e| *e <= buf.len())
                .ok_or(WireError::Truncated(at))?,
            5 => at
                .checked_add(4)
                .filter(|e| *e <= buf.len())
                .ok_or(WireError::Truncated(at))?,
            2 => {
                let (len, body) = varint(buf, at)?;
                let end = usize::try_from(len)
                    .ok()
                    .and_then(|l| body.checked_add(l))
                    .filter(|e| *e <= buf.len())
                    .ok_or(WireError::Truncated(body))?;
                payload = Some(&buf[body..end]);
                end
            }
            // Groups (3, 4) are proto2-only; Feast's proto3 messages never contain them.
            _ => {
                return Err(WireError::BadWireType {
                    wire_type,
                    at: start,
                })
            }
        };
        out.push(RawField {
            number,
            wire_type,
            bytes: &buf[start..at],
            payload,
        });
    }
    Ok(out)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Returns `encoded` (the known fields, freshly encoded) plus every field of `original` that
/// `schema` does not declare; nested messages named in the schema are merged the same way
/// with the original's last occurrence of that field (protobuf's "last one wins").
pub fn merge_preserving_unknown(
    original: &[u8],
    encoded: &[u8],
    schema: Schema,
) -> Result<Vec<u8>, WireError> {
    let old = fields(original)?;
    let new = fields(encoded)?;
    let mut out = Vec::with_capacity(encoded.len() + original.len() / 4);
    for field in &new {
        let nested = schema.field(field.number).flatten();
        let old_payload = old
            .iter()
            .rev()
            .find(|f| f.number == field.number)
            .and_then(|f| f.payload);
        match (nested, field.payload, old_payload) {
            (Some(nested), Some(new_payload), Some(old_payload)) => {
                let merged = merge_preserving_unknown(old_payload, new_payload, nested)?;
                put_varint(&mut out, (u64::from(field.number) << 3) | 2);
                put_varint(&mut out, merged.len() as u64);
                out.extend_from_slice(&merged);
            }
            _ => out.extend_from_slice(field.bytes),
        }
    }
    for field in old.iter().filter(|f| schema.field(f.number).is_none()) {
        out.extend_from_slice(field.bytes);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    declared! {
        #[derive(Clone, PartialEq, prost::Message)]
        struct Inner {
            #[prost(string, tag = "1")]
            text: String,
        }
    }

    declared! {
        #[derive(Clone, PartialEq, prost::Message)]
        struct Outer {
            #[prost(string, tag = "1")]
            text: String,
            #[prost(message, optional, tag = "2")]
            inner: Option<Inner>,
        }
    }

    #[test]
    fn splits_fields_of_every_wire_type() {
        // 1: varint 150, 2: "hi", 3: fixed64, 4: fixed32
        let buf = [
            0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 1, 2, 3,
            4,
        ];
        let f = fields(&buf).unwrap();
        assert_eq!(
            f.iter().map(|f| f.number).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(f[1].payload, Some(&b"hi"[..]));
    }

    #[test]
    fn rejects_truncation_and_groups() {
        assert_eq!(fields(&[0x12, 0x05, b'a']), Err(WireError::Truncated(2)));
        assert!(matches!(
            fields(&[0x0b]),
            Err(WireError::BadWireType { wire_type: 3, .. })
        ));
        assert_eq!(fields(&[0x08]), Err(WireError::Truncated(1)));
        assert_eq!(fields(&[0x00, 0x00]), Err(WireError::ZeroField(0)));
    }

    #[test]
    fn keeps_unknown_fields_at_both_levels() {
        // original: 1="a", 2={1="x", 9=7}, 15=1
        let original = [
            0x0a, 1, b'a', 0x12, 5, 0x0a, 1, b'x', 0x48, 0x07, 0x78, 0x01,
        ];
        // new known fields: 1="b", 2={1="y"}
        let encoded = [0x0a, 1, b'b', 0x12, 3, 0x0a, 1, b'y'];
        let merged = merge_preserving_unknown(&original, &encoded, Outer::schema()).unwrap();
        assert_eq!(
            merged,
            vec![0x0a, 1, b'b', 0x12, 5, 0x0a, 1, b'y', 0x48, 0x07, 0x78, 0x01]
        );
    }

    #[test]
    fn dropped_known_message_drops_its_unknowns_too() {
        let original = [0x12, 2, 0x48, 0x07];
        let merged = merge_preserving_unknown(&original, &[], Outer::schema()).unwrap();
        assert!(merged.is_empty());
    }
}
