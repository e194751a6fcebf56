//! LL006 nll-without-log-softmax: negative log-likelihood fed probabilities or raw logits
//! instead of log-probabilities.

use crate::diagnostic::Diagnostic;
use crate::facts::{Activation, FileFacts, LossKind, LossSite, Origin, Role};
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
Flags negative log-likelihood (lossfit `Nll` / `nll_loss`, candle `loss::nll`, tch `nll_loss` /
`g_nll_loss`, PyTorch `nn.NLLLoss` / `F.nll_loss`) whose prediction is the output of `softmax`
or `sigmoid`, or is declared raw logits, instead of log-probabilities.

The value is traced through `let` bindings and method chains within a function; a value whose
origin losslint cannot see is not reported.

## Why is this bad?
NLL does not take a logarithm: it returns `-input[target]`, trusting that the input is already
`log p`. Given probabilities it minimises `-p`, which is bounded, has no pull towards certainty
and gives wrong-class examples almost no gradient; given raw logits it is unbounded below, so
the model can drive the loss to minus infinity by inflating one logit. Either way the loss curve
looks like training.

The default level is `deny`: the objective is not the likelihood at all.

## Example
```rust
let logits = model.forward(images)?;
let probs = candle_nn::ops::softmax(&logits, D::Minus1)?;
let loss = candle_nn::loss::nll(&probs, &labels)?;
```

Use instead:
```rust
let logits = model.forward(images)?;
let log_probs = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
let loss = candle_nn::loss::nll(&log_probs, &labels)?;
// or: candle_nn::loss::cross_entropy(&logits, &labels)?
```

## Fix safety
There is no automatic fix: replacing `softmax` with `log_softmax` changes what the variable holds
for every other use of it.
"
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct NllWithoutLogSoftmax;

impl NllWithoutLogSoftmax {
    pub const CODE: &'static str = "LL006";
    pub const NAME: &'static str = "nll-without-log-softmax";
}

impl Rule for NllWithoutLogSoftmax {
    rule_metadata!(Level::Deny);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts.losses.iter().flat_map(judge).collect()
    }
}

const HELP: &str = "apply `log_softmax` (not `softmax`) before it, or use cross-entropy on the \
                    logits";

fn judge(site: &LossSite) -> Vec<Diagnostic> {
    if site.loss != LossKind::Nll {
        return Vec::new();
    }
    let name = loss_name(site);
    let mut found: Vec<Diagnostic> =
        activated_inputs(site, &[Activation::Softmax, Activation::Sigmoid])
            .map(|(arg, activation, at)| {
                let mut d = diagnostic(
                    NllWithoutLogSoftmax::CODE,
                    NllWithoutLogSoftmax::NAME,
                    arg.span,
                    format!(
                        "`{name}` gets probabilities from `{}`, not log-probabilities: it \
                         minimises `-p` instead of `-log p`",
                        activation_name(activation)
                    ),
                    "probabilities, not log-probabilities".to_string(),
                );
                add_activation_span(&mut d, activation, at);
                d.help = Some(HELP.to_string());
                d
            })
            .collect();
    for arg in &site.arguments {
        if let (Role::Input, Origin::Logits { span }) = (arg.role, &arg.origin) {
            let mut d = diagnostic(
                NllWithoutLogSoftmax::CODE,
                NllWithoutLogSoftmax::NAME,
                arg.span,
                format!(
                    "`{name}` gets raw logits, not log-probabilities: the loss is unbounded below"
                ),
                "raw logits, not log-probabilities".to_string(),
            );
            let disjoint = span.end.offset <= arg.span.start.offset
                || span.start.offset >= arg.span.end.offset;
            if disjoint {
                d.secondary
                    .push((*span, "declared as logits here".to_string()));
            }
            d.help = Some(HELP.to_string());
            found.push(d);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{activation, check, facts, input, site, span};

    fn fed(kind: LossKind, origin: Origin) -> LossSite {
        let mut s = site(kind);
        s.arguments = vec![input(origin)];
        s
    }

    #[test]
    fn softmax_sigmoid_and_logits_into_nll() {
        let found = check(
            &NllWithoutLogSoftmax,
            &facts(vec![
                fed(LossKind::Nll, activation(Activation::Softmax)),
                fed(LossKind::Nll, activation(Activation::Sigmoid)),
                fed(
                    LossKind::Nll,
                    Origin::Logits {
                        span: span(9, 5, 20),
                    },
                ),
            ]),
        );
        assert_eq!(found.len(), 3);
        assert_eq!(
            found[0].message,
            "`Nll` gets probabilities from `softmax`, not log-probabilities: it minimises `-p` \
             instead of `-log p`"
        );
        assert_eq!(found[0].help.as_deref(), Some(HELP));
        assert!(found[1].message.contains("from `sigmoid`"));
        assert_eq!(
            found[2].message,
            "`Nll` gets raw logits, not log-probabilities: the loss is unbounded below"
        );
        assert_eq!(found[2].secondary[0].0, span(9, 5, 20));
    }

    #[test]
    fn silent_cases() {
        let sites = vec![
            fed(LossKind::Nll, Origin::Unknown),
            fed(LossKind::Nll, activation(Activation::LogSoftmax)),
            fed(LossKind::Nll, activation(Activation::LogSigmoid)),
            fed(LossKind::CrossEntropy, activation(Activation::Softmax)),
            fed(
                LossKind::CrossEntropy,
                Origin::Logits {
                    span: span(9, 5, 20),
                },
            ),
        ];
        assert!(check(&NllWithoutLogSoftmax, &facts(sites)).is_empty());
    }
}
