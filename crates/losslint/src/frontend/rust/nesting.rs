//! Parsing with a nesting limit: `syn` parses nested groups, prefix operators and `else if`
//! chains recursively, so a generated or hostile file 100,000 levels deep would overflow any
//! stack and abort the whole run. The file is first tokenized (proc-macro2's lexer keeps its
//! own stack, and drops token trees without recursion), the depth is measured without
//! recursion, and only a file within [`MAX_NESTING`] reaches the parser; a deeper one is a
//! parse failure that says so.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};

/// Deepest nesting parsed: groups (`(`, `[`, `{`), plus runs of prefix operators and `else if`
/// links inside one group, each counted as a level. Hand-written code stays far below it.
pub(crate) const MAX_NESTING: usize = 500;

/// Most `|` (closures: `|| || || x`) or unclosed `<` (generics: `Vec<Vec<Vec<..>>>`) in one
/// statement. These nest without a group, so they are counted per statement (up to a `;`),
/// with room for long boolean chains and comparisons.
pub(crate) const MAX_PER_STATEMENT: usize = 4_000;

/// What went wrong before the syntax tree existed.
#[derive(Debug)]
pub(crate) enum Refused {
    /// The lexer or the parser failed.
    Syntax(syn::Error),
    /// Nested deeper than [`MAX_NESTING`]; the span is where the limit was crossed.
    TooDeep(Span),
}

/// `syn::parse_file` with the nesting limit: the same byte-order mark and shebang handling.
pub(crate) fn parse_file(text: &str) -> Result<syn::File, Refused> {
    let mut content = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut shebang = None;
    if content.starts_with("#!") && !content[2..].trim_start().starts_with('[') {
        let end = content.find('\n').unwrap_or(content.len());
        shebang = Some(content[..end].to_string());
        content = &content[end..];
    }
    let tokens: TokenStream = content
        .parse()
        .map_err(|error| Refused::Syntax(syn::Error::from(error)))?;
    if let Some(at) = too_deep(&tokens) {
        return Err(Refused::TooDeep(at));
    }
    let mut file: syn::File = syn::parse2(tokens).map_err(Refused::Syntax)?;
    file.shebang = shebang;
    Ok(file)
}

/// Where the token trees nest deeper than [`MAX_NESTING`], if they do.
fn too_deep(tokens: &TokenStream) -> Option<Span> {
    /// A group being read: its remaining tokens, its depth, and the length of the `else if`
    /// chain it is in.
    struct Open {
        trees: proc_macro2::token_stream::IntoIter,
        depth: usize,
        chain: usize,
    }
    let mut stack = vec![Open {
        trees: tokens.clone().into_iter(),
        depth: 0,
        chain: 0,
    }];
    while let Some(mut open) = stack.pop() {
        let mut prefix = 0_usize;
        let mut after_else = false;
        // Per statement: closures' bars, and angle brackets not closed yet.
        let mut bars = 0_usize;
        let mut angles = 0_usize;
        while let Some(tree) = open.trees.next() {
            let level = open.depth + open.chain + prefix;
            if level > MAX_NESTING || bars > MAX_PER_STATEMENT || angles > MAX_PER_STATEMENT {
                return Some(tree.span());
            }
            if let TokenTree::Punct(punct) = &tree {
                match punct.as_char() {
                    '|' => bars += 1,
                    '<' => angles += 1,
                    '>' => angles = angles.saturating_sub(1),
                    ';' => (bars, angles) = (0, 0),
                    _ => {}
                }
            }
            match &tree {
                TokenTree::Group(group) => {
                    let inner = Open {
                        trees: group.stream().into_iter(),
                        depth: level + usize::from(group.delimiter() != Delimiter::None),
                        chain: 0,
                    };
                    stack.push(open);
                    stack.push(inner);
                    break;
                }
                // `!!!!x`, `- - x`, `&&&x`, `**x`: each prefix operator is a parser level.
                TokenTree::Punct(punct) if matches!(punct.as_char(), '!' | '-' | '*' | '&') => {
                    prefix += 1;
                    after_else = false;
                }
                // `else if` chains nest the same way; an `if` after anything else starts one.
                TokenTree::Ident(ident) if ident == "else" => {
                    prefix = 0;
                    after_else = true;
                }
                TokenTree::Ident(ident) if ident == "if" => {
                    prefix = 0;
                    if after_else {
                        open.chain += 1;
                    } else {
                        open.chain = 0;
                    }
                    after_else = false;
                }
                _ => {
                    prefix = 0;
                    after_else = false;
                }
            }
        }
    }
    None
}
