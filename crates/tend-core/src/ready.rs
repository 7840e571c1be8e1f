//! The target of a `ready.http` condition: an `http://` URL, parsed without IO.

/// Where an HTTP readiness check connects and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTarget {
    /// The host name or address, without brackets.
    pub host: String,
    /// The port (80 when the URL names none).
    pub port: u16,
    /// `host[:port]` as the URL gives it, for the `Host` header.
    pub authority: String,
    /// The path and query (`/` when the URL has none).
    pub path: String,
}

impl HttpTarget {
    /// Parses `http://host[:port][/path]`. Other schemes are refused with a message.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = if let Some(rest) = url.strip_prefix("http://") {
            rest
        } else if url.starts_with("https://") {
            return Err(format!(
                "{url:?}: https is not supported yet; use an http:// URL"
            ));
        } else {
            return Err(format!("{url:?} is not an http:// URL"));
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        if authority.is_empty()
            || authority.contains('@')
            || authority.contains(char::is_whitespace)
        {
            return Err(format!("{url:?} has no usable host"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("{url:?}: unclosed [ in the host"))?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        let port = match port {
            Some(text) => text
                .parse::<u16>()
                .map_err(|_| format!("{url:?}: {text:?} is not a port"))?,
            None => 80,
        };
        if host.is_empty() {
            return Err(format!("{url:?} has no host"));
        }
        Ok(Self {
            host: host.to_owned(),
            port,
            authority: authority.to_owned(),
            path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_into_host_port_and_path() {
        let t = HttpTarget::parse("http://127.0.0.1:8080/health?x=1").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("127.0.0.1", 8080, "/health?x=1")
        );
        let t = HttpTarget::parse("http://localhost").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("localhost", 80, "/")
        );
        let t = HttpTarget::parse("http://[::1]:3000").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.authority.as_str()),
            ("::1", 3000, "[::1]:3000")
        );
        assert!(
            HttpTarget::parse("https://x")
                .unwrap_err()
                .contains("https")
        );
        assert!(HttpTarget::parse("ftp://x").is_err());
        assert!(HttpTarget::parse("http://:80/").is_err());
        assert!(HttpTarget::parse("http://h:99999/").is_err());
    }
}
