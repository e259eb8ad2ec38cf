//! Does one permission match one object? Feast's `Permission.match_resource` (type, then name,
//! then required tags), evaluated both the way Feast really does it and the way the author meant.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{normalize_tags, python_strip, PermissionSpec, Resource, ResourceType};
use super::pyregex::{NamePattern, PatternMatch};

/// A three-valued match, plus Python raising while compiling a pattern.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "snake_case")]
pub enum MatchState {
    Yes,
    No,
    /// The console cannot tell; `maybe_error` says Python might also raise here.
    Unknown {
        reason: String,
        maybe_error: bool,
    },
    /// Python raises (`re.error`/`OverflowError`): Feast answers HTTP 500 / gRPC UNKNOWN.
    Error(String),
}

/// Which name pattern decided, for explanations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum NameVerdict {
    /// No `name_patterns`: every name matches.
    AnyName,
    Matched {
        pattern: String,
    },
    NoPatternMatched,
    Unknown {
        pattern: String,
        reason: String,
        maybe_error: bool,
    },
    Error {
        pattern: String,
        message: String,
    },
}

/// The `required_tags` check, as Feast applies it and as the author meant it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum TagVerdict {
    NotRequired,
    /// Feast skips the check (the object is not a Permission, or has no required tags of its
    /// own); `intended_match` says whether the object's own tags satisfy it.
    IgnoredByFeast {
        intended_match: bool,
    },
    Matched,
    Mismatch {
        key: String,
        wanted: String,
        found: Option<String>,
    },
}

/// The name check's outcome without its explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameState {
    Match,
    NoMatch,
    Unknown { maybe_error: bool },
    Error,
}

/// [`NameState`] plus which pattern decided and, when undecidable or failing, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameScan {
    pub state: NameState,
    pub pattern: Option<usize>,
    pub detail: Option<String>,
}

/// A permission prepared for evaluation: Feast's constructor normalisation applied, patterns
/// compiled once.
#[derive(Clone, Debug)]
pub struct CompiledPermission {
    pub spec: PermissionSpec,
    pub patterns: Vec<NamePattern>,
    /// Bit `t` set when the permission protects objects of type `t` (subclasses included).
    type_mask: u16,
}

impl CompiledPermission {
    pub fn new(spec: &PermissionSpec) -> Self {
        let mut spec = spec.clone();
        spec.name_patterns = spec
            .name_patterns
            .iter()
            .map(|p| python_strip(p).to_string())
            .collect();
        spec.required_tags = normalize_tags(&spec.required_tags);
        spec.tags = normalize_tags(&spec.tags);
        if spec.types.is_empty() {
            spec.types = ResourceType::ALL.to_vec();
        }
        let patterns = spec
            .name_patterns
            .iter()
            .map(|p| NamePattern::compile(p))
            .collect();
        let type_mask = ResourceType::ALL
            .iter()
            .filter(|t| spec.covers_type(**t))
            .fold(0u16, |m, t| m | (1 << *t as u16));
        CompiledPermission {
            spec,
            patterns,
            type_mask,
        }
    }

    /// `_resource_name_matches_name_patterns`: patterns are tried in order and the first full
    /// match wins, so a broken pattern after a matching one is never compiled by Python.
    /// Allocates only for the rare undecidable or failing patterns.
    pub fn name_scan(&self, name: &str) -> NameScan {
        if self.patterns.is_empty() {
            return NameScan {
                state: NameState::Match,
                pattern: None,
                detail: None,
            };
        }
        let mut first_unknown: Option<(usize, String)> = None;
        for (i, p) in self.patterns.iter().enumerate() {
            match p.fullmatch(name) {
                PatternMatch::Match => {
                    return NameScan {
                        state: NameState::Match,
                        pattern: Some(i),
                        detail: None,
                    }
                }
                PatternMatch::NoMatch => {}
                PatternMatch::Error(e) => {
                    return match first_unknown {
                        // Either the earlier pattern matched (no error) or Python raises here.
                        Some((j, reason)) => NameScan {
                            state: NameState::Unknown { maybe_error: true },
                            pattern: Some(j),
                            detail: Some(reason),
                        },
                        None => NameScan {
                            state: NameState::Error,
                            pattern: Some(i),
                            detail: Some(format!("{}: {}", e.python_type, e.message)),
                        },
                    };
                }
                PatternMatch::Unknown(reason) => {
                    if first_unknown.is_none() {
                        first_unknown = Some((i, reason));
                    }
                }
            }
        }
        match first_unknown {
            Some((j, reason)) => NameScan {
                state: NameState::Unknown { maybe_error: false },
                pattern: Some(j),
                detail: Some(reason),
            },
            None => NameScan {
                state: NameState::NoMatch,
                pattern: None,
                detail: None,
            },
        }
    }

    /// [`Self::name_scan`] for explanations.
    pub fn name_verdict(&self, name: &str) -> NameVerdict {
        let scan = self.name_scan(name);
        let pattern = || {
            scan.pattern
                .map(|i| self.spec.name_patterns[i].clone())
                .unwrap_or_default()
        };
        match scan.state {
            NameState::Match if self.patterns.is_empty() => NameVerdict::AnyName,
            NameState::Match => NameVerdict::Matched { pattern: pattern() },
            NameState::NoMatch => NameVerdict::NoPatternMatched,
            NameState::Unknown { maybe_error } => NameVerdict::Unknown {
                pattern: pattern(),
                reason: scan.detail.clone().unwrap_or_default(),
                maybe_error,
            },
            NameState::Error => NameVerdict::Error {
                pattern: pattern(),
                message: scan.detail.clone().unwrap_or_default(),
            },
        }
    }

    /// Whether the object's type is protected by this permission (precomputed).
    pub fn covers(&self, object_type: ResourceType) -> bool {
        self.type_mask & (1 << object_type as u16) != 0
    }

    /// Feast's tag rule as a yes/no, without building an explanation.
    pub fn feast_tags_match(&self, resource: &Resource) -> bool {
        if self.spec.required_tags.is_empty() || resource.resource_type != ResourceType::Permission
        {
            return true;
        }
        let own = normalize_tags(&resource.required_tags);
        own.is_empty() || tags_satisfied(&self.spec.required_tags, &own)
    }

    /// Feast's tag check (`matcher.resource_match_config`): only a Permission object carries
    /// `required_tags`, and an empty map there is `None` in Python, so the check is skipped.
    pub fn tag_verdict(&self, resource: &Resource) -> TagVerdict {
        if self.spec.required_tags.is_empty() {
            return TagVerdict::NotRequired;
        }
        if resource.resource_type == ResourceType::Permission {
            let own = normalize_tags(&resource.required_tags);
            if !own.is_empty() {
                return compare_tags(&self.spec.required_tags, &own);
            }
        }
        let intended_match =
            compare_tags(&self.spec.required_tags, &resource.tags) == TagVerdict::Matched;
        TagVerdict::IgnoredByFeast { intended_match }
    }

    /// What the author evidently meant: every required tag present with that value on the
    /// object's own `tags`.
    pub fn intended_tag_match(&self, resource: &Resource) -> bool {
        tags_satisfied(&self.spec.required_tags, &resource.tags)
    }

    /// `Permission.match_resource`, three-valued. `intended` applies required tags to the
    /// object's tags instead of Feast's rule.
    pub fn match_resource(&self, resource: &Resource, intended: bool) -> MatchState {
        if !self.covers(resource.resource_type) {
            return MatchState::No;
        }
        let scan = self.name_scan(&resource.name);
        let name_state = match scan.state {
            NameState::Match => MatchState::Yes,
            NameState::NoMatch => return MatchState::No,
            NameState::Unknown { maybe_error } => MatchState::Unknown {
                reason: scan.detail.unwrap_or_default(),
                maybe_error,
            },
            NameState::Error => return MatchState::Error(scan.detail.unwrap_or_default()),
        };
        let tags_ok = if intended {
            self.intended_tag_match(resource)
        } else {
            self.feast_tags_match(resource)
        };
        if !tags_ok {
            // Python reaches the tag check only after the name matched; an unknown name that
            // might raise still might raise.
            return match name_state {
                MatchState::Unknown {
                    reason,
                    maybe_error: true,
                } => MatchState::Unknown {
                    reason,
                    maybe_error: true,
                },
                _ => MatchState::No,
            };
        }
        name_state
    }
}

fn tags_satisfied(required: &BTreeMap<String, String>, have: &BTreeMap<String, String>) -> bool {
    required.iter().all(|(k, v)| have.get(k) == Some(v))
}

fn compare_tags(
    required: &BTreeMap<String, String>,
    have: &BTreeMap<String, String>,
) -> TagVerdict {
    for (key, wanted) in required {
        let found = have.get(key);
        if found != Some(wanted) {
            return TagVerdict::Mismatch {
                key: key.clone(),
                wanted: wanted.clone(),
                found: found.cloned(),
            };
        }
    }
    TagVerdict::Matched
}
