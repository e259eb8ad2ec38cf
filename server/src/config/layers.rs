//! The three sources of configuration values and their precedence: file < environment < flag.
//! Each value keeps where it came from, so an error can name it.

use std::{collections::BTreeMap, path::Path};

use super::error::ConfigError;
use super::keys::{self, Key, Kind};
use super::origin::Origin;

/// Raw values gathered from the layers, each with the place it came from.
#[derive(Default, Debug, Clone)]
pub struct Layers {
    values: BTreeMap<&'static str, (String, Origin)>,
}

impl Layers {
    /// Reads the TOML file. Unknown keys and non-scalar values are errors.
    pub fn with_file(mut self, path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        let table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| ConfigError::Syntax {
                    path: path.to_owned(),
                    message: e.message().to_string(),
                    line: e.span().map(|s| line_of(&text, s.start)),
                })?;
        for (name, value) in table {
            let origin = Origin::File(path.to_owned());
            let key = keys::find(&name).ok_or_else(|| ConfigError::UnknownKey {
                key: name.clone(),
                origin: origin.clone(),
            })?;
            let text = match value {
                toml::Value::String(s) => s,
                // A list's entries are joined as newline-separated text.
                toml::Value::Array(items) if key.kind == Kind::List => items
                    .into_iter()
                    .map(|item| match item {
                        toml::Value::String(s) => Ok(s),
                        other => Err(ConfigError::Invalid {
                            key: key.name,
                            origin: origin.clone(),
                            reason: format!(
                                "expected an array of strings, found an element of type {}",
                                other.type_str()
                            ),
                        }),
                    })
                    .collect::<Result<Vec<_>, _>>()?
                    .join("\n"),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    return Err(ConfigError::Invalid {
                        key: key.name,
                        origin,
                        reason: format!("expected a string or number, found {}", other.type_str()),
                    })
                }
            };
            self.values.insert(key.name, (text, origin));
        }
        Ok(self)
    }

    /// Reads `FEAST_CONSOLE_*` variables. An unknown one is an error, so typos are caught.
    pub fn with_env(
        mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        for (var, value) in vars {
            let Some(rest) = var.strip_prefix("FEAST_CONSOLE_") else {
                continue;
            };
            if rest == "CONFIG" {
                continue; // the file's path, read by the command line
            }
            let origin = Origin::Env(var.clone());
            let key =
                keys::find(&rest.to_ascii_lowercase()).ok_or_else(|| ConfigError::UnknownKey {
                    key: var.clone(),
                    origin: origin.clone(),
                })?;
            self.values.insert(key.name, (value, origin));
        }
        Ok(self)
    }

    /// Applies flags given on the command line (key name, value).
    pub fn with_flags(mut self, flags: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        for (name, value) in flags {
            let flag = keys::find(name)
                .and_then(Key::flag_name)
                .unwrap_or_else(|| name.replace('_', "-"));
            self.values
                .insert(name, (value, Origin::Flag(format!("--{flag}"))));
        }
        self
    }

    /// A value from a source its key does not allow (a secret in the file) is an error.
    pub(super) fn check_sources(&self) -> Result<(), ConfigError> {
        for (name, (_, origin)) in &self.values {
            let Some(key) = keys::find(name) else {
                continue;
            };
            if !key.allows(origin) {
                return Err(ConfigError::Invalid {
                    key: key.name,
                    origin: origin.clone(),
                    reason: refusal(key, origin),
                });
            }
        }
        Ok(())
    }

    /// The value of a key and where it came from; its default when no layer set it.
    pub(super) fn get(&self, name: &'static str) -> (String, Origin) {
        match self.values.get(name) {
            Some(v) => v.clone(),
            None => {
                let key = keys::find(name).expect("key names used by validate are in KEYS");
                (key.default.to_string(), Origin::Default)
            }
        }
    }

    /// The trimmed value, None when empty.
    pub(super) fn text(&self, name: &'static str) -> Option<String> {
        Some(self.get(name).0.trim().to_string()).filter(|t| !t.is_empty())
    }

    /// A number within the range its key declares.
    pub(super) fn number(&self, name: &'static str) -> Result<u64, ConfigError> {
        let (text, origin) = self.get(name);
        let reason = match keys::find(name).map(|k| k.kind) {
            Some(Kind::Number { min, max }) => match parse_in_range(&text, min, max) {
                Ok(n) => return Ok(n),
                Err(reason) => reason,
            },
            _ => "is not declared as a number".to_string(),
        };
        Err(ConfigError::Invalid {
            key: name,
            origin,
            reason,
        })
    }

    pub(super) fn bool(&self, name: &'static str) -> Result<bool, ConfigError> {
        let (text, origin) = self.get(name);
        match text.trim() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" | "" => Ok(false),
            other => Err(ConfigError::Invalid {
                key: name,
                origin,
                reason: format!("`{other}` is not true or false"),
            }),
        }
    }

    /// A list's entries, trimmed, without empty ones.
    pub(super) fn list(&self, name: &'static str) -> (Vec<String>, Origin) {
        let (text, origin) = self.get(name);
        let entries = text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect();
        (entries, origin)
    }
}

/// Why a key cannot come from `origin`, and where it can.
fn refusal(key: &Key, origin: &Origin) -> String {
    let what = if key.secret {
        "secrets do"
    } else {
        "this key does"
    };
    let place = match origin {
        Origin::Flag(_) => "not belong on the command line, where the process list shows them",
        _ => "not belong in the configuration file",
    };
    // A secret may also be read from a file named by its `<name>_file` key.
    let file_key = keys::find(&format!("{}_file", key.name))
        .map(|k| format!("{} or ", k.name))
        .unwrap_or_default();
    format!(
        "{what} {place}: use {file_key}the {} environment variable",
        key.env_var()
    )
}

pub(super) fn parse_in_range(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let n: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if n < min || n > max {
        return Err(format!("{n} is outside the allowed range {min}..={max}"));
    }
    Ok(n)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
