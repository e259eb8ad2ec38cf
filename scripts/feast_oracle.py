#!/usr/bin/env python3
"""Feast's own permission decision, for checking feast-console's evaluator against it.

Run with the pinned Feast venv (scripts/feast-venv.sh):

    .venv/feast/bin/python scripts/feast_oracle.py [CASES.json] < CASES.json

Input (a file argument, or stdin):
    {"cases": [{"permissions": [PERMISSION...],
                "queries": [{"user": USER, "resource": RESOURCE, "actions": ["DESCRIBE", ...]}]}]}
with the console's JSON shapes:
    PERMISSION = {"name", "types": ["FEATURE_VIEW", ...], "name_patterns": [...],
                  "required_tags": {...}, "actions": [...], "tags": {...},
                  "policy": {"kind": "role_based", "roles": [...]} | {"kind": "group_based", ...}
                            | {"kind": "namespace_based", ...}
                            | {"kind": "combined_group_namespace", "groups", "namespaces"}
                            | {"kind": "allow_all"}}
    RESOURCE   = {"type": "FEATURE_VIEW", "name": "...", "tags": {...},
                  "required_tags": {...}}   (required_tags only for PERMISSION resources)
    USER       = {"username", "roles", "groups", "namespaces"}

Instead of "permissions", a case may name a registry Feast reads itself:
    {"registry": {"path": "sqlite:///ABS/registry.sqlite", "project": "P"}, "queries": [...]}
Permissions then come from Feast's SqlRegistry.list_permissions (registry row order) and each
query's resource {"type", "name"} is the object Feast's registry returns for it (PROJECT objects
from list_projects, as the registry server's project-level calls see them).

With "assert_only": true at the top level, only the single-object decision is made (the
benchmark times that).

Output (stdout): {"results": [[DECISION per query] per case], "seconds": <time in enforce_policy>}
    DECISION = {"assert": "allow" | "deny" | "error",            # Get/Apply/Delete
                "filter": "allow" | "filtered_out" | "denied_call" | "error",  # List
                "matching_permissions": [names] | null, "error": "..." (when one was raised)}

Every decision is made by feast.permissions.enforcer.enforce_policy on real Feast objects:
Permission objects built with Feast's constructor (so its normalisation applies), and resources
built with their own constructors (one prototype per class, copied and renamed per query, since
building a view with its source and schema for each of 10,000 queries would dominate the run).
"""

import copy
import json
import logging
import sys
import time
import warnings

warnings.filterwarnings("ignore")
# Some Feast constructors reset the warning filters; drop warnings at the sink instead.
warnings.showwarning = lambda *args, **kwargs: None
# Feast logs a warning per ignored required_tags check and per denial; silence it for speed.
logging.disable(logging.CRITICAL)

from feast.errors import FeastPermissionError  # noqa: E402
from feast.permissions.action import AuthzedAction  # noqa: E402
from feast.permissions.enforcer import enforce_policy  # noqa: E402
from feast.permissions.permission import (  # noqa: E402
    Permission,
    _PERMISSION_TYPES,
    get_type_class_from_permission_type,
)
from feast.permissions.policy import (  # noqa: E402
    AllowAll,
    CombinedGroupNamespacePolicy,
    GroupBasedPolicy,
    NamespaceBasedPolicy,
    RoleBasedPolicy,
)
from feast.permissions.user import User  # noqa: E402
from feast import (  # noqa: E402
    BatchFeatureView,
    Entity,
    FeatureService,
    FeatureView,
    Field,
    FileSource,
    Project,
    PushSource,
    RequestSource,
    StreamFeatureView,
)
from feast.infra.offline_stores.file_source import SavedDatasetFileStorage  # noqa: E402
from feast.labeling.label_view import LabelView  # noqa: E402
from feast.on_demand_feature_view import on_demand_feature_view  # noqa: E402
from feast.saved_dataset import SavedDataset, ValidationReference  # noqa: E402
from feast.types import Float64, Int64  # noqa: E402

TYPE_CLASSES = {
    name: get_type_class_from_permission_type(path) for name, path in _PERMISSION_TYPES.items()
}


def _on_demand_view(name):
    request = RequestSource(name="request", schema=[Field(name="x", dtype=Int64)])

    @on_demand_feature_view(
        name=name, sources=[request], schema=[Field(name="y", dtype=Float64)], mode="python"
    )
    def view(inputs):
        return {"y": [1.0]}

    return view


def _prototypes():
    source = FileSource(name="source", path="data.parquet", timestamp_field="ts")
    schema = [Field(name="f", dtype=Float64)]
    return {
        "PROJECT": Project(name="prototype"),
        "ENTITY": Entity(name="prototype", join_keys=["id"]),
        # A DataSource in a registry is always a concrete subclass.
        "DATA_SOURCE": FileSource(name="prototype", path="data.parquet", timestamp_field="ts"),
        "FEATURE_VIEW": FeatureView(name="prototype", source=source, schema=schema),
        "BATCH_FEATURE_VIEW": BatchFeatureView(name="prototype", source=source, schema=schema),
        "STREAM_FEATURE_VIEW": StreamFeatureView(
            name="prototype", source=PushSource(name="push", batch_source=source), schema=schema
        ),
        "ON_DEMAND_FEATURE_VIEW": _on_demand_view("prototype"),
        "LABEL_VIEW": LabelView(name="prototype", source=source),
        "FEATURE_SERVICE": FeatureService(name="prototype", features=[]),
        "VALIDATION_REFERENCE": ValidationReference(name="prototype", dataset_name="ds"),
        "SAVED_DATASET": SavedDataset(
            name="prototype", features=[], join_keys=[],
            storage=SavedDatasetFileStorage(path="data.parquet"),
        ),
    }


with warnings.catch_warnings():
    # Feast warns that batch and stream views are experimental, entities want a value type, ...
    warnings.simplefilter("ignore")
    PROTOTYPES = _prototypes()


def build_policy(p):
    kind = p["kind"]
    if kind == "role_based":
        return RoleBasedPolicy(roles=p["roles"])
    if kind == "group_based":
        return GroupBasedPolicy(groups=p["groups"])
    if kind == "namespace_based":
        return NamespaceBasedPolicy(namespaces=p["namespaces"])
    if kind == "combined_group_namespace":
        return CombinedGroupNamespacePolicy(groups=p["groups"], namespaces=p["namespaces"])
    if kind == "allow_all":
        return AllowAll
    raise ValueError(f"unknown policy kind {kind!r}")


def build_permission(p):
    return Permission(
        name=p["name"],
        types=[TYPE_CLASSES[t] for t in p.get("types", [])],
        name_patterns=list(p.get("name_patterns", [])),
        actions=[AuthzedAction[a] for a in p["actions"]],
        policy=build_policy(p["policy"]),
        tags=dict(p.get("tags", {})) or None,
        required_tags=dict(p.get("required_tags", {})) or None,
    )


def build_resource(r):
    if r["type"] == "PERMISSION":
        return Permission(
            name=r["name"],
            tags=dict(r.get("tags", {})) or None,
            required_tags=dict(r.get("required_tags", {})) or None,
            policy=RoleBasedPolicy(roles=[]),
        )
    obj = copy.copy(PROTOTYPES[r["type"]])
    obj.name = r["name"]
    obj.tags = dict(r.get("tags", {}))
    return obj


def build_user(u):
    return User(
        username=u.get("username", ""),
        roles=list(u.get("roles", [])),
        groups=list(u.get("groups", [])),
        namespaces=list(u.get("namespaces", [])),
    )


def decide(permissions, user, resource, actions, assert_only=False):
    out = {}
    try:
        enforce_policy(permissions, user, [resource], actions, filter_only=False)
        out["assert"] = "allow"
    except FeastPermissionError:
        out["assert"] = "deny"
    except Exception as e:  # re.error, OverflowError, ...: HTTP 500 on the server
        out["assert"] = "error"
        out["error"] = f"{type(e).__name__}: {e}"
    if assert_only:
        return out
    try:
        kept = enforce_policy(permissions, user, [resource], actions, filter_only=True)
        out["filter"] = "allow" if kept else "filtered_out"
    except FeastPermissionError:
        out["filter"] = "denied_call"
    except Exception as e:
        out["filter"] = "error"
        out["error"] = f"{type(e).__name__}: {e}"
    try:
        out["matching_permissions"] = [
            p.name for p in permissions if p.match_resource(resource) and p.match_actions(actions)
        ]
    except Exception:
        out["matching_permissions"] = None
    return out


def load_registry(spec):
    """Permissions and objects of one project, as Feast's own SqlRegistry reads them."""
    from feast.infra.infra_object import Infra
    from feast.infra.registry.sql import SqlRegistry, SqlRegistryConfig

    # SqlRegistry fills its whole cache when it starts, infra included, and decoding infra
    # opens the online-store tables the registry records: the bundled demo registry records the
    # SQLite paths of the machine that wrote it, which need not exist here. Permission
    # decisions read no infra.
    SqlRegistry._get_infra = lambda self, project: Infra()
    registry = SqlRegistry(
        SqlRegistryConfig(registry_type="sql", path=spec["path"], cache_ttl_seconds=0),
        spec["project"],
        None,
    )
    project = spec["project"]
    objects = {}

    def add(kind, items):
        for o in items:
            objects[(kind, o.name)] = o

    add("PROJECT", registry.list_projects(allow_cache=False))
    add("ENTITY", registry.list_entities(project, allow_cache=False))
    add("DATA_SOURCE", registry.list_data_sources(project, allow_cache=False))
    add("FEATURE_SERVICE", registry.list_feature_services(project, allow_cache=False))
    for view in registry.list_feature_views(project, allow_cache=False):
        kind = "BATCH_FEATURE_VIEW" if type(view).__name__ == "BatchFeatureView" else "FEATURE_VIEW"
        objects[(kind, view.name)] = view
    add("STREAM_FEATURE_VIEW", registry.list_stream_feature_views(project, allow_cache=False))
    add("ON_DEMAND_FEATURE_VIEW", registry.list_on_demand_feature_views(project, allow_cache=False))
    add("LABEL_VIEW", registry.list_label_views(project, allow_cache=False))
    add("SAVED_DATASET", registry.list_saved_datasets(project, allow_cache=False))
    add("VALIDATION_REFERENCE", registry.list_validation_references(project, allow_cache=False))
    permissions = registry.list_permissions(project, allow_cache=False)
    add("PERMISSION", permissions)
    return permissions, objects


def main():
    if len(sys.argv) > 1 and sys.argv[1] != "-":
        with open(sys.argv[1], encoding="utf-8") as f:
            data = json.load(f)
    else:
        data = json.load(sys.stdin)
    # The benchmark times only the single-object decision.
    assert_only = bool(data.get("assert_only", False))
    results = []
    spent = 0.0
    for case in data["cases"]:
        if "registry" in case:
            permissions, objects = load_registry(case["registry"])
        else:
            permissions, objects = [build_permission(p) for p in case["permissions"]], None
        answers = []
        for q in case["queries"]:
            user = build_user(q["user"])
            if objects is None:
                resource = build_resource(q["resource"])
            else:
                resource = objects.get((q["resource"]["type"], q["resource"]["name"]))
                if resource is None:
                    answers.append({"assert": "missing_object", "filter": "missing_object"})
                    continue
            actions = [AuthzedAction[a] for a in q["actions"]]
            start = time.perf_counter()
            answers.append(decide(permissions, user, resource, actions, assert_only))
            spent += time.perf_counter() - start
        results.append(answers)
    json.dump({"results": results, "seconds": spent}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
