"""Writes the small parquet files the fixture repositories read (deterministic, seeded)."""
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
HOURS = 24 * 10


def hourly(ids, id_col, columns, seed):
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(0, HOURS, 6):
        ts = START + timedelta(hours=h)
        for i in ids:
            row = {id_col: i, "event_timestamp": ts, "created": ts}
            for name, kind in columns.items():
                if kind == "float":
                    row[name] = float(rng.random())
                elif kind == "int":
                    row[name] = int(rng.integers(0, 1000))
                else:
                    row[name] = f"{name}_{int(rng.integers(0, 5))}"
            rows.append(row)
    return pd.DataFrame(rows)


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    hourly(range(1001, 1011), "driver_id", {"conv_rate": "float", "acc_rate": "float", "avg_daily_trips": "int"}, 1).to_parquet(out / "driver_stats.parquet")
    hourly([f"zone_{i}" for i in range(5)], "location_id", {"demand_index": "float", "open_orders": "int"}, 2).to_parquet(out / "location_stats.parquet")
    hourly(range(5001, 5011), "customer_id", {"txn_count_24h": "int", "txn_amount_24h": "float", "country": "str"}, 3).to_parquet(out / "customer_txn.parquet")
    hourly(range(7001, 7011), "merchant_id", {"chargeback_rate": "float", "category": "str"}, 4).to_parquet(out / "merchant_stats.parquet")
    hourly(range(1, 11), "user_id", {"clicks_7d": "int", "ctr_7d": "float"}, 5).to_parquet(out / "user_activity.parquet")
    hourly(range(100, 110), "item_id", {"popularity": "float", "price": "float"}, 6).to_parquet(out / "item_stats.parquet")
    hourly(range(1, 11), "user_id", {"label_relevant": "int", "labeler": "str"}, 7).to_parquet(out / "user_labels.parquet")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
