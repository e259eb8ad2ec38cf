"""Team C: recommendations. Has a label view and a feature service over two views."""
from datetime import timedelta

from feast import Entity, FeatureService, FeatureView, Field, FileSource, Project, PushSource, ValueType
from feast.labeling import ConflictPolicy, LabelView
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import CombinedGroupNamespacePolicy, RoleBasedPolicy
from feast.types import Float64, Int64, String

project = Project(
    name="recommendations",
    description="Team C: home feed recommendations",
    tags={"team": "team-c", "env": "staging"},
    owner="team-c-leads@example.com",
)

user = Entity(name="user", join_keys=["user_id"], value_type=ValueType.INT64, description="A shopper", owner="frank@example.com")
item = Entity(name="item", join_keys=["item_id"], value_type=ValueType.INT64, description="A catalog item")

user_activity_source = FileSource(name="user_activity_source", path="data/user_activity.parquet", timestamp_field="event_timestamp")
item_stats_source = FileSource(name="item_stats_source", path="data/item_stats.parquet", timestamp_field="event_timestamp")
user_labels_source = FileSource(name="user_labels_source", path="data/user_labels.parquet", timestamp_field="event_timestamp")
user_labels_push = PushSource(name="user_labels_push", batch_source=user_labels_source)

user_activity = FeatureView(
    name="user_activity",
    entities=[user],
    ttl=timedelta(days=7),
    schema=[Field(name="clicks_7d", dtype=Int64), Field(name="ctr_7d", dtype=Float64)],
    source=user_activity_source,
    description="Seven-day engagement",
    tags={"team": "team-c"},
    owner="frank@example.com",
)
item_popularity = FeatureView(
    name="item_popularity",
    entities=[item],
    ttl=timedelta(days=1),
    schema=[Field(name="popularity", dtype=Float64), Field(name="price", dtype=Float64)],
    source=item_stats_source,
    tags={"team": "team-c", "domain": "catalog"},
)

user_relevance_labels = LabelView(
    name="user_relevance_labels",
    source=user_labels_push,
    entities=[user],
    schema=[Field(name="label_relevant", dtype=Int64), Field(name="labeler", dtype=String)],
    ttl=timedelta(days=90),
    description="Human relevance judgements",
    tags={"team": "team-c"},
    owner="grace@example.com",
    conflict_policy=ConflictPolicy.MAJORITY_VOTE,
    reference_feature_view="user_activity",
)

home_feed_v1 = FeatureService(
    name="home_feed_v1",
    features=[user_activity, item_popularity[["popularity"]]],
    description="Home feed ranking",
    tags={"model": "feed"},
    owner="ml-team-c@example.com",
)

recs_readers = Permission(
    name="recs_readers",
    types=[FeatureService],
    policy=RoleBasedPolicy(roles=["recs-reader"]),
    actions=[AuthzedAction.DESCRIBE, AuthzedAction.READ_ONLINE],
)
recs_catalog = Permission(
    name="recs_catalog",
    policy=RoleBasedPolicy(roles=["catalog-reader"]),
    actions=[AuthzedAction.DESCRIBE],
)
recs_staging = Permission(
    name="recs_staging",
    types=[FeatureView, FeatureService],
    name_patterns=["user_.*", "item_.*"],
    policy=CombinedGroupNamespacePolicy(groups=["team-c"], namespaces=["staging"]),
    actions=[AuthzedAction.DESCRIBE],
)
