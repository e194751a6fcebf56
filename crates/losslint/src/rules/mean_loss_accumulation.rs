//! LL010 mean-loss-accumulation: per-batch losses accumulated into an epoch loss and divided by
//! the wrong count.

use crate::diagnostic::Diagnostic;
use crate::facts::{Accumulation, Divisor, FileFacts};
use crate::rules::describe::{ReductionWord, diagnostic};
use crate::rules::{Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain` (`#[doc]` takes a
/// literal or a macro, not a `const`). Its examples are not doctests (`not(doctest)` below):
/// they show other crates' APIs.
macro_rules! documentation {
    () => {
        r#"## What it does
Flags an epoch loss computed by adding up per-batch losses and dividing by the wrong count:
- per-batch *mean* losses summed over batches, then divided by the number of *samples*;
- per-batch *summed* losses divided by the number of *batches*.

Only accumulations whose loss reduction and divisor are both visible are judged. Adding
`loss * batch_size` and dividing by the number of samples is correct and not reported.

## Why is this bad?
The reported number is wrong by a factor of the batch size: too small in the first case, too
large in the second. Training itself is unaffected, which is why it survives, but every curve,
early-stopping threshold, learning-rate schedule on plateau and comparison with another run at
another batch size reads the wrong number. A loss of 0.02 that "should" be 1.3 hides both
divergence and overfitting.

The default level is `warn`: the model is fine, the bookkeeping is not.

## Example
```rust
let mut sum_loss = 0.0;
let mut n_samples = 0;
for (images, y) in batches {
    let loss = model.forward(images).cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
    sum_loss += f64::try_from(&loss)?;
    n_samples += images.size()[0];
}
let epoch_loss = sum_loss / n_samples as f64;
```

Use instead:
```rust
let mut sum_loss = 0.0;
let mut n_samples = 0;
for (images, y) in batches {
    let loss = model.forward(images).cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
    let batch = images.size()[0];
    sum_loss += f64::try_from(&loss)? * batch as f64;
    n_samples += batch;
}
let epoch_loss = sum_loss / n_samples as f64;
```

Dividing the sum of batch means by the number of batches is close too, and exact when every
batch has the same size. The same holds in PyTorch: `running_loss += loss.item()` then
`/ len(loader.dataset)` is the classic form of this mistake.

## Fix safety
There is no automatic fix: which count to divide by is for you to choose.
"#
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct MeanLossAccumulation;

impl MeanLossAccumulation {
    pub const CODE: &'static str = "LL010";
    pub const NAME: &'static str = "mean-loss-accumulation";
}

impl Rule for MeanLossAccumulation {
    rule_metadata!(Level::Warn);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts.accumulations.iter().filter_map(judge).collect()
    }
}

fn judge(acc: &Accumulation) -> Option<Diagnostic> {
    let word = ReductionWord::parse(acc.reduction.as_deref()?);
    // burn's `Auto` is the mean for every loss but KL, whose `Auto` is the batch mean: either
    // way one number per batch that is already divided by the batch size.
    let mean = matches!(
        word,
        ReductionWord::Mean | ReductionWord::Auto | ReductionWord::BatchMean
    );
    let (message, label, help, divided_by) = match (mean, word, acc.divisor) {
        (true, _, Divisor::Samples) => (
            "per-batch mean losses are summed and divided by the number of samples: the epoch \
             loss comes out batch-size times too small",
            "adds a per-batch mean",
            "add `loss * batch_size` and keep dividing by the number of samples, or divide the \
             sum of batch means by the number of batches",
            "divided by the number of samples",
        ),
        (false, ReductionWord::Sum, Divisor::Batches) => (
            "per-batch summed losses are divided by the number of batches: the epoch loss comes \
             out batch-size times too large",
            "adds a per-batch sum",
            "divide by the number of samples instead",
            "divided by the number of batches",
        ),
        _ => return None,
    };
    let mut d = diagnostic(
        MeanLossAccumulation::CODE,
        MeanLossAccumulation::NAME,
        acc.span,
        message.to_string(),
        label.to_string(),
    );
    if let Some(at) = acc.divisor_span {
        d.secondary.push((at, divided_by.to_string()));
    }
    d.help = Some(help.to_string());
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check, span};

    fn acc(reduction: Option<&str>, divisor: Divisor) -> Accumulation {
        Accumulation {
            span: span(30, 9, 50),
            reduction: reduction.map(str::to_string),
            divisor,
            divisor_span: Some(span(33, 16, 35)),
        }
    }

    fn run(accumulations: Vec<Accumulation>) -> Vec<Diagnostic> {
        let facts = FileFacts {
            accumulations,
            ..FileFacts::default()
        };
        check(&MeanLossAccumulation, &facts)
    }

    #[test]
    fn mean_over_samples_and_sum_over_batches() {
        let found = run(vec![
            acc(Some("Reduction::Mean"), Divisor::Samples),
            acc(Some("sum"), Divisor::Batches),
            acc(Some("Reduction::Auto"), Divisor::Samples),
        ]);
        assert_eq!(found.len(), 3);
        assert!(found[0].message.contains("too small"));
        assert_eq!(found[0].span, span(30, 9, 50));
        assert_eq!(
            found[0].secondary,
            vec![(span(33, 16, 35), "divided by the number of samples".into())]
        );
        assert!(found[1].message.contains("too large"));
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn silent_cases() {
        let found = run(vec![
            acc(Some("mean"), Divisor::Batches),
            acc(Some("sum"), Divisor::Samples),
            acc(None, Divisor::Samples),
            acc(Some("mean"), Divisor::Unknown),
            acc(Some("reduction"), Divisor::Samples),
            acc(Some("Reduction::None"), Divisor::Samples),
        ]);
        assert!(found.is_empty());
    }
}
