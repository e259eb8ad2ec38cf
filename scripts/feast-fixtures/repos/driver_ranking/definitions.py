"""Team A: ranking drivers for ride dispatch. Exercises every feature-view kind."""
from datetime import timedelta

import pandas as pd

from feast import (
    BatchFeatureView,
    Entity,
    FeatureService,
    FeatureView,
    Field,
    FileSource,
    KafkaSource,
    Project,
    PushSource,
    RequestSource,
    ValueType,
)
from feast.data_format import JsonFormat
from feast.on_demand_feature_view import on_demand_feature_view
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import (
    CombinedGroupNamespacePolicy,
    GroupBasedPolicy,
    NamespaceBasedPolicy,
    RoleBasedPolicy,
)
from feast.batch_feature_view import batch_feature_view
from feast.stream_feature_view import stream_feature_view
from feast.types import Float32, Float64, Int64, String

project = Project(
    name="driver_ranking",
    description="Team A: ranking of drivers for ride dispatch",
    tags={"team": "team-a", "cost_center": "cc-1001", "env": "prod"},
    owner="team-a-leads@example.com",
)

driver = Entity(
    name="driver",
    join_keys=["driver_id"],
    value_type=ValueType.INT64,
    description="A driver on the platform",
    tags={"pii": "false", "team": "team-a"},
    owner="alice@example.com",
)
location = Entity(
    name="location",
    join_keys=["location_id"],
    value_type=ValueType.STRING,
    description="A dispatch zone",
    tags={"visibility": "shared"},
    owner="alice@example.com",
)

driver_stats_source = FileSource(
    name="driver_stats_source",
    path="data/driver_stats.parquet",
    timestamp_field="event_timestamp",
    created_timestamp_column="created",
    description="Hourly driver stats export",
    tags={"tier": "bronze"},
    owner="data-eng@example.com",
)
location_stats_source = FileSource(
    name="location_stats_source",
    path="data/location_stats.parquet",
    timestamp_field="event_timestamp",
    created_timestamp_column="created",
)
driver_stats_push = PushSource(name="driver_stats_push", batch_source=driver_stats_source)

driver_events_kafka = KafkaSource(
    name="driver_events_kafka",
    kafka_bootstrap_servers="kafka.internal:9092",
    topic="driver-events",
    timestamp_field="event_timestamp",
    batch_source=driver_stats_source,
    message_format=JsonFormat(
        schema_json="driver_id integer, event_timestamp timestamp, conv_rate double, acc_rate double"
    ),
    watermark_delay_threshold=timedelta(minutes=5),
    description="Driver events stream",
    owner="streaming@example.com",
)

trip_request = RequestSource(
    name="trip_request",
    schema=[Field(name="trip_distance_km", dtype=Float64), Field(name="surge", dtype=Float64)],
)

driver_hourly_stats = FeatureView(
    name="driver_hourly_stats",
    entities=[driver],
    ttl=timedelta(days=1),
    schema=[
        Field(name="conv_rate", dtype=Float32, description="Conversion rate"),
        Field(name="acc_rate", dtype=Float32, description="Acceptance rate", tags={"quality": "gold"}),
        Field(name="avg_daily_trips", dtype=Int64),
    ],
    online=True,
    source=driver_stats_source,
    description="Hourly driver performance statistics",
    tags={"team": "team-a", "domain": "dispatch"},
    owner="alice@example.com",
)

driver_pushed_stats = FeatureView(
    name="driver_pushed_stats",
    entities=[driver],
    ttl=timedelta(hours=2),
    schema=[Field(name="conv_rate", dtype=Float32), Field(name="acc_rate", dtype=Float32)],
    source=driver_stats_push,
    description="Driver stats pushed in near real time",
    owner="bob@example.com",
)

location_demand = FeatureView(
    name="location_demand",
    entities=[location],
    ttl=timedelta(days=7),
    schema=[Field(name="demand_index", dtype=Float64), Field(name="open_orders", dtype=Int64)],
    source=location_stats_source,
    tags={"domain": "dispatch"},
    owner="carol@example.com",
)

global_stats = FeatureView(
    name="global_stats",
    entities=[],
    ttl=timedelta(days=1),
    schema=[Field(name="avg_daily_trips", dtype=Int64)],
    source=driver_stats_source,
    description="Entity-less view (uses the __dummy entity)",
)


@on_demand_feature_view(
    sources=[driver_hourly_stats, trip_request],
    schema=[Field(name="conv_rate_adjusted", dtype=Float64), Field(name="surge_score", dtype=Float64)],
    description="Conversion rate adjusted for trip distance",
    tags={"team": "team-a"},
    owner="alice@example.com",
)
def driver_trip_adjusted(inputs: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame()
    out["conv_rate_adjusted"] = inputs["conv_rate"] * (1.0 / (1.0 + inputs["trip_distance_km"]))
    out["surge_score"] = inputs["surge"] * inputs["acc_rate"]
    return out


@batch_feature_view(
    name="driver_trend",
    mode="pandas",
    entities=[driver],
    ttl=timedelta(days=3),
    source=driver_stats_source,
    schema=[Field(name="driver_id", dtype=Int64), Field(name="trips_trend", dtype=Float64)],
    description="Trip trend computed in batch",
    tags={"team": "team-a", "compute": "batch"},
    owner="bob@example.com",
)
def driver_trend(df: pd.DataFrame) -> pd.DataFrame:
    df["trips_trend"] = df["avg_daily_trips"].astype("float64") / 10.0
    return df


@stream_feature_view(
    entities=[driver],
    ttl=timedelta(minutes=30),
    mode="pandas",  # "spark" needs pyspark at apply time
    schema=[Field(name="conv_rate", dtype=Float32), Field(name="acc_rate", dtype=Float32)],
    timestamp_field="event_timestamp",
    online=True,
    source=driver_events_kafka,
    description="Driver conversion from the event stream",
    tags={"team": "team-a", "latency": "realtime"},
    owner="streaming@example.com",
)
def driver_stream_stats(df):
    return df


driver_ranking_v1 = FeatureService(
    name="driver_ranking_v1",
    features=[driver_hourly_stats, location_demand[["demand_index"]]],
    description="Features for ranking model v1",
    tags={"model": "ranker", "stage": "prod"},
    owner="ml-team-a@example.com",
)
driver_ranking_v2 = FeatureService(
    name="driver_ranking_v2",
    features=[
        driver_hourly_stats[["conv_rate"]].with_name("hourly").with_join_key_map({"driver_id": "driver_id"}),
        driver_trip_adjusted,
        driver_trend,
    ],
    description="Ranking model v2 with on-demand and batch features",
    tags={"model": "ranker", "stage": "canary"},
    owner="ml-team-a@example.com",
)

ALL_TYPES = None  # defaults to every resource type

ranking_readers = Permission(
    name="ranking_readers",
    types=[FeatureView, FeatureService],
    name_patterns=["driver_.*"],
    policy=RoleBasedPolicy(roles=["ranking-reader", "ml-engineer"]),
    actions=[AuthzedAction.DESCRIBE, AuthzedAction.READ_ONLINE],
    tags={"owner": "team-a"},
)
ranking_ml_engineers = Permission(
    name="ranking_ml_engineers",
    types=[FeatureView, BatchFeatureView],
    policy=GroupBasedPolicy(groups=["ranking-mle", "ml-engineers"]),
    actions=[AuthzedAction.DESCRIBE, AuthzedAction.READ_OFFLINE, AuthzedAction.READ_ONLINE],
)
ranking_namespace = Permission(
    name="ranking_namespace_writers",
    policy=NamespaceBasedPolicy(namespaces=["team-a"]),
    actions=[AuthzedAction.WRITE_ONLINE, AuthzedAction.WRITE_OFFLINE],
    required_tags={"team": "team-a"},
)
# Everything here may be described by the catalog readers (the console's demo admin and SRE)
# and by the ranking team (the demo viewer).
ranking_catalog = Permission(
    name="ranking_catalog",
    policy=RoleBasedPolicy(roles=["catalog-reader", "ranking-team"]),
    actions=[AuthzedAction.DESCRIBE],
)
dev_test_permission = Permission(
    name="dev_test_permission",
    types=[FeatureView],
    policy=CombinedGroupNamespacePolicy(groups=["dev-team", "developers"], namespaces=["test", "staging"]),
    actions=[AuthzedAction.DESCRIBE, AuthzedAction.READ_OFFLINE, AuthzedAction.READ_ONLINE],
)
