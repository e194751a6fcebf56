//! Per-batch losses added up into an epoch total (LL010): `total += loss.item()` inside a loop,
//! then `total / n`. The facts record the addition, the loss's reduction as written, and what
//! the divisor counts: samples or batches, from the loop's counters (`n += 1`,
//! `n += images.size()[0]`) or, failing that, from names (`dataset.len()`, `num_batches`).
//!
//! Only a computed loss added as it is counts (through `?`, clones, `.item()`, `f64::try_from`,
//! `as f64`, lossfit's `.value`): `loss.item() * batch_size` is a different quantity, so is
//! anything else, and a divisor that names neither count is `Unknown`.

use super::dataflow::{FnAnalysis, Value, is_zero, single_ident};
use crate::facts::{Accumulation, Divisor, Span};
use crate::flow::counts::{by_name, collection_by_name};

/// Methods that turn a computed loss into a number without changing what it is.
pub(crate) const SCALAR: &[&str] = &[
    "item",
    "into_scalar",
    "double_value",
    "f_double_value",
    "to_scalar",
    "to_vec0",
    "elem",
    "scalar",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "to_f64",
    "to_f32",
];

/// Methods of a count that keep it a count (`n.max(1)`, `n.try_into()?`).
const COUNT_PRESERVING: &[&str] = &[
    "max", "clamp", "into", "try_into", "unwrap", "expect", "clone",
];

/// Methods whose result is the size of a batch (`x.size()[0]`, `labels.len()`, `x.nrows()`).
const SIZE_METHODS: &[&str] = &[
    "size",
    "dims",
    "shape",
    "len",
    "nrows",
    "size1",
    "dim",
    "numel",
    "elem_count",
];

impl FnAnalysis<'_, '_> {
    /// `name += added` (or `name = name + added`) at `span`.
    pub(crate) fn accumulate(
        &mut self,
        left: &syn::Expr,
        added: &syn::Expr,
        value: &Value,
        span: Span,
    ) {
        let Some(name) = single_ident(left) else {
            return;
        };
        if self.loop_depth == 0 {
            return;
        }
        if let Value::Computed(reduction) = value {
            self.pending.insert(name, (span, reduction.clone()));
            return;
        }
        self.pending.remove(&name);
        let counted = self.counted(added);
        let merged = match self.counters.get(&name) {
            Some(previous) if *previous != counted => Divisor::Unknown,
            _ => counted,
        };
        self.counters.insert(name, merged);
    }

    /// `left / right` (or `left /= right`): an accumulation when `left` holds added losses.
    /// Every division of the total is judged (it may be printed per batch and divided by the
    /// number of samples for the log).
    pub(crate) fn divide(&mut self, left: &syn::Expr, right: &syn::Expr) {
        let Some(name) = single_ident(strip_number(left)) else {
            return;
        };
        let Some((span, reduction)) = self.pending.get(&name).cloned() else {
            return;
        };
        let divisor = self.divisor(right);
        let divisor_span = Some(self.span_of(right));
        if self
            .accumulations
            .iter()
            .any(|acc| acc.span == span && acc.divisor_span == divisor_span)
        {
            return;
        }
        self.accumulations.push(Accumulation {
            span,
            reduction,
            divisor,
            divisor_span,
        });
    }

    /// What a divisor counts: a loop counter, a local holding a count, a size the code
    /// shows (`dataset.len()`, `loader.num_items()`, `images.dim(0)?`, `x.size()[0]`), or a
    /// name that says it (`n_samples`, `num_batches`, `train_size`).
    pub(crate) fn divisor(&self, expr: &syn::Expr) -> Divisor {
        let expr = strip_count(expr);
        if let Some(name) = single_ident(expr) {
            if let Some(counted) = self.counters.get(&name) {
                return *counted;
            }
            if let Some(Value::Count(count)) = self.env.get(&name) {
                return *count;
            }
            return by_name(&name);
        }
        if let Some(count) = self.count_expr(expr) {
            return count;
        }
        match expr {
            syn::Expr::Field(field) => match &field.member {
                syn::Member::Named(member) => by_name(&member.to_string()),
                syn::Member::Unnamed(_) => Divisor::Unknown,
            },
            _ => Divisor::Unknown,
        }
    }

    /// The count a size expression shows, if any.
    fn count_expr(&self, expr: &syn::Expr) -> Option<Divisor> {
        match strip_count(expr) {
            syn::Expr::MethodCall(call) => {
                let args: Vec<&syn::Expr> = call.args.iter().collect();
                match self.size_method(&call.receiver, &call.method.to_string(), &args)? {
                    Value::Count(count) => Some(count),
                    _ => None,
                }
            }
            syn::Expr::Index(index) if is_zero(&index.index) => match strip_count(&index.expr) {
                syn::Expr::MethodCall(call)
                    if call.args.is_empty()
                        && matches!(
                            call.method.to_string().as_str(),
                            "size" | "dims" | "shape"
                        ) =>
                {
                    Some(Divisor::Samples)
                }
                // `x.shape[0]`
                syn::Expr::Field(field) if matches!(&field.member, syn::Member::Named(m) if m == "shape") => {
                    Some(Divisor::Samples)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// What a size method returns: `loader.num_items()` (samples), `x.len()` (what the
    /// collection holds: batches when a loop iterates it), `x.dim(0)` (samples), and
    /// `x.size()` / `x.dims()` / `x.shape()` (a shape whose first element is a sample count).
    pub(crate) fn size_method(
        &self,
        receiver: &syn::Expr,
        name: &str,
        args: &[&syn::Expr],
    ) -> Option<Value> {
        match (name, args) {
            ("num_items", []) => Some(Value::Count(Divisor::Samples)),
            ("len", []) => {
                let name = last_name(receiver)?;
                let count = if self.iterated.contains(&name) {
                    Divisor::Batches
                } else {
                    collection_by_name(&name)
                };
                (count != Divisor::Unknown).then_some(Value::Count(count))
            }
            ("size" | "dims" | "shape", []) => Some(Value::Shape),
            // `let (b_size, seq_len) = x.dims2()?` (candle), `x.size2()?` (tch).
            ("dims2" | "size2", []) => Some(first_of(2)),
            ("dims3" | "size3", []) => Some(first_of(3)),
            ("dims4" | "size4", []) => Some(first_of(4)),
            ("dims5" | "size5", []) => Some(first_of(5)),
            ("dim" | "size", [axis]) if is_zero(axis) => Some(Value::Count(Divisor::Samples)),
            _ => None,
        }
    }

    /// What `n += added` counts: one per batch, or the batch's size.
    fn counted(&self, added: &syn::Expr) -> Divisor {
        if let Some(name) = single_ident(strip_count(added))
            && let Some(Value::Count(Divisor::Samples)) = self.env.get(&name)
        {
            return Divisor::Samples;
        }
        counted(added)
    }
}

/// A tuple of `n` dimensions whose first is a sample count.
fn first_of(n: usize) -> Value {
    let mut dims = vec![Value::Unknown; n];
    dims[0] = Value::Count(Divisor::Samples);
    Value::Tuple(dims)
}

/// Whether an expression is a batch size (`batch_size`, `bs`, `self.config.batch_size`).
pub(crate) fn is_batch_size(expr: &syn::Expr) -> bool {
    last_name(expr).is_some_and(|name| {
        let name = name.to_ascii_lowercase();
        name == "bs" || name == "bsz" || name.contains("batch_size")
    })
}

/// What `n += added` counts, from the expression alone.
fn counted(added: &syn::Expr) -> Divisor {
    let added = strip_count(added);
    if let syn::Expr::Lit(lit) = added {
        let one = match &lit.lit {
            syn::Lit::Int(int) => int.base10_digits() == "1",
            syn::Lit::Float(float) => float.base10_digits().parse::<f64>().is_ok_and(|v| v == 1.0),
            _ => false,
        };
        return if one {
            Divisor::Batches
        } else {
            Divisor::Unknown
        };
    }
    if let Some(name) = single_ident(added) {
        let name = name.to_ascii_lowercase();
        let size = name == "bs"
            || name == "bsz"
            || name.contains("batch_size")
            || name.contains("batch_len")
            || name.contains("n_samples")
            || name.contains("num_samples");
        return if size {
            Divisor::Samples
        } else {
            Divisor::Unknown
        };
    }
    let sized = match added {
        syn::Expr::MethodCall(call) => SIZE_METHODS.iter().any(|m| call.method == m),
        syn::Expr::Index(index) => matches!(
            strip_count(&index.expr),
            syn::Expr::MethodCall(call) if SIZE_METHODS.iter().any(|m| call.method == m)
        ),
        _ => false,
    };
    if sized {
        Divisor::Samples
    } else {
        Divisor::Unknown
    }
}

/// The last name of `x`, `self.dataset`, `data.train`.
fn last_name(expr: &syn::Expr) -> Option<String> {
    match strip_count(expr) {
        syn::Expr::Field(field) => match &field.member {
            syn::Member::Named(member) => Some(member.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        other => single_ident(other),
    }
}

/// A count under casts, parentheses, references and count-preserving methods.
fn strip_count(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Cast(cast) => strip_count(&cast.expr),
        syn::Expr::Paren(paren) => strip_count(&paren.expr),
        syn::Expr::Group(group) => strip_count(&group.expr),
        syn::Expr::Reference(reference) => strip_count(&reference.expr),
        syn::Expr::Try(try_expr) => strip_count(&try_expr.expr),
        syn::Expr::MethodCall(call) if COUNT_PRESERVING.iter().any(|m| call.method == m) => {
            strip_count(&call.receiver)
        }
        other => other,
    }
}

/// A number under casts and parentheses (`total as f64`).
fn strip_number(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Cast(cast) => strip_number(&cast.expr),
        syn::Expr::Paren(paren) => strip_number(&paren.expr),
        syn::Expr::Group(group) => strip_number(&group.expr),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_names_count() {
        for samples in [
            "n_samples",
            "num_examples",
            "n_train",
            "train_size",
            "num_test",
            "valid_len",
            "n_items",
            "dataset_size",
        ] {
            assert_eq!(by_name(samples), Divisor::Samples, "{samples}");
        }
        for batches in [
            "n_batches",
            "num_train_batches",
            "n_train_steps",
            "train_iterations",
            "steps",
        ] {
            assert_eq!(by_name(batches), Divisor::Batches, "{batches}");
        }
        for unknown in ["n", "count", "total", "denominator", "batch_size"] {
            assert_eq!(by_name(unknown), Divisor::Unknown, "{unknown}");
        }
    }
}
