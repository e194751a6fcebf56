//! Measures a Python file before it is parsed: the parser, the lowering and the drop of the
//! tree recurse once per nesting level, so brackets nested thousands deep or one statement
//! chaining a hundred thousand operators would exhaust any stack. Such files are refused
//! (LL000) instead; real code stays far below the limits.

/// Brackets nested deeper than this are refused (`CPython` itself stops at 200).
pub(crate) const MAX_BRACKETS: usize = 200;
/// Operators chained at one bracket level of one statement (between commas): `1 + 1 + ..`,
/// `not not ..`, `lambda: lambda: ..`, `a if b else a if ..`, `x.y.y.y..`, `f()()()..` parse
/// to a tree as deep as the chain is long; `[-1, -2, ..]` does not.
pub(crate) const MAX_OPERATORS: usize = 10_000;
/// Indentation of a line, in bytes (blocks nested hundreds deep).
pub(crate) const MAX_INDENT: usize = 2_000;

/// Why a file is refused: the byte offset where the limit was passed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooDeep(pub(crate) usize);

/// Scans a file's text; strings and comments are skipped.
pub(crate) fn check(text: &str) -> Result<(), TooDeep> {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut depth = 0usize;
    // Operators since the last comma, per bracket level.
    let mut operators = vec![0usize; MAX_BRACKETS + 2];
    let mut line_start = true;
    let mut indent = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = at(i);
        if line_start {
            if c == b' ' || c == b'\t' {
                indent += 1;
                if indent > MAX_INDENT {
                    return Err(TooDeep(i));
                }
                i += 1;
                continue;
            }
            line_start = false;
            indent = 0;
        }
        match c {
            b'\n' => {
                if depth == 0 {
                    operators[0] = 0;
                }
                line_start = true;
                i += 1;
            }
            b'#' => {
                while i < b.len() && at(i) != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                // A call or subscript of what came before chains too: `f()()()`.
                operators[depth] += 1;
                if operators[depth] > MAX_OPERATORS {
                    return Err(TooDeep(i));
                }
                depth += 1;
                if depth > MAX_BRACKETS {
                    return Err(TooDeep(i));
                }
                operators[depth] = 0;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b',' | b';' => {
                operators[depth] = 0;
                i += 1;
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'<' | b'>' | b'~' => {
                operators[depth] += 1;
                if operators[depth] > MAX_OPERATORS {
                    return Err(TooDeep(i));
                }
                i += 1;
            }
            q @ (b'"' | b'\'') => {
                let triple = at(i + 1) == q && at(i + 2) == q;
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    let c = at(i);
                    if c == b'\\' {
                        i += 2;
                        continue;
                    }
                    if c == b'\n' && !triple {
                        break;
                    }
                    if c == q && (!triple || (at(i + 1) == q && at(i + 2) == q)) {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
            }
            b'.' if is_ident_start(at(i + 1)) && (i == 0 || !at(i - 1).is_ascii_digit()) => {
                operators[depth] += 1;
                if operators[depth] > MAX_OPERATORS {
                    return Err(TooDeep(i));
                }
                i += 1;
            }
            c if is_ident_start(c) && (i == 0 || !is_ident(at(i - 1))) => {
                let end = b[i..]
                    .iter()
                    .position(|&c| !is_ident(c))
                    .map_or(b.len(), |p| i + p);
                let word = &b[i..end];
                if (2..=6).contains(&word.len()) && CHAINING.contains(&word) {
                    operators[depth] += 1;
                    if operators[depth] > MAX_OPERATORS {
                        return Err(TooDeep(i));
                    }
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Keywords that nest the expression after them.
const CHAINING: &[&[u8]] = &[
    b"not", b"lambda", b"if", b"else", b"await", b"yield", b"and", b"or", b"in", b"is",
];

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_code_passes() {
        let text = "import torch\nx = f(a[0], {'k': (1, 2)})  # ((((\ns = '(((('\n";
        assert_eq!(check(text), Ok(()));
        let many_lines = "x = 1 + 2\n".repeat(20_000);
        assert_eq!(check(&many_lines), Ok(()));
        let data = format!("w = [{}]\n", "-0.5, ".repeat(50_000));
        assert_eq!(check(&data), Ok(()));
    }

    #[test]
    fn deep_or_long_input_is_refused() {
        let brackets = format!("x = {}1{}", "(".repeat(300), ")".repeat(300));
        assert_eq!(check(&brackets), Err(TooDeep(4 + MAX_BRACKETS)));
        let chain = format!("x = {}\n", "1 + ".repeat(20_000));
        assert!(check(&chain).is_err());
        let continued = format!("x = ({})\n", "1 +\n".repeat(20_000));
        assert!(check(&continued).is_err());
        let tuples = format!("x = {}()\n", "(1,) + ".repeat(20_000));
        assert!(check(&tuples).is_err());
        let nots = format!("x = {}y\n", "not ".repeat(20_000));
        assert!(check(&nots).is_err());
        let indent = format!("x = 1\n{}y = 2\n", " ".repeat(5000));
        assert!(check(&indent).is_err());
        for chain in ["lambda: ", "a if b else ", "-", "x."] {
            let text = format!("y = {}1\n", chain.repeat(20_000));
            assert!(check(&text).is_err(), "{chain}");
        }
        let calls = format!("y = f{}\n", "()".repeat(20_000));
        assert!(check(&calls).is_err());
    }
}
