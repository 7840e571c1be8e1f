//! `config.toml` of a home (CONTRACT.md §1), read at start, with errors that name the key.

use std::path::Path;

use serde::Deserialize;
use tend_core::parse_duration;

/// The settings of a home. Every key of config.toml is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// How long terminal tasks are kept (`retention`, default 7 days).
    pub retention_ms: u64,
    /// Output kept per task (`output_cap_bytes`, default 64 MiB).
    pub output_cap_bytes: u64,
    /// Output kept from the start of a task (`head_bytes`, default 1 MiB).
    pub head_bytes: u64,
    /// Output of terminal tasks kept on disk in all (`output_budget_bytes`, default 2 GiB).
    pub output_budget_bytes: u64,
    /// Grace between SIGTERM and SIGKILL (`default_grace`, default 5 s).
    pub default_grace_ms: u64,
    /// Group limits (`[groups]`).
    pub groups: Vec<(String, u32)>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            retention_ms: 7 * 86_400_000,
            output_cap_bytes: 64 * 1024 * 1024,
            head_bytes: 1024 * 1024,
            output_budget_bytes: 2 * 1024 * 1024 * 1024,
            default_grace_ms: 5_000,
            groups: Vec::new(),
        }
    }
}

/// config.toml that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown key or a wrong type.
    #[error("invalid {path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// The parser's message, naming the key.
        message: String,
    },
    /// A key has a value out of range.
    #[error("invalid {path}: key `{key}`: {message}")]
    Value {
        /// The file.
        path: String,
        /// The key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    retention: Option<String>,
    output_cap_bytes: Option<u64>,
    head_bytes: Option<u64>,
    output_budget_bytes: Option<u64>,
    default_grace: Option<String>,
    groups: Option<std::collections::BTreeMap<String, i64>>,
}

impl Settings {
    /// Reads `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(source) => {
                return Err(SettingsError::Read {
                    path: shown,
                    source,
                });
            }
        };
        Self::parse(&text, &shown)
    }

    /// Parses the text of a config.toml; `path` is only used in messages.
    pub fn parse(text: &str, path: &str) -> Result<Self, SettingsError> {
        let raw: RawSettings = toml::from_str(text).map_err(|e| SettingsError::Syntax {
            path: path.to_owned(),
            message: e.to_string().trim().to_owned(),
        })?;
        let value_error = |key: &str, message: String| SettingsError::Value {
            path: path.to_owned(),
            key: key.to_owned(),
            message,
        };
        let mut settings = Self::default();
        if let Some(text) = raw.retention {
            settings.retention_ms =
                parse_duration(&text).map_err(|e| value_error("retention", e.to_string()))?;
            if settings.retention_ms == 0 {
                return Err(value_error("retention", "must be longer than 0".into()));
            }
        }
        if let Some(text) = raw.default_grace {
            settings.default_grace_ms =
                parse_duration(&text).map_err(|e| value_error("default_grace", e.to_string()))?;
        }
        if let Some(cap) = raw.output_cap_bytes {
            settings.output_cap_bytes = cap;
        }
        if let Some(head) = raw.head_bytes {
            settings.head_bytes = head;
        }
        if let Some(budget) = raw.output_budget_bytes {
            settings.output_budget_bytes = budget;
        }
        if settings.output_cap_bytes < 4096 {
            return Err(value_error(
                "output_cap_bytes",
                "must be at least 4096".into(),
            ));
        }
        if settings.head_bytes > settings.output_cap_bytes {
            return Err(value_error(
                "head_bytes",
                "must not exceed output_cap_bytes".into(),
            ));
        }
        for (name, limit) in raw.groups.unwrap_or_default() {
            let key = format!("groups.{name}");
            tend_core::validate_group(&name).map_err(|e| value_error(&key, e.to_string()))?;
            let limit = u32::try_from(limit)
                .ok()
                .filter(|&l| l <= 100_000)
                .ok_or_else(|| {
                    value_error(&key, "must be a limit from 0 (unlimited) to 100000".into())
                })?;
            settings.groups.push((name, limit));
        }
        Ok(settings)
    }

    /// The engine's settings derived from these.
    pub fn engine_config(&self) -> tend_core::Config {
        tend_core::Config {
            retention_ms: self.retention_ms,
            default_grace_ms: self.default_grace_ms,
            groups: self.groups.clone(),
            ..tend_core::Config::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_read() {
        let text = "retention = \"2d\"\noutput_cap_bytes = 1048576\nhead_bytes = 4096\n\
                    output_budget_bytes = 10000000\ndefault_grace = \"250ms\"\n[groups]\nbuild = 2\n";
        let settings = Settings::parse(text, "config.toml").unwrap();
        assert_eq!(settings.retention_ms, 2 * 86_400_000);
        assert_eq!(settings.output_cap_bytes, 1_048_576);
        assert_eq!(settings.head_bytes, 4096);
        assert_eq!(settings.output_budget_bytes, 10_000_000);
        assert_eq!(settings.default_grace_ms, 250);
        assert_eq!(settings.groups, vec![("build".to_owned(), 2)]);
    }

    #[test]
    fn errors_name_the_key() {
        for (text, key) in [
            ("retention = \"soon\"", "retention"),
            ("default_grace = 5", "default_grace"),
            ("output_cap_bytes = \"big\"", "output_cap_bytes"),
            ("colour = true", "colour"),
            ("[groups]\nbuild = -1", "groups.build"),
            ("head_bytes = 99999999999", "head_bytes"),
        ] {
            let message = Settings::parse(text, "config.toml")
                .unwrap_err()
                .to_string();
            assert!(message.contains(key), "{message:?} does not name {key}");
        }
    }
}
