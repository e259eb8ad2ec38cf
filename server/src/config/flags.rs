//! The `serve` flags, one per key that flags may set, built from the key declaration; their
//! values go through the same validation as the file and the environment.

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use super::keys::{Key, Kind, KEYS};

/// Reads one Feast `feature_store.yaml` into `registries`; besides `--registry`.
const FEATURE_STORE_YAML: &str = "feature_store_yaml";

/// The flags given to `serve`: (key name, value), lists joined by newlines.
#[derive(Debug, Default, Clone)]
pub struct ServeArgs {
    values: Vec<(&'static str, String)>,
}

/// The same flags on the bare command (`feast-console --listen ...`), hidden from its help,
/// which points to `serve --help` instead.
#[derive(Debug, Default, Clone)]
pub struct HiddenServeArgs(pub ServeArgs);

impl ServeArgs {
    pub fn flags(self) -> Vec<(&'static str, String)> {
        self.values
    }
}

fn value_name(key: &Key) -> &'static str {
    match key.kind {
        Kind::Text => "VALUE",
        Kind::Url => "URL",
        Kind::Path => "PATH",
        Kind::Bool => "true|false",
        Kind::Number { .. } => "N",
        Kind::List => "ENTRY",
    }
}

fn key_arg(key: &'static Key, flag: String, hide: bool) -> Arg {
    let mut help = key.description();
    if key.kind == Kind::List {
        help.push_str(" Repeat the flag for several.");
    }
    if !key.default.is_empty() {
        help.push_str(&format!(" [default: {}]", key.default));
    }
    let arg = Arg::new(key.name)
        .long(flag)
        .value_name(value_name(key))
        .help(help)
        .hide(hide);
    match key.kind {
        Kind::List => arg.action(ArgAction::Append),
        Kind::Bool => arg.num_args(0..=1).default_missing_value("true"),
        _ => arg.action(ArgAction::Set),
    }
}

fn add_flags(mut cmd: Command, hide: bool) -> Command {
    for key in KEYS {
        if let Some(flag) = key.flag_name() {
            cmd = cmd.arg(key_arg(key, flag, hide));
        }
    }
    cmd.arg(
        Arg::new(FEATURE_STORE_YAML)
            .long("feature-store-yaml")
            .value_name("PATH")
            .action(ArgAction::Append)
            .help("Take a registry from a Feast feature_store.yaml (${VAR} expanded as Feast does), or a folder holding one; repeatable.")
            .hide(hide),
    )
}

fn strings(matches: &ArgMatches, id: &str) -> Vec<String> {
    matches
        .try_get_many::<String>(id)
        .ok()
        .flatten()
        .map(|values| values.cloned().collect())
        .unwrap_or_default()
}

impl FromArgMatches for ServeArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut args = ServeArgs::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for key in KEYS.iter().filter(|k| k.flag_name().is_some()) {
            let mut given = strings(matches, key.name);
            if key.name == "registries" {
                given.extend(
                    strings(matches, FEATURE_STORE_YAML)
                        .into_iter()
                        .map(|path| {
                            // resolve_entry reads any *.yaml entry as a feature_store.yaml.
                            if path.ends_with(".yaml") || path.ends_with(".yml") {
                                path
                            } else {
                                format!("{path}/feature_store.yaml")
                            }
                        }),
                );
            }
            if !given.is_empty() {
                self.values.retain(|(name, _)| *name != key.name);
                self.values.push((key.name, given.join("\n")));
            }
        }
        Ok(())
    }
}

impl Args for ServeArgs {
    fn augment_args(cmd: Command) -> Command {
        add_flags(cmd, false)
    }
    fn augment_args_for_update(cmd: Command) -> Command {
        add_flags(cmd, false)
    }
}

impl FromArgMatches for HiddenServeArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        ServeArgs::from_arg_matches(matches).map(HiddenServeArgs)
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

impl Args for HiddenServeArgs {
    fn augment_args(cmd: Command) -> Command {
        add_flags(cmd, true)
    }
    fn augment_args_for_update(cmd: Command) -> Command {
        add_flags(cmd, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Sources;

    fn parse(args: &[&str]) -> Vec<(&'static str, String)> {
        let cmd = ServeArgs::augment_args(Command::new("serve"));
        let matches = cmd.try_get_matches_from(args).unwrap();
        ServeArgs::from_arg_matches(&matches).unwrap().flags()
    }

    #[test]
    fn every_key_has_a_flag_unless_it_is_env_only() {
        let cmd = ServeArgs::augment_args(Command::new("serve"));
        for key in KEYS {
            let arg = cmd.get_arguments().find(|a| a.get_id() == key.name);
            match key.sources {
                Sources::All => {
                    let long = arg.and_then(|a| a.get_long());
                    assert_eq!(long, key.flag_name().as_deref(), "{}", key.name);
                }
                Sources::EnvOnly => assert!(arg.is_none(), "{}", key.name),
            }
        }
    }

    #[test]
    fn existing_spellings_and_repeatable_extras_still_work() {
        let flags = parse(&[
            "serve",
            "--registry",
            "a=/a.db",
            "--registry",
            "b=/b.db",
            "--feature-store-yaml",
            "repo",
            "--manifests",
            "m1",
            "--manifests",
            "m2",
            "--insecure-no-auth",
            "--cookie-secure",
            "false",
            "--recovery-probe-seconds",
            "30",
        ]);
        let get = |name: &str| {
            flags
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            get("registries"),
            Some("a=/a.db\nb=/b.db\nrepo/feature_store.yaml")
        );
        assert_eq!(get("manifests"), Some("m1\nm2"));
        assert_eq!(get("insecure_no_auth"), Some("true"));
        assert_eq!(get("cookie_secure"), Some("false"));
        assert_eq!(get("recovery_probe_seconds"), Some("30"));
        assert_eq!(get("listen"), None, "flags not given are not set");
    }
}
