//! Names of Feast's protobuf enum values (the console shows and exports names, not numbers;
//! protobuf JSON carries names). Each table is the one list of an enum: number to name and
//! name to number are both read from it.

/// The number a JSON enum name this console does not know decodes to; shown as `UNKNOWN`.
pub const UNRECOGNIZED: i32 = -1;

/// `feast.types.ValueType.Enum`.
pub const VALUE_TYPES: &[(i32, &str)] = &[
    (0, "INVALID"),
    (1, "BYTES"),
    (2, "STRING"),
    (3, "INT32"),
    (4, "INT64"),
    (5, "DOUBLE"),
    (6, "FLOAT"),
    (7, "BOOL"),
    (8, "UNIX_TIMESTAMP"),
    (11, "BYTES_LIST"),
    (12, "STRING_LIST"),
    (13, "INT32_LIST"),
    (14, "INT64_LIST"),
    (15, "DOUBLE_LIST"),
    (16, "FLOAT_LIST"),
    (17, "BOOL_LIST"),
    (18, "UNIX_TIMESTAMP_LIST"),
    (19, "NULL"),
    (20, "MAP"),
    (21, "MAP_LIST"),
    (22, "BYTES_SET"),
    (23, "STRING_SET"),
    (24, "INT32_SET"),
    (25, "INT64_SET"),
    (26, "DOUBLE_SET"),
    (27, "FLOAT_SET"),
    (28, "BOOL_SET"),
    (29, "UNIX_TIMESTAMP_SET"),
    (32, "JSON"),
    (33, "JSON_LIST"),
    (34, "STRUCT"),
    (35, "STRUCT_LIST"),
    (36, "UUID"),
    (37, "TIME_UUID"),
    (38, "UUID_LIST"),
    (39, "TIME_UUID_LIST"),
    (40, "UUID_SET"),
    (41, "TIME_UUID_SET"),
    (42, "VALUE_LIST"),
    (43, "VALUE_SET"),
    (44, "DECIMAL"),
    (45, "DECIMAL_LIST"),
    (46, "DECIMAL_SET"),
    (47, "SCALAR_MAP"),
    (48, "ZONED_TIMESTAMP"),
];

/// `feast.core.DataSource.SourceType`.
pub const SOURCE_TYPES: &[(i32, &str)] = &[
    (0, "INVALID"),
    (1, "BATCH_FILE"),
    (2, "BATCH_BIGQUERY"),
    (3, "STREAM_KAFKA"),
    (4, "STREAM_KINESIS"),
    (5, "BATCH_REDSHIFT"),
    (6, "CUSTOM_SOURCE"),
    (7, "REQUEST_SOURCE"),
    (8, "BATCH_SNOWFLAKE"),
    (9, "PUSH_SOURCE"),
    (10, "BATCH_TRINO"),
    (11, "BATCH_SPARK"),
    (12, "BATCH_ATHENA"),
    (13, "BATCH_ICEBERG"),
];

pub fn value_type(n: i32) -> String {
    named(
        VALUE_TYPES
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, name)| *name),
        n,
    )
}

pub fn source_type(n: i32) -> String {
    named(
        SOURCE_TYPES
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, name)| *name),
        n,
    )
}

/// `feast.core.PermissionSpec.Type`, in number order.
pub const PERMISSION_TYPES: [&str; 12] = [
    "FEATURE_VIEW",
    "ON_DEMAND_FEATURE_VIEW",
    "BATCH_FEATURE_VIEW",
    "STREAM_FEATURE_VIEW",
    "ENTITY",
    "FEATURE_SERVICE",
    "DATA_SOURCE",
    "VALIDATION_REFERENCE",
    "SAVED_DATASET",
    "PERMISSION",
    "PROJECT",
    "LABEL_VIEW",
];

/// `feast.core.PermissionSpec.AuthzedAction`, in number order.
pub const AUTHZED_ACTIONS: [&str; 8] = [
    "CREATE",
    "DESCRIBE",
    "UPDATE",
    "DELETE",
    "READ_ONLINE",
    "READ_OFFLINE",
    "WRITE_ONLINE",
    "WRITE_OFFLINE",
];

pub fn permission_type(n: i32) -> String {
    indexed(&PERMISSION_TYPES, n)
}

pub fn authzed_action(n: i32) -> String {
    indexed(&AUTHZED_ACTIONS, n)
}

fn indexed(names: &[&str], n: i32) -> String {
    named(
        usize::try_from(n).ok().and_then(|i| names.get(i)).copied(),
        n,
    )
}

fn named(name: Option<&str>, n: i32) -> String {
    match name {
        Some(name) => name.to_string(),
        None if n == UNRECOGNIZED => "UNKNOWN".to_string(),
        None => format!("UNKNOWN_{n}"),
    }
}

/// The number of `name` in a number-to-name table.
pub fn number_in(table: &[(i32, &str)], name: &str) -> Option<i32> {
    table.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
}

/// The number of `name` in a list in number order.
pub fn position_in(names: &[&str], name: &str) -> Option<i32> {
    names
        .iter()
        .position(|n| *n == name)
        .and_then(|i| i32::try_from(i).ok())
}
