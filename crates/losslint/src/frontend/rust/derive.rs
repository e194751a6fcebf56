//! Loss sites declared by derive attributes: each `#[head(task = .., loss = .., ..)]` field of
//! a struct deriving lossfit's `ModelOutput` is one site with its declared task, label file,
//! reduction and weighting.
//!
//! The attribute is read as `key = value` pairs separated by top-level commas, keeping each
//! value's tokens and span; a malformed entry is skipped (the derive reports it at compile
//! time), and a head whose loss is not in the table makes no site.

use proc_macro2::{TokenStream, TokenTree};

use super::dataflow::FileContext;
use super::spans::SpanMap;
use crate::facts::{
    ApiStyle, Argument, Edit, Framework, LossKind, LossSite, Origin, Reduction, Role, Span,
    WeightHint, Weighting,
};
use crate::frontend::apis::DeriveTable;

/// One `key = value` of the attribute.
#[derive(Debug)]
struct Entry {
    key: String,
    value: Vec<TokenTree>,
}

/// The sites of a struct, if it derives the table's macro.
pub(crate) fn heads(
    item: &syn::ItemStruct,
    cx: &FileContext<'_>,
    framework: Framework,
    table: &DeriveTable,
) -> Vec<LossSite> {
    if !derives(item, cx, table) {
        return Vec::new();
    }
    let syn::Fields::Named(fields) = &item.fields else {
        return Vec::new();
    };
    let mut sites = Vec::new();
    for field in &fields.named {
        for attr in &field.attrs {
            if !attr.path().is_ident(table.attribute) {
                continue;
            }
            if let Some(site) = head(attr, field, cx, framework, table) {
                sites.push(site);
            }
        }
    }
    sites
}

/// Whether the struct's `#[derive(..)]` lists the table's derive.
fn derives(item: &syn::ItemStruct, cx: &FileContext<'_>, table: &DeriveTable) -> bool {
    item.attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .filter_map(|attr| {
            attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .ok()
        })
        .flatten()
        .any(|path| cx.imports.resolve_path(&path).as_deref() == Some(table.derive))
}

/// The site of one `#[head(...)]`.
fn head(
    attr: &syn::Attribute,
    field: &syn::Field,
    cx: &FileContext<'_>,
    framework: Framework,
    table: &DeriveTable,
) -> Option<LossSite> {
    let syn::Meta::List(list) = &attr.meta else {
        return None;
    };
    let entries = entries(list.tokens.clone());
    let get = |key: &str| entries.iter().find(|entry| entry.key == key);
    let loss_entry = get(table.loss_key)?;
    let loss_name = single_ident(&loss_entry.value)?;
    let loss = table.losses.iter().find(|loss| loss.name == loss_name)?;
    let spans = cx.spans;
    let name_span = value_span(spans, &loss_entry.value)?;
    let close = SpanMap::point(spans.span(list.delimiter.span().close()).start);
    let trailing_comma = matches!(
        list.tokens.clone().into_iter().last(),
        Some(TokenTree::Punct(punct)) if punct.as_char() == ','
    );
    // After a trailing comma the inserted entry needs no comma of its own.
    let insertion = |text: &str| {
        if trailing_comma {
            format!(" {}", text.trim_start_matches(',').trim_start())
        } else {
            text.to_string()
        }
    };
    let reduction = match get(table.reduction_key) {
        Some(entry) => {
            let span = value_span(spans, &entry.value)?;
            Reduction::Explicit {
                value: spans.text(span).to_string(),
                span,
            }
        }
        None => Reduction::Implicit {
            default: table.default_reduction.to_string(),
            fix: Some(Edit {
                span: close,
                content: insertion(table.reduction_fix),
            }),
        },
    };
    let weighting = if matches!(loss.loss, LossKind::SigmoidFocal | LossKind::SoftmaxFocal) {
        Weighting::Focal
    } else if let Some((_, weighting)) =
        table.weight_keys.iter().find(|(key, _)| get(key).is_some())
    {
        weighting.clone()
    } else if get(table.accept_key).is_some() {
        Weighting::Unknown
    } else {
        Weighting::None
    };
    let declared_task = get(table.task_key)
        .and_then(|entry| single_ident(&entry.value))
        .and_then(|task| {
            table
                .tasks
                .iter()
                .find(|(name, _)| *name == task)
                .map(|(_, task)| *task)
        });
    let labels = get(table.labels_key).and_then(|entry| string_value(&entry.value));
    let declares_logits = match get(table.input_key) {
        Some(entry) => single_ident(&entry.value).is_some_and(|input| input == table.logits_value),
        None => loss.takes_logits,
    };
    let arguments = match (&field.ident, declares_logits) {
        (Some(ident), true) => {
            let span = spans.of(ident);
            vec![Argument {
                role: Role::Input,
                span,
                origin: Origin::Logits { span },
            }]
        }
        _ => Vec::new(),
    };
    let weight_hint = loss.weight_key.map(|key| WeightHint {
        template: insertion(&format!(", {key} = [{{weights}}]")),
        at: Some(close),
    });
    Some(LossSite {
        framework,
        style: ApiStyle::LossfitDerive,
        loss: loss.loss,
        api: format!("{}{}", table.api_prefix, loss.name),
        span: spans.of(attr),
        name_span,
        reduction,
        weighting,
        legacy_args: Vec::new(),
        arguments,
        declared_task,
        labels,
        weight_hint,
        legacy_fix: None,
        logits_fix: None,
    })
}

/// Splits `key = value, key = value` at top-level commas.
fn entries(tokens: TokenStream) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(first) = iter.next() {
        let key = match first {
            TokenTree::Ident(ident) => Some(ident.to_string()),
            _ => None,
        };
        let equals = matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '=');
        if equals {
            iter.next();
        }
        let mut value = Vec::new();
        while let Some(token) =
            iter.next_if(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
        {
            value.push(token);
        }
        iter.next();
        if let (Some(key), true, false) = (key, equals, value.is_empty()) {
            entries.push(Entry { key, value });
        }
    }
    entries
}

fn single_ident(value: &[TokenTree]) -> Option<String> {
    match value {
        [TokenTree::Ident(ident)] => Some(ident.to_string()),
        _ => None,
    }
}

fn string_value(value: &[TokenTree]) -> Option<String> {
    match value {
        [TokenTree::Literal(literal)] => {
            let literal: syn::LitStr =
                syn::parse2(TokenStream::from(TokenTree::Literal(literal.clone()))).ok()?;
            Some(literal.value())
        }
        _ => None,
    }
}

/// The span of a value's tokens.
fn value_span(spans: &SpanMap<'_>, value: &[TokenTree]) -> Option<Span> {
    let first = value.first()?;
    let last = value.last()?;
    Some(Span {
        start: spans.span(first.span()).start,
        end: spans.span(last.span()).end,
    })
}
