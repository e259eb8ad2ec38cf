//! What a catalog page says while a registry's first read has not finished: an empty answer
//! then means "not read yet", never "nothing there".

/// The note for the registries still loading (by name); None when every one has been read.
pub fn loading_note(loading: &[String]) -> Option<String> {
    match loading {
        [] => None,
        [one] => Some(format!(
            "Registry “{one}” is loading: its objects appear here once it has been read."
        )),
        many => Some(format!(
            "Registries {} are loading: their objects appear here once they have been read.",
            many.iter()
                .map(|name| format!("“{name}”"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_each_registry_still_loading() {
        assert_eq!(loading_note(&[]), None);
        assert_eq!(
            loading_note(&["prod".into()]).unwrap(),
            "Registry “prod” is loading: its objects appear here once it has been read."
        );
        let two = loading_note(&["a".into(), "b".into()]).unwrap();
        assert!(two.starts_with("Registries “a”, “b” are loading"), "{two}");
    }
}
