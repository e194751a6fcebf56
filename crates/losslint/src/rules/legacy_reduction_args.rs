//! LL007 legacy-reduction-args: `size_average=` / `reduce=`, which silently override
//! `reduction`.

use crate::diagnostic::Diagnostic;
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
There is no automatic fix: the right `reduction=` depends on both legacy values together
(`reduce=False` wins over `size_average`), so the help says what each combination means and the
edit is left to you.
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
        .map(|span| {
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
    fn silent_without_legacy_arguments() {
        assert!(check(&LegacyReductionArgs, &facts(vec![site(LossKind::Mse)])).is_empty());
    }
}
