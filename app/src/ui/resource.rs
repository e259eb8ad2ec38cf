//! The one way pages load their data: a [`Resource`] whose value crosses from the server to the
//! browser as JSON read with `serde_json::from_slice`.
//!
//! Why not `Resource::new`: its codec reads the page's serialized data with `from_str`, while
//! server functions read their answers with `from_slice` (server_fn's `Json`). The two readers are
//! two instances of every data type's deserializer in the browser bundle; with one reader the
//! wasm is a fifth smaller (issue #20, scripts/bundle-size.sh). The JSON and the values are the same.

use leptos::prelude::Resource;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// JSON written as text and read as bytes, the reader server functions use.
pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// `Resource::new` with the [`JsonBytes`] codec: loads `fetcher(source())` on the server, sends
/// the value with the page, and reloads it in the browser when `source` changes.
#[track_caller]
pub fn page_resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, JsonBytes>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes_and_refuses_what_is_not_json() {
        let value: Result<Vec<(String, u32)>, String> = Ok(vec![("ä\"b".into(), 7)]);
        let text = <JsonBytes as Encoder<_>>::encode(&value).expect("serializable");
        let back: Result<Vec<(String, u32)>, String> =
            <JsonBytes as Decoder<_>>::decode(&text).expect("its own JSON");
        assert_eq!(back, value);
        assert!(<JsonBytes as Decoder<Vec<u32>>>::decode("[1,").is_err());
    }
}
