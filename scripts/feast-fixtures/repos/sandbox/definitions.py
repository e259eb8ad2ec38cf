"""A sandbox project with an AllowAll permission: Feast 0.67.0 writes it but cannot read it back
(`The list 'policy' must be non-empty`). Applied to its own copy of the SQLite registry."""
from feast import Entity, Project, ValueType
from feast.feature_view import FeatureView  # noqa: F401  (types below)
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import AllowAll, RoleBasedPolicy

project = Project(name="sandbox", description="Playground with an open permission", owner="platform@example.com")

scratch = Entity(name="scratch", join_keys=["scratch_id"], value_type=ValueType.INT64)

sandbox_open_describe = Permission(
    name="sandbox_open_describe",
    policy=AllowAll,
    actions=[AuthzedAction.DESCRIBE],
)
sandbox_admin = Permission(
    name="sandbox_admin",
    policy=RoleBasedPolicy(roles=["sandbox-admin"]),
    actions=[AuthzedAction.DESCRIBE, AuthzedAction.UPDATE],
)
