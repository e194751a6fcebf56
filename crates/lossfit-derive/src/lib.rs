//! `#[derive(ModelOutput)]`: declare each head's task and loss on a model's output struct and
//! let the compiler check the loss setup. Use it through `lossfit` (`lossfit::ModelOutput`),
//! which re-exports it; the generated code refers to `::lossfit`.
//!
//! Pipeline: `attr` parses `#[head(...)]` keeping spans, `ast` models the struct, `valid`
//! checks semantics (the `catalog` of tasks and losses, the `labels` statistics), `expand`
//! generates code from the validated model, `fallback` emits the errors plus stub items so the
//! user sees the real errors and nothing else.

mod ast;
mod attr;
mod catalog;
mod ctxt;
mod expand;
mod fallback;
mod labels;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Implements `lossfit::ModelOutput` for a struct of model heads, checking each head's loss at
/// compile time.
///
/// Every key of `#[head(...)]`, with examples, is documented on the `lossfit::ModelOutput`
/// trait: `task`, `loss`, `reduction` (required); `scale`, `input`, `labels`, `column`,
/// `classes`, `max_imbalance`, `allow_imbalance`; and per loss `weight`, `pos_weight`,
/// `label_smoothing`, `target`, `gamma`, `alpha`, `margin`, `p`, `delta`, `beta`, `log_input`,
/// `full`.
#[proc_macro_derive(ModelOutput, attributes(head))]
pub fn derive_model_output(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let mut cx = ctxt::Ctxt::default();
    let parsed = ast::Input::from_syn(&mut cx, &input);
    let checked = parsed.and_then(|model| valid::check(&mut cx, model));
    match (checked, cx.finish()) {
        (Some(model), Ok(())) => expand::expand(&model).into(),
        // Errors that leave every head's types known (labels, weights, options): report them
        // and still generate the items, so the rest of the user's code type-checks.
        (Some(model), Err(errors)) => {
            let mut tokens = errors.to_compile_error();
            tokens.extend(expand::expand(&model));
            tokens.into()
        }
        (None, result) => fallback::fallback(&input, result.err()).into(),
    }
}
