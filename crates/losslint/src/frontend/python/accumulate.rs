//! Per-batch losses added up into an epoch total (LL010): `total += loss.item()` in a loop,
//! then `total / len(loader.dataset)`. The facts record the addition, the loss's reduction,
//! and what the divisor counts: samples or batches, from the loop's counters (`n += 1`,
//! `n += x.size(0)`), `len(..)` of a dataset or a loader, or names (`num_batches`).
//!
//! Only a computed loss added as it is counts (through `.item()`, `.detach()`, `float(..)`);
//! `loss.item() * x.size(0)` is a per-batch sum; anything else stops the accumulation.

use super::eval::{Accumulator, Eval};
use super::ir::{BinOp, Expr, Range};
use crate::facts::{Accumulation, Divisor};
use crate::flow::value::Value;

impl Eval<'_, '_, '_> {
    /// `name = name + added`: handled as `name += added` (returns whether it was one).
    pub(crate) fn accumulate_assign(&mut self, name: &str, value: &Expr, range: Range) -> bool {
        let Expr::BinOp {
            left,
            op: BinOp::Add,
            right,
            ..
        } = value
        else {
            return false;
        };
        if !matches!(&**left, Expr::Name { id, .. } if id == name) {
            return false;
        }
        self.add_to(name, right, range);
        true
    }

    /// `target op= value`.
    pub(crate) fn aug_assign(&mut self, target: &Expr, op: BinOp, value: &Expr, range: Range) {
        let Expr::Name { id, .. } = target else {
            self.eval(target);
            self.eval(value);
            return;
        };
        match op {
            BinOp::Add => self.add_to(id, value, range),
            BinOp::Div => {
                let divisor = self.eval(value);
                if let Some(accumulator) = self.accumulators.get(id).cloned() {
                    self.divided(&accumulator, value, &divisor);
                }
                self.accumulators.remove(id);
                self.set(id, Value::Unknown);
            }
            _ => {
                self.eval(value);
                self.accumulators.remove(id);
                self.set(id, Value::Unknown);
            }
        }
    }

    /// `name += added`: an epoch total of computed losses, a counter, or neither.
    fn add_to(&mut self, name: &str, added: &Expr, range: Range) {
        let value = self.eval(added);
        let current = self.env.get(name).cloned();
        match value {
            Value::Computed(reduction) if self.loop_depth > 0 => {
                let span = self.span(range);
                self.accumulators
                    .insert(name.to_string(), Accumulator { reduction, span });
                self.set(name, Value::Unknown);
            }
            Value::Count(divisor) if self.loop_depth > 0 => {
                self.accumulators.remove(name);
                self.set(name, Value::Count(divisor));
            }
            _ if self.loop_depth > 0
                && matches!(added, Expr::Number { text, .. } if text == "1") =>
            {
                self.accumulators.remove(name);
                self.env
                    .bind(name.to_string(), Value::Count(Divisor::Batches));
            }
            _ => {
                // Adding something else to a total keeps it one only if it was already.
                if !matches!(current, Some(Value::Count(_))) {
                    self.accumulators.remove(name);
                    self.set(name, Value::Unknown);
                }
            }
        }
    }

    /// An accumulated total divided by `divisor` (whose value is `value`).
    pub(crate) fn divided(&mut self, accumulator: &Accumulator, divisor: &Expr, value: &Value) {
        let counted = match value {
            Value::Count(divisor) => *divisor,
            _ => divisor.dotted().map_or(Divisor::Unknown, |name| {
                crate::flow::counts::by_name(name.rsplit('.').next().unwrap_or(&name))
            }),
        };
        let divisor_span = Some(self.span(divisor.range()));
        self.found.accumulations.push(Accumulation {
            span: accumulator.span,
            reduction: accumulator.reduction.clone(),
            divisor: counted,
            divisor_span,
        });
    }
}
