//! The layers a setting's text comes from, merged: defaults, the TOML file, `TERN_*`
//! variables, flags. Every name a user writes is checked: an unknown one is an error that names
//! it, a flat name from before sections is accepted with a notice naming the new one.

use super::{FLAT_NAMES, SETTINGS, Setting, SettingValue};
use clap::{Arg, ArgAction, Command};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("unknown setting {0} in the environment (see tern --help for the TERN_* variables)")]
    UnknownEnv(String),
    #[error("setting {name}: {message}")]
    Invalid { name: String, message: String },
}

impl ConfigError {
    pub(crate) fn invalid(name: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            name: name.to_owned(),
            message,
        }
    }
}

/// The text each setting was given, by `section.key`, and where it came from.
#[derive(Debug, Default)]
pub(crate) struct Values {
    texts: HashMap<String, (String, String)>,
    pub(crate) notices: Vec<String>,
}

impl Values {
    /// Merges the layers: the file (`--config` or `TERN_CONFIG`), then `vars`, then `args`.
    /// Exits with clap's message for `--help`, `--version` or a bad flag.
    pub(crate) fn load(
        args: impl IntoIterator<Item = OsString>,
        vars: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Values, ConfigError> {
        let flags = command().get_matches_from(args);
        let mut text_vars = Vec::new();
        for (name, value) in vars {
            let Ok(name) = name.into_string() else {
                continue;
            };
            match value.into_string() {
                Ok(value) => text_vars.push((name, value)),
                Err(_) if name.starts_with("TERN_") => {
                    return Err(ConfigError::invalid(&name, "is not valid UTF-8".into()));
                }
                Err(_) => {}
            }
        }
        let vars = text_vars;
        let file = flags.get_one::<String>("config").cloned().or_else(|| {
            vars.iter()
                .find(|(k, _)| k == "TERN_CONFIG")
                .map(|(_, v)| v.clone())
        });
        let mut values = Values::default();
        if let Some(path) = file {
            let path = PathBuf::from(path);
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            values
                .read_file(&text)
                .map_err(|message| ConfigError::File { path, message })?;
        }
        values.read_environment(vars)?;
        values.read_flags(&flags);
        Ok(values)
    }

    /// Parses one setting from its text (or its default).
    pub(crate) fn parse<T: SettingValue>(
        &self,
        section: &str,
        key: &str,
    ) -> Result<T, ConfigError> {
        let name = format!("{section}.{key}");
        let (text, from) = match self.texts.get(&name) {
            Some((text, from)) => (text.as_str(), from.as_str()),
            None => (
                setting(section, key).map_or("", |s| s.default),
                "the default",
            ),
        };
        T::parse(text)
            .map_err(|message| ConfigError::invalid(&name, format!("{message} (from {from})")))
    }

    fn set(&mut self, setting: &Setting, text: String, from: String) {
        self.texts.insert(setting.name(), (text, from));
    }

    /// A flat name from before sections: accepted, with a notice naming the new form.
    fn set_flat(&mut self, flat: &str, text: String, written: &str, instead: String) {
        if let Some(setting) = flat_setting(flat) {
            self.notices.push(format!(
                "{written} is an old name for {}: write {instead} instead",
                setting.name()
            ));
            self.set(setting, text, written.to_owned());
        }
    }

    pub(crate) fn read_file(&mut self, text: &str) -> Result<(), String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        // Flat names first, so that a section's key wins over its old name in the same file.
        let (flat, sections): (Vec<_>, Vec<_>) =
            table.into_iter().partition(|(_, value)| !value.is_table());
        for (name, value) in flat.into_iter().chain(sections) {
            match value {
                toml::Value::Table(keys) if is_section(&name) => {
                    for (key, value) in keys {
                        let setting = setting(&name, &key)
                            .ok_or_else(|| format!("unknown setting {key} in [{name}]"))?;
                        let text = scalar(&value).map_err(|m| format!("[{name}] {key}: {m}"))?;
                        self.set(setting, text, format!("[{name}] {key} in the file"));
                    }
                }
                value if flat_setting(&name).is_some() => {
                    let text = scalar(&value).map_err(|m| format!("{name}: {m}"))?;
                    let new = flat_setting(&name).map(|s| format!("[{}] {}", s.section, s.key));
                    self.set_flat(&name, text, &name, new.unwrap_or_default());
                }
                _ => return Err(format!("unknown setting {name}")),
            }
        }
        Ok(())
    }

    fn read_environment(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        // Flat names first, so that `TERN_SECTION_KEY` wins over its old name whatever the order.
        let (current, flat): (Vec<_>, Vec<_>) = vars
            .into_iter()
            .partition(|(name, _)| SETTINGS.iter().any(|s| s.env() == *name));
        for (name, text) in flat.into_iter().chain(current) {
            if !name.starts_with("TERN_") || name == "TERN_CONFIG" {
                continue;
            }
            if let Some(setting) = SETTINGS.iter().find(|s| s.env() == name) {
                self.set(setting, text, name);
            } else if let Some(flat) = name
                .strip_prefix("TERN_")
                .map(str::to_lowercase)
                .filter(|flat| flat_setting(flat).is_some())
            {
                let new = flat_setting(&flat).map(Setting::env).unwrap_or_default();
                self.set_flat(&flat, text, &name, new);
            } else {
                return Err(ConfigError::UnknownEnv(name));
            }
        }
        Ok(())
    }

    fn read_flags(&mut self, flags: &clap::ArgMatches) {
        for (flat, _) in FLAT_NAMES {
            if let Some(text) = flags.get_one::<String>(flat) {
                let written = format!("--{}", flat.replace('_', "-"));
                let new = flat_setting(flat).map(Setting::flag).unwrap_or_default();
                self.set_flat(flat, text.clone(), &written, new);
            }
        }
        for setting in SETTINGS {
            if let Some(text) = flags.get_one::<String>(&setting.name()) {
                self.set(setting, text.clone(), setting.flag());
            }
        }
    }
}

fn setting(section: &str, key: &str) -> Option<&'static Setting> {
    SETTINGS
        .iter()
        .find(|s| s.section == section && s.key == key)
}

fn flat_setting(flat: &str) -> Option<&'static Setting> {
    let (_, section) = FLAT_NAMES.iter().find(|(name, _)| *name == flat)?;
    setting(section, flat)
}

fn is_section(name: &str) -> bool {
    SETTINGS.iter().any(|s| s.section == name)
}

/// A TOML value as the text a flag or variable would give.
pub(crate) fn scalar(value: &toml::Value) -> Result<String, String> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(n) => Ok(n.to_string()),
        toml::Value::Float(x) => Ok(x.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        // Lists and tables reach their setting as JSON, the form a variable or flag gives.
        toml::Value::Array(_) | toml::Value::Table(_) => {
            serde_json::to_string(value).map_err(|e| e.to_string())
        }
        toml::Value::Datetime(d) => Ok(d.to_string()),
    }
}

/// The command line: `--config`, a flag per setting (`--server.listen`), and the flat flags
/// from before sections, hidden.
pub(crate) fn command() -> Command {
    let mut command = Command::new("tern")
        .version(env!("CARGO_PKG_VERSION"))
        .about("tern: a self-hostable instant-messaging server")
        .long_about(
            "tern: a self-hostable instant-messaging server.\n\n\
             Settings come from defaults, then the TOML file given by --config (a table per \
             section: [server] listen = \"...\"), then TERN_SECTION_KEY environment variables, \
             then these flags. An unknown key or TERN_* variable is an error.",
        )
        .arg(
            Arg::new("config")
                .long("config")
                .value_name("FILE")
                .help("TOML file to read settings from [env: TERN_CONFIG]"),
        );
    for setting in SETTINGS {
        let default = match setting.default {
            "" => String::new(),
            text => format!(" [default: {text}]"),
        };
        command = command.arg(
            Arg::new(setting.name())
                .long(setting.flag()[2..].to_owned())
                .value_name("VALUE")
                .action(ArgAction::Set)
                .help(format!(
                    "{}{default} [env: {}]",
                    setting
                        .help
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                    setting.env()
                )),
        );
    }
    for (flat, _) in FLAT_NAMES {
        command = command.arg(
            Arg::new(*flat)
                .long(flat.replace('_', "-"))
                .action(ArgAction::Set)
                .hide(true),
        );
    }
    command
}
