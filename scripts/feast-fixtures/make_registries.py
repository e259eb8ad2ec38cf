"""Builds real Feast registries from the fixture repositories, with the pinned Feast.

For each backend (sqlite, file, and pg when a PostgreSQL URL is given) it copies the three
repositories into OUT/<backend>/, points their feature_store.yaml at one shared registry, runs
`feast apply` for every project, `feast materialize` twice, creates a saved dataset, and writes
what Feast's SDK then reports to OUT/<backend>/sdk_dump.json (see dump_registry.py).
"""
import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECTS = ["driver_ranking", "fraud_detection", "recommendations"]
BIN = Path(sys.executable).parent


def feast(repo: Path, *args: str) -> None:
    cmd = [str(BIN / "feast"), "-c", str(repo), *args]
    print("[fixtures]", " ".join(cmd[1:]), file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=repo, stdout=sys.stderr)


def registry_yaml(backend: str, out: Path, pg_url: str | None) -> str:
    if backend == "sqlite":
        return f"  registry_type: sql\n  path: sqlite:///{out / 'registry.sqlite'}\n  cache_ttl_seconds: 0\n"
    if backend == "pg":
        return f"  registry_type: sql\n  path: {pg_url}\n  cache_ttl_seconds: 0\n"
    return f"  registry_type: file\n  path: {out / 'registry.db'}\n  cache_ttl_seconds: 0\n"


def build(backend: str, out: Path, pg_url: str | None) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for project in PROJECTS:
        repo = out / project
        shutil.copytree(HERE / "repos" / project, repo)
        subprocess.run([sys.executable, str(HERE / "make_data.py"), str(repo / "data")], check=True)
        (repo / "feature_store.yaml").write_text(
            f"project: {project}\nprovider: local\nregistry:\n{registry_yaml(backend, out, pg_url)}"
            f"online_store:\n  type: sqlite\n  path: {repo / 'online.db'}\n"
            "offline_store:\n  type: file\nentity_key_serialization_version: 3\n"
            "auth:\n  type: no_auth\n"
        )
        feast(repo, "apply")
    dr = out / "driver_ranking"
    feast(dr, "materialize", "2025-01-01T00:00:00", "2025-01-08T00:00:00", "--views", "driver_hourly_stats")
    feast(dr, "materialize", "2025-01-08T00:00:00", "2025-01-09T00:00:00", "--views", "driver_hourly_stats", "--views", "location_demand")
    feast(out / "fraud_detection", "materialize", "2025-01-01T00:00:00", "2025-01-05T00:00:00", "--views", "customer_transactions")
    subprocess.run([sys.executable, str(HERE / "saved_dataset.py"), str(dr)], check=True, cwd=dr, stdout=sys.stderr)
    dump = subprocess.run([sys.executable, str(HERE / "dump_registry.py"), str(dr)], check=True, cwd=dr, capture_output=True, text=True)
    (out / "sdk_dump.json").write_text(dump.stdout)


def build_allow_all(out: Path, sqlite_out: Path) -> None:
    """A copy of the SQLite registry plus project `sandbox` holding an AllowAll permission,
    which Feast cannot read back; kept apart so the SDK dumps above stay readable."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(sqlite_out / "registry.sqlite", out / "registry.sqlite")
    for project in PROJECTS:  # repos for `feast serve_registry`, pointing at the copy
        shutil.copytree(sqlite_out / project, out / project, ignore=shutil.ignore_patterns("online.db", "data"))
        yaml = (out / project / "feature_store.yaml").read_text()
        (out / project / "feature_store.yaml").write_text(yaml.replace(str(sqlite_out), str(out)))
    repo = out / "sandbox"
    shutil.copytree(HERE / "repos" / "sandbox", repo)
    (repo / "feature_store.yaml").write_text(
        f"project: sandbox\nprovider: local\nregistry:\n{registry_yaml('sqlite', out, None)}"
        f"online_store:\n  type: sqlite\n  path: {repo / 'online.db'}\n"
        "offline_store:\n  type: file\nentity_key_serialization_version: 3\nauth:\n  type: no_auth\n"
    )
    feast(repo, "apply")


def pg_database(admin_url: str) -> str:
    """Creates (or recreates) database fc_feast_registry on the admin URL's server."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS fc_feast_registry WITH (FORCE)")
        conn.execute("CREATE DATABASE fc_feast_registry")
    base = admin_url.rsplit("/", 1)[0]
    return base.replace("postgres://", "postgresql+psycopg://", 1) + "/fc_feast_registry"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(HERE.parent.parent / "target" / "feast-fixtures"))
    ap.add_argument("--pg-admin-url", default=os.environ.get("FC_TEST_PG_URL"), help="superuser URL; a database fc_feast_registry is (re)created")
    ap.add_argument("--update-demo", action="store_true", help="copy the SQLite and file registries to server/demo/registry/")
    ap.add_argument("--backends", default="sqlite,file,pg")
    args = ap.parse_args()
    out = Path(args.out).resolve()
    for backend in args.backends.split(","):
        if backend == "pg":
            if not args.pg_admin_url:
                print("[fixtures] no PostgreSQL URL (FC_TEST_PG_URL / --pg-admin-url): skipping pg", file=sys.stderr)
                continue
            url = pg_database(args.pg_admin_url)
            build("pg", out / "pg", url)
            (out / "pg" / "registry_url.txt").write_text(url + "\n")
        else:
            build(backend, out / backend, None)
            if backend == "sqlite":
                build_allow_all(out / "allowall", out / "sqlite")
    if args.update_demo:
        demo = HERE.parent.parent / "server" / "demo" / "registry"
        demo.mkdir(parents=True, exist_ok=True)
        shutil.copy(out / "sqlite" / "registry.sqlite", demo / "registry.sqlite")
        shutil.copy(out / "file" / "registry.db", demo / "registry.db")
        # Small pages and no free space keep the committed file small.
        import sqlite3

        conn = sqlite3.connect(demo / "registry.sqlite")
        conn.execute("PRAGMA page_size = 1024")
        conn.execute("VACUUM")
        conn.close()
    print(out)


if __name__ == "__main__":
    main()
