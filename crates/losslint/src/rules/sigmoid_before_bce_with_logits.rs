//! LL004 sigmoid-before-bce-with-logits: sigmoid output flowing into a binary loss that applies
//! the sigmoid itself.

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
Flags the output of `sigmoid` (or `log_sigmoid`) passed as the prediction of a binary loss that
takes raw logits: lossfit `BceWithLogits` and `SigmoidFocal`, burn
`BinaryCrossEntropyLossConfig::new().with_logits(true)`, candle
`loss::binary_cross_entropy_with_logit`, tch `binary_cross_entropy_with_logits`, PyTorch
`nn.BCEWithLogitsLoss` / `F.binary_cross_entropy_with_logits` and torchvision's
`sigmoid_focal_loss`.

The value is traced through `let` bindings and method chains within a function; a value whose
origin losslint cannot see is not reported.

## Why is this bad?
A with-logits loss computes `sigmoid(input)` itself, in a numerically stable form. Given
probabilities it computes `sigmoid(sigmoid(logits))`, which lies in `[0.5, 0.73]`: every
prediction looks half-confident, the loss can never approach 0, and the gradient is squashed
twice. Training runs, the loss plateaus, and the model's outputs are miscalibrated.

The default level is `deny`: the model trains but can never become confident, and nothing
says why.

## Example
```rust
let p_benign = ops::sigmoid(&logit)?;
let loss = loss::binary_cross_entropy_with_logit(&p_benign, &benign)?;
```

Use instead:
```rust
let loss = loss::binary_cross_entropy_with_logit(&logit, &benign)?;
```

lossfit's typed layer makes this a compile error: `Logits::sigmoid` returns `Probabilities`,
which `BceWithLogits` does not accept.

## Fix safety
There is no automatic fix: the sigmoid's output is often used elsewhere too, so removing it is a
decision about the surrounding code.
"
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct SigmoidBeforeBceWithLogits;

impl SigmoidBeforeBceWithLogits {
    pub const CODE: &'static str = "LL004";
    pub const NAME: &'static str = "sigmoid-before-bce-with-logits";
}

impl Rule for SigmoidBeforeBceWithLogits {
    rule_metadata!(Level::Deny);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts.losses.iter().flat_map(judge).collect()
    }
}

fn judge(site: &LossSite) -> Vec<Diagnostic> {
    if !matches!(site.loss, LossKind::BceWithLogits | LossKind::SigmoidFocal) {
        return Vec::new();
    }
    let name = loss_name(site);
    activated_inputs(site, &[Activation::Sigmoid, Activation::LogSigmoid])
        .map(|(arg, activation, at)| {
            let what = match activation {
                Activation::LogSigmoid => "log-probabilities",
                _ => "probabilities",
            };
            let mut d = diagnostic(
                SigmoidBeforeBceWithLogits::CODE,
                SigmoidBeforeBceWithLogits::NAME,
                arg.span,
                format!(
                    "`{name}` gets {what} from `{}`: it applies the sigmoid itself, so the \
                     sigmoid is applied twice",
                    activation_name(activation)
                ),
                format!("{what}, not logits"),
            );
            add_activation_span(&mut d, activation, at);
            d.help = Some("pass the raw logits: the loss applies the sigmoid itself".to_string());
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Framework, Origin};
    use crate::rules::testing::{activation, check, facts, input, site, span};

    fn fed(kind: LossKind, origin: Origin) -> LossSite {
        let mut s = site(kind);
        s.arguments = vec![input(origin)];
        s
    }

    #[test]
    fn sigmoid_into_bce_with_logits() {
        let mut s = fed(LossKind::BceWithLogits, activation(Activation::Sigmoid));
        s.framework = Framework::Candle;
        s.api = "candle_nn::loss::binary_cross_entropy_with_logit".into();
        let found = check(&SigmoidBeforeBceWithLogits, &facts(vec![s]));
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(
            d.message,
            "`binary_cross_entropy_with_logit` gets probabilities from `sigmoid`: it applies the \
             sigmoid itself, so the sigmoid is applied twice"
        );
        assert_eq!(d.label, "probabilities, not logits");
        assert_eq!(d.secondary.len(), 1);
        assert!(d.fix.is_none());
        let d = &check(
            &SigmoidBeforeBceWithLogits,
            &facts(vec![fed(
                LossKind::SigmoidFocal,
                activation(Activation::LogSigmoid),
            )]),
        )[0];
        assert!(d.message.contains("from `log_sigmoid`"));
    }

    #[test]
    fn silent_cases() {
        let sites = vec![
            fed(LossKind::BceWithLogits, Origin::Unknown),
            fed(
                LossKind::BceWithLogits,
                Origin::Logits {
                    span: span(11, 1, 4),
                },
            ),
            fed(LossKind::BceWithLogits, activation(Activation::Softmax)),
            fed(LossKind::Bce, activation(Activation::Sigmoid)),
            fed(LossKind::CrossEntropy, activation(Activation::Sigmoid)),
        ];
        assert!(check(&SigmoidBeforeBceWithLogits, &facts(sites)).is_empty());
    }
}
