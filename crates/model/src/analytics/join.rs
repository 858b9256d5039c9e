//! The pipe-delimited encoding of multi-field blobs.

/// Joins `parts` with `|`; a `|` inside a part becomes `%7C` so splitting stays exact.
pub(super) fn join<S: AsRef<str>>(parts: &[S]) -> String {
    let len = parts.iter().map(|p| p.as_ref().len() + 1).sum();
    let mut out = String::with_capacity(len);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        push_escaped(&mut out, part.as_ref());
    }
    out
}

fn push_escaped(out: &mut String, part: &str) {
    if !part.contains('|') {
        out.push_str(part);
        return;
    }
    for (i, piece) in part.split('|').enumerate() {
        if i > 0 {
            out.push_str("%7C");
        }
        out.push_str(piece);
    }
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn empty_parts_are_kept() {
        assert_eq!(join(&["pageview", ""]), "pageview|");
        assert_eq!(join(&["", "", ""]), "||");
    }

    #[test]
    fn a_pipe_inside_a_part_is_escaped() {
        assert_eq!(join(&["a|b", "c"]), "a%7Cb|c");
    }
}
