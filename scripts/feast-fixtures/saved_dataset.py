"""Creates the saved dataset `driver_training_2025_01` from a historical retrieval."""
import sys
from datetime import datetime, timezone

import pandas as pd

from feast import FeatureStore
from feast.infra.offline_stores.file_source import SavedDatasetFileStorage

store = FeatureStore(repo_path=sys.argv[1])
entity_df = pd.DataFrame(
    {
        "driver_id": [1001, 1002, 1003],
        "event_timestamp": [datetime(2025, 1, 3, tzinfo=timezone.utc)] * 3,
    }
)
job = store.get_historical_features(
    entity_df=entity_df,
    features=["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"],
)
store.create_saved_dataset(
    from_=job,
    name="driver_training_2025_01",
    storage=SavedDatasetFileStorage(path="data/driver_training.parquet"),
    tags={"purpose": "training", "team": "team-a"},
    allow_overwrite=True,
)
print("saved dataset created")
