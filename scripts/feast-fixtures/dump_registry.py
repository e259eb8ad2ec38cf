"""Prints, as JSON, what Feast's SDK reports about every object of a registry.

Usage: dump_registry.py REPO_DIR (any repo whose feature_store.yaml points at the registry).
The shape mirrors `feast-console catalog export` so tests can compare field for field.
"""
import json
import sys
from datetime import datetime, timezone

from feast import BatchFeatureView, FeatureStore
from feast.permissions.policy import (
    AllowAll,
    CombinedGroupNamespacePolicy,
    GroupBasedPolicy,
    NamespaceBasedPolicy,
    RoleBasedPolicy,
)


def ts(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def base(kind, project, obj, name=None):
    return {
        "kind": kind,
        "project": project,
        "name": name if name is not None else obj.name,
        "description": getattr(obj, "description", "") or "",
        "owner": getattr(obj, "owner", "") or "",
        "tags": dict(sorted((getattr(obj, "tags", None) or {}).items())),
        "created": ts(getattr(obj, "created_timestamp", None)),
        "updated": ts(getattr(obj, "last_updated_timestamp", None)),
    }


def fields(items):
    return [{"name": f.name, "dtype": f.dtype.to_value_type().name} for f in items]


def source_type(ds):
    return type(ds).__name__


def view(kind, project, fv):
    out = base(kind, project, fv)
    out["entities"] = list(fv.entities)
    out["features"] = fields(fv.features)
    out["ttl_seconds"] = int(fv.ttl.total_seconds()) if fv.ttl else 0
    out["online"] = fv.online
    out["batch_source"] = fv.batch_source.name if fv.batch_source else None
    out["stream_source"] = fv.stream_source.name if getattr(fv, "stream_source", None) else None
    out["materialization_intervals"] = [
        {"start": ts(s), "end": ts(e)} for s, e in getattr(fv, "materialization_intervals", [])
    ]
    return out


def policy(p):
    if isinstance(p, CombinedGroupNamespacePolicy):
        return {"kind": "combined_group_namespace", "groups": list(p.groups), "namespaces": list(p.namespaces)}
    if isinstance(p, RoleBasedPolicy):
        return {"kind": "role_based", "roles": list(p.roles)}
    if isinstance(p, GroupBasedPolicy):
        return {"kind": "group_based", "groups": list(p.groups)}
    if isinstance(p, NamespaceBasedPolicy):
        return {"kind": "namespace_based", "namespaces": list(p.namespaces)}
    if p is AllowAll or type(p).__name__ == "AllowAllPolicy":
        return {"kind": "allow_all"}
    raise ValueError(f"unknown policy {p!r}")


def main(repo):
    store = FeatureStore(repo_path=repo)
    reg = store.registry
    projects, objects = [], []
    for proj in sorted(store.list_projects(allow_cache=False), key=lambda p: p.name):
        p = proj.name
        row = base("project", p, proj)
        projects.append(row)
        for e in reg.list_entities(p, allow_cache=False):
            o = base("entity", p, e)
            o["join_key"] = e.join_key
            # Python calls value 0 UNKNOWN; the proto enum (and the console) call it INVALID.
            o["value_type"] = "INVALID" if e.value_type.name == "UNKNOWN" else e.value_type.name
            objects.append(o)
        for ds in reg.list_data_sources(p, allow_cache=False):
            o = base("data_source", p, ds)
            o["source_type"] = ds.to_proto().DESCRIPTOR.fields_by_name["type"].enum_type.values_by_number[ds.to_proto().type].name
            o["timestamp_field"] = ds.timestamp_field or ""
            if type(ds).__name__ == "FileSource":
                o["location"] = ds.path
            elif type(ds).__name__ == "KafkaSource":
                o["location"] = f"{ds.kafka_options.kafka_bootstrap_servers}/{ds.kafka_options.topic}"
            batch = getattr(ds, "batch_source", None)
            o["batch_source"] = batch.name if batch is not None else None
            objects.append(o)
        for fv in reg.list_feature_views(p, allow_cache=False):
            kind = "batch_feature_view" if isinstance(fv, BatchFeatureView) else "feature_view"
            objects.append(view(kind, p, fv))
        for fv in reg.list_stream_feature_views(p, allow_cache=False):
            objects.append(view("stream_feature_view", p, fv))
        for odfv in reg.list_on_demand_feature_views(p, allow_cache=False):
            o = base("on_demand_feature_view", p, odfv)
            o["features"] = fields(odfv.features)
            o["sources"] = sorted(
                [proj_.name for proj_ in odfv.source_feature_view_projections.values()]
                + [rs.name for rs in odfv.source_request_sources.values()]
            )
            o["mode"] = odfv.mode
            objects.append(o)
        for lv in reg.list_label_views(p, allow_cache=False):
            o = base("label_view", p, lv)
            o["entities"] = list(lv.entities)
            o["features"] = fields(lv.features)
            o["ttl_seconds"] = int(lv.ttl.total_seconds()) if lv.ttl else 0
            objects.append(o)
        for fs in reg.list_feature_services(p, allow_cache=False):
            o = base("feature_service", p, fs)
            o["projections"] = [
                {
                    "view": proj_.name,
                    "alias": proj_.name_alias or "",
                    "features": [f.name for f in proj_.features],
                }
                for proj_ in fs.feature_view_projections
            ]
            objects.append(o)
        for sd in reg.list_saved_datasets(p, allow_cache=False):
            o = base("saved_dataset", p, sd)
            o["features"] = list(sd.features)
            o["join_keys"] = list(sd.join_keys)
            objects.append(o)
        for vr in reg.list_validation_references(p, allow_cache=False):
            objects.append(base("validation_reference", p, vr))
        for perm in reg.list_permissions(p, allow_cache=False):
            o = base("permission", p, perm)
            spec = perm.to_proto().spec
            o["types"] = [spec.DESCRIPTOR.fields_by_name["types"].enum_type.values_by_number[t].name for t in spec.types]
            o["actions"] = [spec.DESCRIPTOR.fields_by_name["actions"].enum_type.values_by_number[a].name for a in spec.actions]
            o["name_patterns"] = list(perm.name_patterns)
            o["required_tags"] = dict(sorted((perm.required_tags or {}).items()))
            o["policy"] = policy(perm.policy)
            objects.append(o)
    json.dump({"projects": projects, "objects": objects}, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
