//! LL007 legacy-reduction-args: `size_average=` / `reduce=`, which silently override
//! `reduction`.

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::facts::{FileFacts, LossSite};
use crate::rules::describe::{diagnostic, loss_name};
use crate::rules::{Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain` (`#[doc]` takes a
/// literal or a macro, not a `const`). Its examples are not doctests (`not(doctest)` below):
/// they show other crates' APIs.
macro_rules! documentation {
    () => {
        r#"## What it does
Flags the legacy arguments `size_average=` and `reduce=` of a loss (PyTorch's `nn.*Loss` and
`F.*` losses, deprecated since PyTorch 0.4.1, and bindings that mirror that signature).

## Why is this bad?
When either legacy argument is passed (anything but `None`), PyTorch ignores `reduction=`
entirely and derives the reduction from the legacy pair: `reduce=False` means no reduction,
`size_average=False` means sum, otherwise mean. So `nn.CrossEntropyLoss(size_average=True,
reduction="sum")` averages. The code says one thing and does another, with only a deprecation
warning that most training logs bury.

The default level is `warn`: the behaviour is well defined, only hidden.

## Example
```python
criterion = nn.CrossEntropyLoss(size_average=False)
```

Use instead:
```python
criterion = nn.CrossEntropyLoss(reduction="sum")
```

The Rust frameworks losslint reads (lossfit, burn, candle, tch) never had these arguments; a
site of theirs is flagged only where a wrapper mirrors PyTorch's signature.

## Fix safety
When every legacy argument is a keyword with a literal `True`/`False` and no `reduction=` is
written, the fix is safe: it replaces them with the one `reduction=` they mean together
(`reduce=False` wins over `size_average`), which computes the same value. Otherwise (a variable,
a positional argument, or a `reduction=` the legacy pair overrides) there is no automatic fix and
the help says what each combination means.
"#
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct LegacyReductionArgs;

impl LegacyReductionArgs {
    pub const CODE: &'static str = "LL007";
    pub const NAME: &'static str = "legacy-reduction-args";
}

impl Rule for LegacyReductionArgs {
    rule_metadata!(Level::Warn);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts.losses.iter().flat_map(judge).collect()
    }
}

fn judge(site: &LossSite) -> Vec<Diagnostic> {
    let name = loss_name(site);
    site.legacy_args
        .iter()
        .enumerate()
        .map(|(index, span)| {
            let mut d = diagnostic(
                LegacyReductionArgs::CODE,
                LegacyReductionArgs::NAME,
                *span,
                format!(
                    "legacy reduction argument on `{name}`: `size_average` and `reduce` override \
                     `reduction` whenever they are set"
                ),
                "overrides `reduction`".to_string(),
            );
            d.help = Some(
                "remove it and write `reduction=` instead: `reduce=False` is `reduction=\"none\"`, \
                 `size_average=False` is `reduction=\"sum\"`, both true is `reduction=\"mean\"`"
                    .to_string(),
            );
            // One fix rewrites the whole pair; it rides on the first finding.
            if index == 0
                && let Some(legacy) = &site.legacy_fix
            {
                d.fix = Some(Fix {
                    applicability: Applicability::Safe,
                    title: format!(
                        "replace the legacy arguments with `reduction=\"{}\"`",
                        legacy.reduction
                    ),
                    edits: legacy.edits.clone(),
                });
            }
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::LossKind;
    use crate::rules::testing::{check, facts, site, span};

    #[test]
    fn one_finding_per_legacy_argument() {
        let mut s = site(LossKind::CrossEntropy);
        s.api = "torch.nn.CrossEntropyLoss".into();
        s.legacy_args = vec![span(4, 30, 48), span(4, 50, 62)];
        let found = check(&LegacyReductionArgs, &facts(vec![s]));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].span, span(4, 30, 48));
        assert_eq!(found[1].span, span(4, 50, 62));
        assert!(
            found[0]
                .message
                .starts_with("legacy reduction argument on `CrossEntropyLoss`")
        );
        assert!(
            found[0]
                .help
                .as_deref()
                .unwrap()
                .contains("reduction=\"sum\"")
        );
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn the_rewrite_rides_on_the_first_finding() {
        let mut s = site(LossKind::Mse);
        s.legacy_args = vec![span(2, 20, 38), span(2, 40, 52)];
        s.legacy_fix = Some(crate::facts::LegacyFix {
            reduction: "sum".into(),
            edits: vec![crate::facts::Edit {
                span: span(2, 20, 38),
                content: "reduction=\"sum\"".into(),
            }],
        });
        let found = check(&LegacyReductionArgs, &facts(vec![s]));
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(
            fix.title,
            "replace the legacy arguments with `reduction=\"sum\"`"
        );
        assert!(found[1].fix.is_none());
    }

    #[test]
    fn silent_without_legacy_arguments() {
        assert!(check(&LegacyReductionArgs, &facts(vec![site(LossKind::Mse)])).is_empty());
    }
}
