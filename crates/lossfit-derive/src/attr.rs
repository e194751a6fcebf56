//! Parses `#[head(key = value, ...)]` into entries that keep their original spans.

use proc_macro2::Span;
use syn::parse::ParseStream;
use syn::{Attribute, Ident, LitBool, LitFloat, LitInt, LitStr, Token, bracketed};

use crate::ctxt::Ctxt;

/// The value written after `key =`.
#[derive(Clone)]
pub(crate) enum Value {
    /// `MultiClass`, `balanced`, `mean`, ...
    Ident(Ident),
    /// `"data/labels.csv"`
    Str(LitStr),
    /// `0.1`, `-1`, `10` (with whether it was written as an integer)
    Number {
        value: f64,
        integer: bool,
        span: Span,
    },
    /// `true` / `false`
    Bool(LitBool),
    /// `[1.0, 2.5, 0.3]`
    List { values: Vec<f64>, span: Span },
    /// `["cat", "dog", "bird"]`
    Names { values: Vec<LitStr>, span: Span },
}

impl Value {
    pub(crate) fn span(&self) -> Span {
        match self {
            Value::Ident(ident) => ident.span(),
            Value::Str(lit) => lit.span(),
            Value::Bool(lit) => lit.span,
            Value::Number { span, .. } | Value::List { span, .. } | Value::Names { span, .. } => {
                *span
            }
        }
    }

    /// What kind of value it is, for messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Value::Ident(_) => "a name",
            Value::Str(_) => "a string",
            Value::Number { .. } => "a number",
            Value::Bool(_) => "a boolean",
            Value::List { .. } => "a list",
            Value::Names { .. } => "a list of names",
        }
    }
}

/// One `key = value`.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) key: Ident,
    pub(crate) value: Value,
}

/// A parsed `#[head(...)]`.
#[derive(Clone)]
pub(crate) struct HeadAttr {
    /// The whole attribute, for errors about something missing.
    pub(crate) attr: Attribute,
    pub(crate) entries: Vec<Entry>,
}

/// Parses one `#[head(...)]`; syntax errors are recorded and the entries read so far kept.
pub(crate) fn parse_head(cx: &mut Ctxt, attr: &Attribute) -> HeadAttr {
    let mut entries = Vec::new();
    let result = attr.parse_nested_meta(|meta| {
        let key = meta
            .path
            .get_ident()
            .cloned()
            .ok_or_else(|| meta.error("expected `key = value`, e.g. `loss = CrossEntropy`"))?;
        let value = parse_value(meta.value()?)?;
        entries.push(Entry { key, value });
        Ok(())
    });
    if let Err(error) = result {
        cx.syn_error(error);
    }
    HeadAttr {
        attr: attr.clone(),
        entries,
    }
}

fn parse_value(input: ParseStream<'_>) -> syn::Result<Value> {
    if input.peek(LitStr) {
        return Ok(Value::Str(input.parse()?));
    }
    if input.peek(LitBool) {
        return Ok(Value::Bool(input.parse()?));
    }
    if input.peek(syn::token::Bracket) {
        let content;
        let bracket = bracketed!(content in input);
        if content.peek(LitStr) {
            let mut names = Vec::new();
            while !content.is_empty() {
                names.push(content.parse::<LitStr>()?);
                if content.is_empty() {
                    break;
                }
                content.parse::<Token![,]>()?;
            }
            return Ok(Value::Names {
                values: names,
                span: bracket.span.join(),
            });
        }
        let mut values = Vec::new();
        while !content.is_empty() {
            let (value, _, _) = parse_number(&content)?;
            values.push(value);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        return Ok(Value::List {
            values,
            span: bracket.span.join(),
        });
    }
    if input.peek(Ident) {
        return Ok(Value::Ident(input.parse()?));
    }
    let (value, integer, span) = parse_number(input)?;
    Ok(Value::Number {
        value,
        integer,
        span,
    })
}

/// A possibly negative integer or float literal.
fn parse_number(input: ParseStream<'_>) -> syn::Result<(f64, bool, Span)> {
    let negative = input.peek(Token![-]);
    if negative {
        input.parse::<Token![-]>()?;
    }
    let sign = if negative { -1.0 } else { 1.0 };
    if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        let value: f64 = lit.base10_parse()?;
        return Ok((sign * value, true, lit.span()));
    }
    if input.peek(LitFloat) {
        let lit: LitFloat = input.parse()?;
        let value: f64 = lit.base10_parse()?;
        return Ok((sign * value, false, lit.span()));
    }
    Err(input.error(
        "expected a value: a name (`MultiClass`), a string (`\"data/labels.csv\"`), a number, \
         `true`/`false`, or a list of numbers (`[1.0, 2.0]`)",
    ))
}
