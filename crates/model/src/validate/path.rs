//! Field paths built without allocating: a chain of borrowed segments that is only rendered
//! to a string (`events[3].page.url`) when a field actually fails.

use std::fmt::{self, Write as _};

/// Where a value sits in the request body.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'p> {
    /// The whole body; renders as `""`.
    Root,
    /// A key of an object.
    Key(&'p Path<'p>, &'p str),
    /// An item of an array.
    Index(&'p Path<'p>, usize),
}

impl<'p> Path<'p> {
    /// The path of `key` inside this object.
    pub(crate) fn key<'s>(&'s self, key: &'s str) -> Path<'s> {
        Path::Key(self, key)
    }

    /// The path of item `index` inside this array.
    pub(crate) fn index(&self, index: usize) -> Path<'_> {
        Path::Index(self, index)
    }

    /// `events[3].page.url` style rendering.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.write_into(&mut out);
        out
    }

    fn write_into(&self, out: &mut String) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(parent, key) => {
                parent.write_into(out)?;
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
                Ok(())
            }
            Path::Index(parent, index) => {
                parent.write_into(out)?;
                write!(out, "[{index}]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Path;

    #[test]
    fn a_root_path_renders_empty() {
        assert_eq!(Path::Root.render(), "");
    }

    #[test]
    fn keys_and_indexes_render_dotted_with_brackets() {
        let root = Path::Root;
        let events = root.key("events");
        let item = events.index(3);
        let page = item.key("page");
        assert_eq!(page.key("url").render(), "events[3].page.url");
    }

    #[test]
    fn a_key_directly_under_the_root_has_no_leading_dot() {
        let root = Path::Root;
        assert_eq!(root.key("page").key("url").render(), "page.url");
    }
}
