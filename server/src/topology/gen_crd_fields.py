#!/usr/bin/env python3
"""Regenerates crd_fields.txt, the FeatureStore CRD's field tree used to report unknown fields.

Usage: python3 gen_crd_fields.py PATH/TO/feast.dev_featurestores.yaml > crd_fields.txt

One line per field, indented two spaces per level, `@<version>` starting each served version.
`*` after a name: anything below is accepted (free-form maps, or standard Kubernetes types such as
volumes or affinity, which the API server validates itself). `(default X)`: the CRD's default.
`status.applied` has the same fields as `spec` and is written as `applied = spec`.
"""
import sys
import yaml

# Standard Kubernetes types inside the CRD: not Feast's, so not enumerated.
OPAQUE = {"volumes", "volumeMounts", "env", "envFrom", "affinity", "tolerations",
          "topologySpreadConstraints", "securityContext", "resources", "behavior", "metrics",
          "nodeSelector", "conditions", "podAnnotations", "annotations", "podFailurePolicy",
          "deploymentStrategy", "resourceClaims", "configs", "extraConfig", "categories",
          "namespaceMapping", "s3_additional_kwargs", "create", "ref"}


def walk(name, schema, depth, out):
    while schema.get("type") == "array" and "items" in schema:
        schema = schema["items"]
    pad = "  " * depth
    default = f" (default {schema['default']!r})" if "default" in schema else ""
    props = schema.get("properties")
    if name in OPAQUE and depth > 0 or not props and (
            schema.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in schema):
        out.append(f"{pad}{name} *{default}")
        return
    out.append(f"{pad}{name}{default}")
    for key, sub in (props or {}).items():
        if depth == 0 and name == "status" and key == "applied":
            out.append(f"{pad}  applied = spec")
            continue
        walk(key, sub, depth + 1, out)


def main():
    crd = yaml.safe_load(open(sys.argv[1]))
    out = []
    for version in crd["spec"]["versions"]:
        out.append(f"@{version['name']}")
        schema = version["schema"]["openAPIV3Schema"]["properties"]
        for top in ("spec", "status"):
            walk(top, schema[top], 0, out)
    print("\n".join(out))


main()
