//! LL003 softmax-before-cross-entropy: probabilities or log-probabilities flowing into a loss
//! that applies log-softmax to raw logits itself.

use crate::diagnostic::Diagnostic;
use crate::facts::{Activation, FileFacts, LossKind, LossSite};
use crate::rules::describe::{
    activated_inputs, activation_name, add_activation_span, diagnostic, loss_name,
};
use crate::rules::{Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain` (`#[doc]` takes a
/// literal or a macro, not a `const`). Its examples are not doctests (`not(doctest)` below):
/// they show other crates' APIs.
macro_rules! documentation {
    () => {
        r"## What it does
Flags the output of `softmax` or `log_softmax` passed as the prediction of a loss that expects
raw logits: cross-entropy (lossfit `CrossEntropy`, burn `CrossEntropyLoss` in its default logits
mode, candle `loss::cross_entropy`, tch `cross_entropy_for_logits` / `cross_entropy_loss`,
PyTorch `nn.CrossEntropyLoss` / `F.cross_entropy`), the softmax focal loss and the multi-class
margin loss.

The value is traced through `let` bindings and method chains within a function; a value whose
origin losslint cannot see is not reported.

## Why is this bad?
Cross-entropy computes `log_softmax(input)` itself. Given probabilities, it computes
`log_softmax(softmax(logits))`: the probabilities all lie in `[0, 1]`, so the second softmax is
nearly uniform, gradients shrink by orders of magnitude, and training stalls at a loss near
`log(C)` while looking healthy. The multi-class margin loss compares raw scores with a margin of
1, which probabilities can barely express. Given log-probabilities, cross-entropy happens to
compute the same value (`log_softmax` is idempotent), but the code says the loss is something it
is not; use `Nll` / `nll_loss` on log-probabilities, or drop the `log_softmax`.

The default level is `deny`: the double softmax is one of the most common silent training bugs.

## Example
```rust
let logits = model.forward(images);
let probs = softmax(logits, 1);
let loss = criterion.forward(probs, targets); // burn CrossEntropyLoss
```

Use instead:
```rust
let logits = model.forward(images);
let loss = criterion.forward(logits.clone(), targets);
let probs = softmax(logits, 1); // for metrics only
```

lossfit's typed layer makes this a compile error: `Logits::softmax` returns `Probabilities`,
which `CrossEntropy` does not accept.

## Fix safety
There is no automatic fix: the probabilities are often used elsewhere too (metrics, logging), so
removing the softmax is a decision about the surrounding code.
"
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct SoftmaxBeforeCrossEntropy;

impl SoftmaxBeforeCrossEntropy {
    pub const CODE: &'static str = "LL003";
    pub const NAME: &'static str = "softmax-before-cross-entropy";
}

impl Rule for SoftmaxBeforeCrossEntropy {
    rule_metadata!(Level::Deny);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts.losses.iter().flat_map(judge).collect()
    }
}

fn judge(site: &LossSite) -> Vec<Diagnostic> {
    if !matches!(
        site.loss,
        LossKind::CrossEntropy | LossKind::SoftmaxFocal | LossKind::MultiMargin
    ) {
        return Vec::new();
    }
    let name = loss_name(site);
    let margin = site.loss == LossKind::MultiMargin;
    activated_inputs(site, &[Activation::Softmax, Activation::LogSoftmax])
        .map(|(arg, activation, at)| {
            let what = match activation {
                Activation::LogSoftmax => "log-probabilities",
                _ => "probabilities",
            };
            let consequence = match (activation, margin) {
                (_, true) => "it compares raw scores against its margin",
                (Activation::LogSoftmax, false) => {
                    "it applies log-softmax itself, so this `log_softmax` does nothing but \
                     mislead"
                }
                _ => "it applies log-softmax itself, so softmax is applied twice",
            };
            let mut d = diagnostic(
                SoftmaxBeforeCrossEntropy::CODE,
                SoftmaxBeforeCrossEntropy::NAME,
                arg.span,
                format!(
                    "`{name}` gets {what} from `{}`: {consequence}",
                    activation_name(activation)
                ),
                format!("{what}, not logits"),
            );
            add_activation_span(&mut d, activation, at);
            d.help = Some(if margin {
                "pass the raw scores: the margin is defined on them".to_string()
            } else {
                "pass the raw logits: the loss applies log-softmax itself".to_string()
            });
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Argument, Origin, Role};
    use crate::rules::testing::{activation, check, facts, input, site, span};

    fn fed(kind: LossKind, origin: Origin) -> LossSite {
        let mut s = site(kind);
        s.arguments = vec![input(origin)];
        s
    }

    #[test]
    fn softmax_into_cross_entropy() {
        let found = check(
            &SoftmaxBeforeCrossEntropy,
            &facts(vec![fed(
                LossKind::CrossEntropy,
                activation(Activation::Softmax),
            )]),
        );
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(
            d.message,
            "`CrossEntropy` gets probabilities from `softmax`: it applies log-softmax itself, so \
             softmax is applied twice"
        );
        assert_eq!(d.span, span(12, 30, 35));
        assert_eq!(
            d.secondary,
            vec![(span(11, 17, 40), "softmax applied here".into())]
        );
        assert_eq!(
            d.help.as_deref(),
            Some("pass the raw logits: the loss applies log-softmax itself")
        );
        assert!(d.fix.is_none());
    }

    #[test]
    fn inline_softmax_has_no_secondary_span() {
        let mut s = fed(LossKind::SoftmaxFocal, activation(Activation::LogSoftmax));
        s.arguments[0].span = span(11, 17, 40);
        let d = &check(&SoftmaxBeforeCrossEntropy, &facts(vec![s]))[0];
        assert!(d.secondary.is_empty());
        assert!(d.message.contains("log-probabilities from `log_softmax`"));
    }

    #[test]
    fn multi_margin_on_probabilities() {
        let d = &check(
            &SoftmaxBeforeCrossEntropy,
            &facts(vec![fed(
                LossKind::MultiMargin,
                activation(Activation::Softmax),
            )]),
        )[0];
        assert!(d.help.as_deref().unwrap().contains("raw scores"));
    }

    #[test]
    fn silent_cases() {
        let sites = vec![
            fed(LossKind::CrossEntropy, Origin::Unknown),
            fed(
                LossKind::CrossEntropy,
                Origin::Logits {
                    span: span(11, 1, 5),
                },
            ),
            fed(LossKind::CrossEntropy, activation(Activation::Sigmoid)),
            // Other losses are other rules' business.
            fed(LossKind::Nll, activation(Activation::Softmax)),
            fed(LossKind::KlDiv, activation(Activation::LogSoftmax)),
            // A softmax on the target (soft labels) is fine.
            {
                let mut s = site(LossKind::CrossEntropy);
                s.arguments = vec![Argument {
                    role: Role::Target,
                    span: span(12, 40, 45),
                    origin: activation(Activation::Softmax),
                }];
                s
            },
        ];
        assert!(check(&SoftmaxBeforeCrossEntropy, &facts(sites)).is_empty());
    }
}
