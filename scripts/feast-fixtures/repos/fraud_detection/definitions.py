"""Team B: card fraud detection. Mixed-case names, a permission with default (all) types."""
from datetime import timedelta

from feast import Entity, FeatureService, FeatureView, Field, FileSource, Project, ValueType
from feast.permissions.action import ALL_ACTIONS, AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import GroupBasedPolicy, NamespaceBasedPolicy, RoleBasedPolicy
from feast.types import Float64, Int64, String

project = Project(
    name="fraud_detection",
    description="Team B: card fraud scoring",
    tags={"team": "team-b", "cost_center": "cc-2002", "env": "prod"},
    owner="team-b-leads@example.com",
)

customer = Entity(
    name="customer",
    join_keys=["customer_id"],
    value_type=ValueType.INT64,
    description="A card holder",
    tags={"pii": "true"},
    owner="dave@example.com",
)
merchant = Entity(name="merchant", join_keys=["merchant_id"], value_type=ValueType.INT64, description="A merchant")

customer_txn_source = FileSource(
    name="customer_txn_source",
    path="data/customer_txn.parquet",
    timestamp_field="event_timestamp",
    created_timestamp_column="created",
    tags={"pii": "true"},
)
merchant_stats_source = FileSource(
    name="merchant_stats_source",
    path="data/merchant_stats.parquet",
    timestamp_field="event_timestamp",
)

customer_transactions = FeatureView(
    name="customer_transactions",
    entities=[customer],
    ttl=timedelta(hours=24),
    schema=[
        Field(name="txn_count_24h", dtype=Int64, description="Transactions in the last 24 h"),
        Field(name="txn_amount_24h", dtype=Float64),
    ],
    source=customer_txn_source,
    description="Rolling transaction aggregates per customer",
    tags={"team": "team-b", "pii": "false"},
    owner="dave@example.com",
)
card_pii = FeatureView(
    name="Card_PII_Features",
    entities=[customer],
    ttl=timedelta(days=30),
    schema=[Field(name="country", dtype=String)],
    source=customer_txn_source,
    description="Card holder country (restricted)",
    tags={"team": "team-b", "pii": "true"},
    owner="erin@example.com",
)
merchant_risk = FeatureView(
    name="merchant_risk",
    entities=[merchant],
    ttl=timedelta(days=2),
    schema=[Field(name="chargeback_rate", dtype=Float64), Field(name="category", dtype=String)],
    source=merchant_stats_source,
    online=False,
    tags={"team": "team-b"},
    owner="dave@example.com",
)

fraud_scoring_v3 = FeatureService(
    name="fraud_scoring_v3",
    features=[customer_transactions, merchant_risk[["chargeback_rate"]]],
    description="Online fraud scoring",
    tags={"model": "fraud", "stage": "prod"},
    owner="ml-team-b@example.com",
)

team_b_full_access = Permission(
    name="team_b_full_access",
    policy=NamespaceBasedPolicy(namespaces=["team-b"]),
    actions=ALL_ACTIONS,
    required_tags={"team": "team-b"},
)
pii_readers = Permission(
    name="pii_readers",
    types=[FeatureView],
    name_patterns=[".*PII.*"],
    policy=GroupBasedPolicy(groups=["fraud-analysts"]),
    actions=[AuthzedAction.READ_ONLINE, AuthzedAction.READ_OFFLINE],
    required_tags={"pii": "true"},
)
fraud_admin = Permission(
    name="fraud_admin",
    policy=RoleBasedPolicy(roles=["feast-admin"]),
    actions=ALL_ACTIONS,
)
