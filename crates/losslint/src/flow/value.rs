//! The abstract values a frontend's evaluator computes for expressions, and their join: the
//! lattice every frontend shares, and that summaries and field stores carry between bodies.
//!
//! A value says what is known of where something came from (an activation's output, declared
//! logits, integer class labels), of a loss object or a computed loss, or of a structure
//! (tuple, struct value, callable) holding such values. `Unknown` is the top: the join of two
//! values that disagree, and what nothing is ever reported on.

use crate::facts::{Divisor, Origin, Span};
use crate::flow::Lattice;
use crate::frontend::apis::Api;

/// An abstract value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Unknown,
    /// A tensor (or array) with what is known of where it came from.
    Tensor(Origin),
    /// A loss object (builder, config or built loss): an index into the analysis's objects.
    Loss(usize),
    /// A loss object of this API built in another body (a summary's or a field's value).
    LossApi(Api),
    /// A loss object built in another body, described by what its construction showed: the
    /// API's path in its frontend's table and the reduction it computes with (`"sum"`, the
    /// default `mean`), when known. Frontends whose tables describe objects by value use it
    /// (Python: `self.criterion = nn.CrossEntropyLoss(reduction="sum")` read in another method,
    /// or a function reference such as `F.cross_entropy` or its `functools.partial`).
    Built {
        api: &'static str,
        reduction: Option<String>,
    },
    /// The options struct of a functional loss.
    Options(Box<OptionsValue>),
    /// A computed loss (tensor or scalar), with its reduction as written when known
    /// (`"Reduction::Mean"`, `"mean"` for a default or a fixed mean).
    Computed(Option<String>),
    /// A tuple, element by element.
    Tuple(Vec<Value>),
    /// A struct value: its type when written (`StepOutput`, the `impl`'s type for `self`),
    /// and the fields known here (others: what the file stores into the type's field).
    Record {
        ty: Option<String>,
        fields: Vec<(String, Value)>,
    },
    /// Something callable (a closure, a sequential model) whose result is this value.
    Callable(Box<Value>),
    /// The value of the function's `n`th parameter (in a summary: the argument at the call).
    Param(usize),
    /// A count (LL010's divisors and counters).
    Count(Divisor),
    /// The dimensions of a tensor (`x.size()`, `x.dims()`): its first is a sample count.
    Shape,
}

impl Lattice for Value {
    fn unknown() -> Self {
        Value::Unknown
    }

    fn join(&self, other: &Self) -> Self {
        join(self, other)
    }
}

/// What an options struct (`CrossEntropyOptions { .. }`) shows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OptionsValue {
    pub(crate) reduction: OptionsReduction,
    /// Fields written (name and what their value shows).
    pub(crate) fields: Vec<(String, Param)>,
    /// Whether the fields not written are the defaults (the base is `Default::default()`).
    pub(crate) complete: bool,
}

/// The reduction field of an options value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum OptionsReduction {
    Explicit {
        value: String,
        span: Span,
    },
    /// Not written and the base is the default; the edit writes it, when one is safe.
    Missing {
        fix: Option<crate::facts::Edit>,
    },
    Unknown,
}

/// What a weighting parameter shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Param {
    NotSet,
    /// `None`.
    Absent,
    /// `Some(..)` or a weight.
    Present,
    /// A value whose meaning cannot be seen.
    Unknown,
}

/// Scoped variable bindings.
#[derive(Clone, Debug, Default)]
pub(crate) struct Env {
    scopes: Vec<Vec<(String, Value)>>,
}

impl Env {
    pub(crate) fn push(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub(crate) fn pop(&mut self) {
        self.scopes.pop();
    }

    pub(crate) fn bind(&mut self, name: String, value: Value) {
        if self.scopes.is_empty() {
            self.push();
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name, value));
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|(bound, _)| bound == name)
            .map(|(_, value)| value)
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.scopes
            .iter_mut()
            .rev()
            .flat_map(|scope| scope.iter_mut().rev())
            .find(|(bound, _)| bound == name)
            .map(|(_, value)| value)
    }

    pub(crate) fn assign(&mut self, name: &str, value: Value) {
        if let Some(slot) = self.get_mut(name) {
            *slot = value;
        }
    }

    /// Joins the environments at the end of branches: a variable keeps what all branches
    /// agree on; `lost` sees both values of each variable whose join became unknown.
    pub(crate) fn merge(mut envs: Vec<Env>, mut lost: impl FnMut(&Value)) -> Env {
        let Some(mut merged) = envs.pop() else {
            return Env::default();
        };
        for env in envs {
            for (scope, other) in merged.scopes.iter_mut().zip(env.scopes) {
                for ((_, value), (_, other_value)) in scope.iter_mut().zip(other) {
                    if *value != other_value {
                        let joined = join(value, &other_value);
                        if joined == Value::Unknown {
                            lost(value);
                            lost(&other_value);
                        }
                        *value = joined;
                    }
                }
            }
        }
        merged
    }
}

/// The join of two branch values: what both say, element by element and field by field.
pub(crate) fn join(a: &Value, b: &Value) -> Value {
    match (a, b) {
        _ if a == b => a.clone(),
        (
            Value::Tensor(Origin::Activation { activation: x, .. }),
            Value::Tensor(Origin::Activation { activation: y, .. }),
        ) if x == y => a.clone(),
        (Value::Tensor(Origin::Logits { .. }), Value::Tensor(Origin::Logits { .. })) => a.clone(),
        (Value::Tuple(x), Value::Tuple(y)) if x.len() == y.len() => {
            Value::Tuple(x.iter().zip(y).map(|(x, y)| join(x, y)).collect())
        }
        (
            Value::Record {
                ty: x_ty,
                fields: x_fields,
            },
            Value::Record {
                ty: y_ty,
                fields: y_fields,
            },
        ) if x_ty == y_ty => Value::Record {
            ty: x_ty.clone(),
            // A field only one side knows is the other side's unknown: left out, it is read
            // from what the file stores into the type's field, which covers both.
            fields: x_fields
                .iter()
                .filter_map(|(name, x)| {
                    let (_, y) = y_fields.iter().find(|(other, _)| other == name)?;
                    Some((name.clone(), join(x, y)))
                })
                .collect(),
        },
        (Value::Callable(x), Value::Callable(y)) => Value::Callable(Box::new(join(x, y))),
        // The same API built with different reductions: the object is known, its reduction not.
        (Value::Built { api: x, .. }, Value::Built { api: y, .. }) if x == y => Value::Built {
            api: x,
            reduction: None,
        },
        _ => Value::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Activation;

    fn softmax(line: usize) -> Value {
        let mut span = Span::default();
        span.start.line = line;
        Value::Tensor(Origin::Activation {
            activation: Activation::Softmax,
            span,
        })
    }

    #[test]
    fn joins_keep_what_both_sides_say() {
        // The same activation from two places stays that activation.
        assert_eq!(join(&softmax(1), &softmax(2)), softmax(1));
        assert_eq!(join(&softmax(1), &Value::Unknown), Value::Unknown);
        // Element by element, field by field, result by result.
        let pair = |a, b| Value::Tuple(vec![a, b]);
        assert_eq!(
            join(
                &pair(softmax(1), Value::Param(0)),
                &pair(softmax(2), Value::Param(1))
            ),
            pair(softmax(1), Value::Unknown)
        );
        assert_eq!(
            join(
                &pair(softmax(1), softmax(1)),
                &Value::Tuple(vec![softmax(1)])
            ),
            Value::Unknown
        );
        let record = |fields: Vec<(&str, Value)>| Value::Record {
            ty: Some("Out".into()),
            fields: fields
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
        };
        assert_eq!(
            join(
                &record(vec![("probs", softmax(1)), ("state", Value::Param(0))]),
                &record(vec![("probs", softmax(2))])
            ),
            record(vec![("probs", softmax(1))])
        );
        assert_eq!(
            join(
                &Value::Callable(Box::new(softmax(1))),
                &Value::Callable(Box::new(Value::Unknown))
            ),
            Value::Callable(Box::new(Value::Unknown))
        );
    }

    #[test]
    fn branch_environments_merge_and_report_what_was_lost() {
        let mut then_env = Env::default();
        then_env.bind("p".into(), softmax(1));
        then_env.bind("q".into(), softmax(1));
        let mut else_env = Env::default();
        else_env.bind("p".into(), softmax(2));
        else_env.bind("q".into(), Value::Param(0));
        let mut lost = Vec::new();
        let merged = Env::merge(vec![then_env, else_env], |value| lost.push(value.clone()));
        assert_eq!(merged.get("p"), Some(&softmax(2)));
        assert_eq!(merged.get("q"), Some(&Value::Unknown));
        assert_eq!(lost.len(), 2);
    }
}
