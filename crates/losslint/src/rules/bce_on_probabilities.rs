//! LL005 bce-on-probabilities: a sigmoid followed by plain binary cross-entropy, where the
//! with-logits form is the stable one.

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::facts::{Activation, FileFacts, LossKind, LossSite};
use crate::rules::describe::{
    activated_inputs, add_activation_span, diagnostic, loss_name, with_logits_name,
};
use crate::rules::{Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain` (`#[doc]` takes a
/// literal or a macro, not a `const`). Its examples are not doctests (`not(doctest)` below):
/// they show other crates' APIs.
macro_rules! documentation {
    () => {
        r"## What it does
Flags `sigmoid` output passed to plain binary cross-entropy (lossfit `Bce` /
`binary_cross_entropy`, burn `BinaryCrossEntropyLossConfig` without `with_logits(true)`, tch
`binary_cross_entropy`, PyTorch `nn.BCELoss` / `F.binary_cross_entropy`) when the logits it was
computed from are right there.

Probabilities that do not come from a visible sigmoid (a model that outputs probabilities, a
calibrated score) are not reported.

## Why is this bad?
`sigmoid` then `log` loses precision: for a logit of 20 the sigmoid rounds to exactly 1.0 in
`f32`, `log(1 - p)` is `-inf`, and the loss is clamped (PyTorch clamps the log at -100, burn adds
an epsilon): the gradient of confidently wrong predictions vanishes exactly where it should be
largest. The with-logits form computes `log(sigmoid(x))` as `-softplus(-x)`, exact for any
logit, and is no slower. PyTorch's own documentation recommends `BCEWithLogitsLoss` for this
reason, and mixed-precision autocast refuses `BCELoss` outright.

The default level is `deny`: confidently wrong predictions stop being corrected.

## Example
```rust
let p_benign = head.forward(features).squeeze_dim(1).sigmoid();
let loss = p_benign.binary_cross_entropy::<Tensor>(benign, None, Reduction::Mean);
```

Use instead:
```rust
let logit = head.forward(features).squeeze_dim(1);
let loss = logit.binary_cross_entropy_with_logits::<Tensor>(benign, None, None, Reduction::Mean);
```

## Fix safety
Where the frontend can write it (PyTorch: `nn.BCELoss` / `F.binary_cross_entropy` called once on
a sigmoid applied inline or to a plain name), the fix renames the loss to its with-logits form
and passes the value the sigmoid was applied to. It is unsafe: the value changes where the
probabilities saturated (that is the point), the logits variable must still hold the same
value at the call, and the probabilities may be used elsewhere too. Other frameworks get the
help only.
"
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct BceOnProbabilities;

impl BceOnProbabilities {
    pub const CODE: &'static str = "LL005";
    pub const NAME: &'static str = "bce-on-probabilities";
}

impl Rule for BceOnProbabilities {
    rule_metadata!(Level::Deny);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts.losses.iter().flat_map(judge).collect()
    }
}

fn judge(site: &LossSite) -> Vec<Diagnostic> {
    if site.loss != LossKind::Bce {
        return Vec::new();
    }
    let name = loss_name(site);
    activated_inputs(site, &[Activation::Sigmoid])
        .map(|(arg, activation, at)| {
            let mut d = diagnostic(
                BceOnProbabilities::CODE,
                BceOnProbabilities::NAME,
                arg.span,
                format!(
                    "`{name}` on `sigmoid` output: the probabilities saturate to 0 and 1, where \
                     the loss is clamped and its gradient vanishes"
                ),
                "sigmoid output".to_string(),
            );
            add_activation_span(&mut d, activation, at);
            d.help = Some(format!(
                "use the with-logits form on the logits (numerically stable): {}",
                with_logits_name(site)
            ));
            d.fix = site.logits_fix.as_ref().map(|edits| Fix {
                applicability: Applicability::Unsafe,
                title: "use the with-logits loss on the value before the sigmoid".to_string(),
                edits: edits.clone(),
            });
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ApiStyle, Framework, Origin};
    use crate::rules::testing::{activation, check, facts, input, site, span};

    fn fed(kind: LossKind, origin: Origin) -> LossSite {
        let mut s = site(kind);
        s.arguments = vec![input(origin)];
        s
    }

    #[test]
    fn sigmoid_into_bce() {
        let mut s = fed(LossKind::Bce, activation(Activation::Sigmoid));
        s.framework = Framework::Tch;
        s.style = ApiStyle::TchMethod;
        s.api = "tch::Tensor::binary_cross_entropy".into();
        let found = check(&BceOnProbabilities, &facts(vec![s]));
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert!(
            d.message
                .starts_with("`binary_cross_entropy` on `sigmoid` output")
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "use the with-logits form on the logits (numerically stable): \
                 `binary_cross_entropy_with_logits`"
            )
        );
        assert_eq!(d.secondary[0].1, "sigmoid applied here");
    }

    #[test]
    fn the_rewrite_is_an_unsafe_fix() {
        let mut s = fed(LossKind::Bce, activation(Activation::Sigmoid));
        s.logits_fix = Some(vec![crate::facts::Edit {
            span: span(3, 10, 17),
            content: "BCEWithLogitsLoss".into(),
        }]);
        let found = check(&BceOnProbabilities, &facts(vec![s]));
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(fix.edits[0].content, "BCEWithLogitsLoss");
    }

    #[test]
    fn silent_cases() {
        let sites = vec![
            fed(LossKind::Bce, Origin::Unknown),
            fed(
                LossKind::Bce,
                Origin::Logits {
                    span: span(11, 1, 4),
                },
            ),
            fed(LossKind::Bce, activation(Activation::Softmax)),
            fed(LossKind::BceWithLogits, activation(Activation::Sigmoid)),
            site(LossKind::Bce),
        ];
        assert!(check(&BceOnProbabilities, &facts(sites)).is_empty());
    }
}
