//! Lints: where Feast's real decision differs from what the permissions say, or where a
//! permission breaks Feast. Each lint names the objects and principals it affects.

use serde::Serialize;

use super::access::{effective_access, Access, Principal};
use super::evaluator::PermissionEvaluator;
use super::matching::MatchState;
use super::matrix::principals_from_policies;
use super::model::{Action, PermissionSpec, Policy, Resource, ResourceType};
use super::pyregex::{NamePattern, PatternMatch};
use crate::util::severity::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LintCode {
    ProjectWithoutPermissions,
    AllowAllUnreadable,
    EmptyActions,
    RequiredTagsIgnored,
    PatternInvalid,
    PatternUnsupported,
    PatternMatchesNothing,
    PatternCaseMismatch,
    PatternMatchesEverything,
    PolicyNeverGrants,
    UpdateImpossible,
    ObjectsUncovered,
    ProjectCallsUseServerProject,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    #[serde(rename = "type")]
    pub resource_type: ResourceType,
    pub name: String,
}

impl From<&Resource> for ObjectRef {
    fn from(r: &Resource) -> Self {
        ObjectRef {
            resource_type: r.resource_type,
            name: r.name.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lint {
    pub code: LintCode,
    pub severity: Severity,
    pub project: String,
    pub permission: Option<String>,
    pub message: String,
    pub objects: Vec<ObjectRef>,
    pub principals: Vec<String>,
}

/// What a project's lints look at.
pub struct LintContext<'a> {
    pub project: &'a str,
    /// In registry row order.
    pub permissions: &'a [PermissionSpec],
    /// The project's objects (its permissions are added as PERMISSION objects).
    pub objects: &'a [Resource],
    /// Principals to consider besides those named in policies.
    pub extra_principals: &'a [Principal],
    /// The project in the registry server's `feature_store.yaml`, when known.
    pub registry_server_project: Option<&'a str>,
}

pub fn lint_project(ctx: &LintContext) -> Vec<Lint> {
    lint_project_with(ctx, &PermissionEvaluator::new(ctx.permissions))
}

/// [`lint_project`] with `ctx.permissions` already compiled (the server keeps one compiled
/// evaluator per registry snapshot and project).
pub fn lint_project_with(ctx: &LintContext, evaluator: &PermissionEvaluator) -> Vec<Lint> {
    let mut objects: Vec<Resource> = ctx.objects.to_vec();
    objects.extend(ctx.permissions.iter().map(Resource::of_permission));
    let lint = |code, severity, permission: Option<&PermissionSpec>, message: String| Lint {
        code,
        severity,
        project: ctx.project.to_string(),
        permission: permission.map(|p| p.name.clone()),
        message,
        objects: Vec::new(),
        principals: Vec::new(),
    };
    let mut out = Vec::new();
    server_project_lints(ctx, &mut out, &lint);
    if ctx.permissions.is_empty() {
        let mut l = lint(
            LintCode::ProjectWithoutPermissions,
            Severity::Warning,
            None,
            "no permissions: once auth is on, every authenticated user may do everything here"
                .into(),
        );
        l.objects = objects.iter().map(ObjectRef::from).collect();
        l.principals = vec!["every authenticated user".into()];
        out.push(l);
        return out;
    }
    let principals = principals_from_policies(ctx.permissions, ctx.extra_principals);
    let matches: Vec<Vec<MatchState>> = evaluator
        .permissions()
        .iter()
        .map(|p| objects.iter().map(|o| p.match_resource(o, false)).collect())
        .collect();
    for (pi, p) in ctx.permissions.iter().enumerate() {
        let matched: Vec<ObjectRef> = objects
            .iter()
            .zip(&matches[pi])
            .filter(|(_, m)| **m == MatchState::Yes)
            .map(|(o, _)| o.into())
            .collect();
        if p.policy == Policy::AllowAll {
            let mut l = lint(
                LintCode::AllowAllUnreadable,
                Severity::Error,
                Some(p),
                "AllowAll policy: Feast 0.67 stores it as an empty Policy it cannot read back, which breaks \
                 `feast permissions list`, ListPermissions, the registry server's whole-registry Proto() call \
                 (used by remote registries) and every authorization in this project"
                    .into(),
            );
            l.objects = matched.clone();
            l.principals = vec!["everyone".into()];
            out.push(l);
        }
        if p.actions.is_empty() {
            out.push(lint(
                LintCode::EmptyActions,
                Severity::Error,
                Some(p),
                "no actions: Feast refuses to load this permission (ValueError), like AllowAll"
                    .into(),
            ));
        }
        if p.policy.never_grants() {
            let mut l = lint(
                LintCode::PolicyNeverGrants,
                Severity::Warning,
                Some(p),
                format!(
                    "policy lists no values ({}): it never grants, it can only deny",
                    p.policy.describe()
                ),
            );
            l.objects = matched.clone();
            out.push(l);
        }
        pattern_lints(p, &objects, &mut out, &lint);
    }
    let evaluated = Evaluated {
        ctx,
        evaluator: &evaluator,
        principals: &principals,
        objects: &objects,
        matches: &matches,
    };
    evaluated.required_tag_lints(&mut out, &lint);
    evaluated.update_lints(&mut out, &lint);
    let uncovered: Vec<ObjectRef> = objects
        .iter()
        .enumerate()
        .filter(|(oi, _)| matches.iter().all(|m| m[*oi] == MatchState::No))
        .map(|(_, o)| o.into())
        .collect();
    if !uncovered.is_empty() {
        let mut l = lint(
            LintCode::ObjectsUncovered,
            Severity::Warning,
            None,
            format!(
                "{} object(s) match no permission: every request on them is denied to everyone",
                uncovered.len()
            ),
        );
        l.objects = uncovered;
        out.push(l);
    }
    out
}

/// What the lints over every object share: the evaluator, the principals to check and each
/// permission's match of each object (`matches[permission][object]`).
#[derive(Clone, Copy)]
struct Evaluated<'a> {
    ctx: &'a LintContext<'a>,
    evaluator: &'a PermissionEvaluator,
    principals: &'a [Principal],
    objects: &'a [Resource],
    matches: &'a [Vec<MatchState>],
}

type MakeLint<'f> = dyn Fn(LintCode, Severity, Option<&PermissionSpec>, String) -> Lint + 'f;

fn server_project_lints(ctx: &LintContext, out: &mut Vec<Lint>, lint: &MakeLint) {
    let Some(server) = ctx.registry_server_project else {
        return;
    };
    let project_perms: Vec<&PermissionSpec> = ctx
        .permissions
        .iter()
        .filter(|p| p.covers_type(ResourceType::Project))
        .collect();
    if server == ctx.project {
        out.push(lint(
            LintCode::ProjectCallsUseServerProject,
            Severity::Info,
            None,
            "this is the registry server's own project: its permissions decide GetProject, ListProjects and \
             the project list of the REST /all endpoints for every project in the registry"
                .to_string(),
        ));
    } else if !project_perms.is_empty() {
        for p in project_perms {
            out.push(lint(
                LintCode::ProjectCallsUseServerProject,
                Severity::Warning,
                Some(p),
                format!(
                    "covers PROJECT, but GetProject/ListProjects carry no project field: access to project objects \
                 is decided by the permissions of the registry server's project {server:?}, not by this one"
                ),
            ));
        }
    }
}

fn pattern_lints(p: &PermissionSpec, objects: &[Resource], out: &mut Vec<Lint>, lint: &MakeLint) {
    let typed: Vec<&Resource> = objects
        .iter()
        .filter(|o| p.covers_type(o.resource_type))
        .collect();
    for source in &p.name_patterns {
        let pattern = NamePattern::compile(super::model::python_strip(source));
        if let Some(e) = pattern.python_error() {
            let mut l = lint(
                LintCode::PatternInvalid,
                Severity::Error,
                Some(p),
                format!(
                    "pattern {source:?} is not a valid Python regex ({}: {}): requests reaching it fail with HTTP 500",
                    e.python_type, e.message
                ),
            );
            l.objects = typed.iter().map(|o| (*o).into()).collect();
            out.push(l);
            continue;
        }
        if let Some(reason) = pattern.unsupported_reason() {
            out.push(lint(LintCode::PatternUnsupported, Severity::Warning, Some(p), format!(
                "pattern {source:?} {reason}: the console cannot evaluate it, decisions depending on it are shown as unknown")));
            continue;
        }
        let matched: Vec<&Resource> = typed
            .iter()
            .copied()
            .filter(|o| pattern.fullmatch(&o.name) == PatternMatch::Match)
            .collect();
        let folded = NamePattern::compile(&format!("(?i){}", super::model::python_strip(source)));
        let only_folded: Vec<&Resource> = typed
            .iter()
            .copied()
            .filter(|o| {
                pattern.fullmatch(&o.name) != PatternMatch::Match
                    && folded.fullmatch(&o.name) == PatternMatch::Match
            })
            .collect();
        if !only_folded.is_empty() && (matched.is_empty() || pattern.is_exact_literal()) {
            let mut l = lint(LintCode::PatternCaseMismatch, Severity::Warning, Some(p), format!(
                "pattern {source:?} is case-sensitive (re.fullmatch): it misses these names, which differ only by case"));
            l.objects = only_folded.iter().map(|o| (*o).into()).collect();
            out.push(l);
        } else if matched.is_empty() {
            let severity = if typed.is_empty() {
                Severity::Info
            } else {
                Severity::Warning
            };
            out.push(lint(LintCode::PatternMatchesNothing, severity, Some(p), format!(
                "pattern {source:?} matches none of the {} object(s) of this permission's types (re.fullmatch is anchored)",
                typed.len())));
        } else if matched.len() == typed.len() && typed.len() > 1 {
            out.push(lint(
                LintCode::PatternMatchesEverything,
                Severity::Info,
                Some(p),
                format!(
                "pattern {source:?} matches every object of this permission's types; in List calls a pattern still \
                 changes whether a denied object is dropped or fails the call"),
            ));
        }
    }
}

impl Evaluated<'_> {
    fn required_tag_lints(&self, out: &mut Vec<Lint>, lint: &MakeLint) {
        if !self
            .ctx
            .permissions
            .iter()
            .any(|p| !p.required_tags.is_empty())
        {
            return;
        }
        let requests: Vec<Vec<Action>> = Action::ALL.iter().map(|a| vec![*a]).collect();
        let actual = effective_access(
            self.evaluator,
            self.principals,
            self.objects,
            &requests,
            false,
        );
        let intended = effective_access(
            self.evaluator,
            self.principals,
            self.objects,
            &requests,
            true,
        );
        for (pi, cp) in self.evaluator.permissions().iter().enumerate() {
            let p = &self.ctx.permissions[pi];
            if cp.spec.required_tags.is_empty() {
                continue;
            }
            let against_intent: Vec<usize> = (0..self.objects.len())
                .filter(|&oi| {
                    self.matches[pi][oi] == MatchState::Yes
                        && !cp.intended_tag_match(&self.objects[oi])
                })
                .collect();
            let mut gainers: Vec<String> = Vec::new();
            for (ui, pr) in self.principals.iter().enumerate() {
                let gains = against_intent.iter().any(|&oi| {
                    Action::ALL.iter().enumerate().any(|(ri, a)| {
                        cp.spec.actions.contains(a)
                            && actual.get(ui, oi, ri) == Access::Allow
                            && intended.get(ui, oi, ri) != Access::Allow
                    })
                });
                if gains {
                    gainers.push(pr.label.clone());
                }
            }
            let tags: Vec<String> = cp
                .spec
                .required_tags
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let (severity, message) = if !gainers.is_empty() {
                (
                        Severity::Error,
                        format!(
                    "required_tags {{{}}} are ignored by Feast on everything but Permission objects: it applies to \
                     these objects although their tags do not match, and these principals gain access", tags.join(", ")),
                    )
            } else if !against_intent.is_empty() {
                (
                        Severity::Warning,
                        format!(
                    "required_tags {{{}}} are ignored by Feast: it matches these objects although their tags do not \
                     match (no one gains access today because other permissions already grant it)", tags.join(", ")),
                    )
            } else {
                (
                        Severity::Info,
                        format!(
                    "required_tags {{{}}} are ignored by Feast on everything but Permission objects; harmless today",
                    tags.join(", ")),
                    )
            };
            let mut l = lint(LintCode::RequiredTagsIgnored, severity, Some(p), message);
            l.objects = against_intent
                .iter()
                .map(|&oi| (&self.objects[oi]).into())
                .collect();
            l.principals = gainers;
            out.push(l);
        }
    }

    fn update_lints(&self, out: &mut Vec<Lint>, lint: &MakeLint) {
        let split: Vec<usize> = (0..self.ctx.permissions.len())
            .filter(|&i| {
                let a = &self.ctx.permissions[i].actions;
                a.contains(&Action::Update) && !a.contains(&Action::Describe)
            })
            .collect();
        if split.is_empty() {
            return;
        }
        let requests = vec![vec![Action::Update], Action::UPDATE_REQUEST.to_vec()];
        let access = effective_access(
            self.evaluator,
            self.principals,
            self.objects,
            &requests,
            false,
        );
        for pi in split {
            let p = &self.ctx.permissions[pi];
            let mut affected_objects = Vec::new();
            let mut affected_principals: Vec<String> = Vec::new();
            for (oi, o) in self.objects.iter().enumerate() {
                if self.matches[pi][oi] != MatchState::Yes {
                    continue;
                }
                for (ui, pr) in self.principals.iter().enumerate() {
                    if p.policy.grants(&pr.user) && access.get(ui, oi, 1) == Access::Deny {
                        if !affected_objects.contains(&ObjectRef::from(o)) {
                            affected_objects.push(o.into());
                        }
                        if !affected_principals.contains(&pr.label) {
                            affected_principals.push(pr.label.clone());
                        }
                    }
                }
            }
            if affected_objects.is_empty() {
                continue;
            }
            let mut l = lint(
                LintCode::UpdateImpossible,
                Severity::Warning,
                Some(p),
                "lists UPDATE without DESCRIBE: Feast asks for DESCRIBE and UPDATE together on an update, so these \
                 principals cannot update these objects (no single permission grants both)"
                    .into(),
            );
            l.objects = affected_objects;
            l.principals = affected_principals;
            out.push(l);
        }
    }
}

#[cfg(test)]
mod tests;
