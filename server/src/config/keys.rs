/// One configuration key: its TOML name (env `FEAST_CONSOLE_<NAME>`, flag `--<name-with-dashes>`),
/// default, and meaning. The README's configuration table mirrors this list.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

pub const KEYS: &[Key] = &[
    Key { name: "listen", default: "127.0.0.1:3000", help: "Address and port the HTTP server listens on." },
    Key { name: "data_dir", default: "data", help: "Folder for the console's own data (the SQLite console database by default); created if missing." },
    Key { name: "database_url", default: "", help: "Console database: sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB. Empty means sqlite://<data_dir>/console.db." },
    Key { name: "database_max_connections", default: "8", help: "Largest number of console database connections (1-1000)." },
    Key { name: "site_root", default: "target/site", help: "Folder with the built site: pkg/ (wasm, JS, CSS) and public assets." },
    Key { name: "log_format", default: "human", help: "Log line format: human or json." },
    Key { name: "log_level", default: "info", help: "tracing filter, e.g. info or server=debug,info." },
    Key { name: "request_timeout_seconds", default: "30", help: "Requests running longer are answered with 408 (1-3600)." },
];

pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

pub fn names() -> String {
    KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}
