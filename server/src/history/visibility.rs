//! What a viewer may see of the recorded history: an entry only when they may DESCRIBE its
//! object, decided by the catalog's evaluator (`app::catalog::visibility::DescribeRules`) with
//! the registry's current permissions. The catalog's per-snapshot cache cannot answer here: a
//! history entry's object is a copy (or no longer in the registry), and that cache fails
//! closed on anything that is not its snapshot's own object.

use app::auth::SessionView;
use app::catalog::model::CatalogObject;
use app::catalog::query::Visibility;
use app::catalog::visibility::{feast_user, Decision, DescribeRules};
use app::permissions::model::User;

use crate::catalog::visibility::CatalogVisibility;
use crate::registry::refresher::Registries;

/// One request's decision on history entries.
pub struct HistoryVisibility {
    everything: bool,
    user: Option<User>,
    /// Each registry's current permissions; a registry not read yet shows nothing.
    registries: Vec<(String, DescribeRules)>,
}

impl HistoryVisibility {
    /// `session`'s view of `registry` (the only one a timeline reads), under the catalog's rules.
    pub fn for_session(
        catalog: &CatalogVisibility,
        registries: &Registries,
        registry: &str,
        session: &SessionView,
    ) -> HistoryVisibility {
        let Some(identity) = session.identity.as_ref() else {
            return HistoryVisibility::nothing();
        };
        if catalog.sees_everything(session) {
            return HistoryVisibility {
                everything: true,
                user: None,
                registries: Vec::new(),
            };
        }
        let rules = registries
            .handles
            .iter()
            .filter(|h| h.name == registry)
            .filter_map(|h| {
                let snapshot = h.snapshot()?;
                let objects = snapshot.projects.iter().chain(snapshot.objects.iter());
                Some((
                    h.name.clone(),
                    DescribeRules::new(objects.map(|o| &**o), None),
                ))
            })
            .collect();
        HistoryVisibility {
            everything: false,
            user: Some(feast_user(identity)),
            registries: rules,
        }
    }

    pub fn nothing() -> HistoryVisibility {
        HistoryVisibility {
            everything: false,
            user: None,
            registries: Vec::new(),
        }
    }
}

impl Visibility for HistoryVisibility {
    fn may_describe(&self, registry: &str, object: &CatalogObject) -> bool {
        if object.is_internal() {
            return false;
        }
        if self.everything {
            return true;
        }
        let Some(user) = &self.user else {
            return false;
        };
        self.registries
            .iter()
            .find(|(name, _)| name == registry)
            .is_some_and(|(_, rules)| rules.decide(user, object) == Decision::Allow)
    }
}
