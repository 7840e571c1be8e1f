//! Query strings: parsed by name with messages that name the parameter; built for clients.

use std::str::FromStr;

use tend_core::Error;

/// The parameters of one query string, taken one by one by the query types.
///
/// An empty value (`grep=`) counts as not given. A parameter given twice, or one that no
/// `take_*` call asked for (see [`QueryPairs::finish`]), is `invalid_argument`.
#[derive(Debug, Clone, Default)]
pub struct QueryPairs {
    pairs: Vec<(String, String)>,
}

impl QueryPairs {
    /// Splits and percent-decodes `query` (without the leading `?`; `None` when absent).
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        Self { pairs }
    }

    /// The value of `name`, removed from the pairs; `None` when absent or empty.
    pub fn take(&mut self, name: &'static str) -> Result<Option<String>, Error> {
        let mut found = None;
        let mut index = 0;
        while index < self.pairs.len() {
            if self.pairs[index].0 == name {
                let (_, value) = self.pairs.remove(index);
                if found.is_some() {
                    return Err(Error::invalid(name, "is given more than once"));
                }
                found = Some(value);
            } else {
                index += 1;
            }
        }
        Ok(found.filter(|value| !value.is_empty()))
    }

    /// The value of `name` parsed with [`FromStr`]; the message says what was expected.
    pub fn take_parsed<T: FromStr>(
        &mut self,
        name: &'static str,
        expected: &str,
    ) -> Result<Option<T>, Error> {
        match self.take(name)? {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| Error::invalid(name, format!("{text:?} is not {expected}"))),
        }
    }

    /// A non-negative whole number.
    pub fn take_u64(&mut self, name: &'static str) -> Result<Option<u64>, Error> {
        self.take_parsed(name, "a non-negative whole number")
    }

    /// `true` or `false`.
    pub fn take_bool(&mut self, name: &'static str) -> Result<Option<bool>, Error> {
        self.take_parsed(name, "true or false")
    }

    /// Fails when a parameter was not taken: the API has no such parameter.
    pub fn finish(self) -> Result<(), Error> {
        match self.pairs.into_iter().next() {
            None => Ok(()),
            Some((name, _)) => Err(Error::invalid(
                "query",
                format!("unknown parameter {name:?}"),
            )),
        }
    }
}

/// Builds a query string for clients: only the parameters that are given.
pub(crate) struct QueryBuilder {
    inner: form_urlencoded::Serializer<'static, String>,
    empty: bool,
}

impl QueryBuilder {
    pub(crate) fn new() -> Self {
        Self {
            inner: form_urlencoded::Serializer::new(String::new()),
            empty: true,
        }
    }

    pub(crate) fn add(&mut self, name: &str, value: Option<impl ToString>) -> &mut Self {
        if let Some(value) = value {
            self.inner.append_pair(name, &value.to_string());
            self.empty = false;
        }
        self
    }

    /// The query string without `?`; empty when nothing was given.
    pub(crate) fn finish(&mut self) -> String {
        if self.empty {
            String::new()
        } else {
            self.inner.finish()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_absent_and_mistakes_are_named() {
        let mut pairs = QueryPairs::parse(Some("a=1&b=&c=x%20y&d=-3"));
        assert_eq!(pairs.take_u64("a").unwrap(), Some(1));
        assert_eq!(pairs.take("b").unwrap(), None);
        assert_eq!(pairs.take("c").unwrap().as_deref(), Some("x y"));
        let error = pairs.take_u64("d").unwrap_err().to_string();
        assert!(error.contains("d") && error.contains("-3"), "{error}");
        QueryPairs::parse(None).finish().unwrap();
        let error = QueryPairs::parse(Some("zzz=1"))
            .finish()
            .unwrap_err()
            .to_string();
        assert!(error.contains("zzz"), "{error}");
        assert!(QueryPairs::parse(Some("a=1&a=2")).take("a").is_err());
    }

    #[test]
    fn the_builder_skips_absent_values() {
        let mut builder = QueryBuilder::new();
        builder
            .add("a", Some(1))
            .add("b", None::<u64>)
            .add("c", Some("x y"));
        assert_eq!(builder.finish(), "a=1&c=x+y");
        assert_eq!(QueryBuilder::new().finish(), "");
    }
}
