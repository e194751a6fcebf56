//! LL008 kl-div-mean-reduction: KL divergence reduced with `mean` (over elements), which is not
//! the KL divergence; `batchmean` is.

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::facts::{ApiStyle, Edit, FileFacts, Framework, LossKind, LossSite, Reduction};
use crate::rules::describe::{ReductionWord, diagnostic, loss_name};
use crate::rules::{Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain` (`#[doc]` takes a
/// literal or a macro, not a `const`). Its examples are not doctests (`not(doctest)` below):
/// they show other crates' APIs.
macro_rules! documentation {
    () => {
        r#"## What it does
Flags a KL divergence loss whose reduction is `mean`, written out (`Mean`, `KlReduction::Mean`,
tch's `Reduction::Mean`, burn's `Reduction::Mean`, `reduction = mean` in a derive head, PyTorch's
`reduction="mean"`) or left to the default (lossfit and PyTorch default to `mean`).

burn's `Reduction::Auto` is the batch mean for `KLDivLoss` and is not reported. When the
reduction is left unset, LL001 (implicit-reduction) fires on the same loss too: its safe fix
writes today's `mean`, and this rule then asks for `batchmean`.

## Why is this bad?
`mean` divides the summed pointwise terms by the number of *elements*, batch size times the
number of classes, so the value is the KL divergence divided by the number of classes. It is
not a divergence anymore: its scale changes with the vocabulary or label set, a distillation
temperature tuned on one model does not transfer, and the loss weight in a sum of losses means
something different per dataset. `batchmean` divides by the batch size only and is the KL
divergence per sample. PyTorch warns about exactly this at run time; its default stays `mean`
for backward compatibility only.

The default level is `warn`: the gradient direction is right, only its scale is off.

## Example
```rust
let loss = kl_div(
    student_log_probs.view(),
    teacher_probs.view(),
    &KlDivOptions { reduction: KlReduction::Mean, ..Default::default() },
)?;
```

Use instead:
```rust
let loss = kl_div(
    student_log_probs.view(),
    teacher_probs.view(),
    &KlDivOptions { reduction: KlReduction::BatchMean, ..Default::default() },
)?;
```

With the typed layer: `KlDiv::new().reduction(BatchMean)`; in PyTorch,
`nn.KLDivLoss(reduction="batchmean")`. tch has no batch mean: use `Reduction::Sum` and divide by
the batch size.

## Fix safety
The fix is unsafe: it changes the loss's value (and gradient) by the factor of the number of
classes, so learning rates and loss weights tuned for the old value need retuning. It is offered
only where the reduction is written and the framework spells a batch mean.
"#
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct KlDivMeanReduction;

impl KlDivMeanReduction {
    pub const CODE: &'static str = "LL008";
    pub const NAME: &'static str = "kl-div-mean-reduction";
}

impl Rule for KlDivMeanReduction {
    rule_metadata!(Level::Warn);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts.losses.iter().filter_map(judge).collect()
    }
}

fn judge(site: &LossSite) -> Option<Diagnostic> {
    if site.loss != LossKind::KlDiv {
        return None;
    }
    let (span, written) = match &site.reduction {
        Reduction::Explicit { value, span } => {
            let word = ReductionWord::parse(value);
            // burn's `Auto` is the batch mean for KL; other frameworks have no `Auto`.
            let mean = word == ReductionWord::Mean
                || (word == ReductionWord::Auto && site.framework != Framework::Burn);
            if !mean {
                return None;
            }
            (*span, Some(value.trim()))
        }
        Reduction::Implicit { default, .. } => {
            if ReductionWord::parse(default) == ReductionWord::BatchMean {
                return None;
            }
            (site.name_span, None)
        }
        Reduction::Unknown => return None,
    };
    let name = loss_name(site);
    let message = match written {
        Some(value) => format!(
            "`{name}` with `{value}` divides by the number of elements, not samples: the value is \
             the KL divergence divided by the number of classes"
        ),
        None => format!(
            "`{name}` uses the default `mean` reduction, which divides by the number of elements, \
             not samples: the value is the KL divergence divided by the number of classes"
        ),
    };
    let label = if written.is_some() {
        "mean over elements".to_string()
    } else {
        "defaults to mean over elements".to_string()
    };
    let mut d = diagnostic(
        KlDivMeanReduction::CODE,
        KlDivMeanReduction::NAME,
        span,
        message,
        label,
    );
    let replacement = written.and_then(|value| batchmean(site, value));
    d.help = Some(match (&replacement, site.framework) {
        (Some(code), _) => format!(
            "use batchmean, the KL divergence per sample: `{}`",
            spelled(site).unwrap_or(code)
        ),
        (None, Framework::Tch) => "use batchmean, the KL divergence per sample: tch has none, so \
                                   reduce with `Reduction::Sum` and divide by the batch size"
            .to_string(),
        (None, _) => format!(
            "use batchmean, the KL divergence per sample{}",
            spelled(site).map_or(String::new(), |code| format!(": `{code}`"))
        ),
    });
    d.fix = replacement.map(|content| Fix {
        applicability: Applicability::Unsafe,
        title: "use `batchmean`".to_string(),
        edits: vec![Edit { span, content }],
    });
    Some(d)
}

/// The written value with its mean replaced by the batch mean, in the same spelling (path prefix,
/// quotes); `None` where the framework has no batch mean or the value is not recognisably the
/// site's own reduction type.
fn batchmean(site: &LossSite, value: &str) -> Option<String> {
    let (prefix, last) = match value.rsplit_once("::") {
        Some((prefix, last)) => (Some(prefix), last),
        None => (None, value),
    };
    let is_mean = ReductionWord::parse(value) == ReductionWord::Mean;
    match site.style {
        ApiStyle::LossfitTyped => {
            // `lossfit::Mean` → `lossfit::BatchMean`; a bare `Mean` gets the full path, since
            // `BatchMean` may not be imported.
            (last == "Mean").then(|| join(prefix.or(Some("lossfit")), "BatchMean"))
        }
        ApiStyle::LossfitFunctional => {
            // Only `KlReduction::Mean`: `Reduction` has no batch mean.
            (last == "Mean" && prefix.is_some_and(|p| p.ends_with("KlReduction")))
                .then(|| join(prefix, "BatchMean"))
        }
        ApiStyle::LossfitDerive => (value == "mean").then(|| "batchmean".to_string()),
        ApiStyle::BurnConfig => (last == "Mean"
            && prefix.is_some_and(|p| p.ends_with("Reduction")))
        .then(|| join(prefix, "BatchMean")),
        ApiStyle::PyTorch if is_mean && prefix.is_none() => {
            let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            Some(format!("{quote}batchmean{quote}"))
        }
        ApiStyle::PyTorch | ApiStyle::TchMethod | ApiStyle::CandleFunction => None,
    }
}

/// How batchmean is written at a site of this style (for the help when no edit can be made).
fn spelled(site: &LossSite) -> Option<&'static str> {
    match site.style {
        ApiStyle::LossfitTyped => Some(".reduction(lossfit::BatchMean)"),
        ApiStyle::LossfitFunctional => Some("reduction: KlReduction::BatchMean"),
        ApiStyle::LossfitDerive => Some("reduction = batchmean"),
        ApiStyle::BurnConfig => Some("Reduction::BatchMean"),
        ApiStyle::PyTorch => Some("reduction=\"batchmean\""),
        ApiStyle::TchMethod | ApiStyle::CandleFunction => None,
    }
}

fn join(prefix: Option<&str>, last: &str) -> String {
    match prefix {
        Some(prefix) => format!("{prefix}::{last}"),
        None => last.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check, facts, site, span};

    fn kl(style: ApiStyle, framework: Framework, value: &str) -> LossSite {
        let mut s = site(LossKind::KlDiv);
        s.style = style;
        s.framework = framework;
        s.reduction = Reduction::Explicit {
            value: value.into(),
            span: span(20, 30, 30 + value.len()),
        };
        s
    }

    fn content(d: &Diagnostic) -> Option<&str> {
        d.fix.as_ref().map(|f| f.edits[0].content.as_str())
    }

    #[test]
    fn explicit_mean_in_every_spelling() {
        let cases = [
            (
                ApiStyle::LossfitTyped,
                Framework::Lossfit,
                "Mean",
                Some("lossfit::BatchMean"),
            ),
            (
                ApiStyle::LossfitTyped,
                Framework::Lossfit,
                "lossfit::Mean",
                Some("lossfit::BatchMean"),
            ),
            (
                ApiStyle::LossfitFunctional,
                Framework::Lossfit,
                "KlReduction::Mean",
                Some("KlReduction::BatchMean"),
            ),
            (
                ApiStyle::LossfitDerive,
                Framework::Lossfit,
                "mean",
                Some("batchmean"),
            ),
            (
                ApiStyle::BurnConfig,
                Framework::Burn,
                "Reduction::Mean",
                Some("Reduction::BatchMean"),
            ),
            (
                ApiStyle::PyTorch,
                Framework::PyTorch,
                "\"mean\"",
                Some("\"batchmean\""),
            ),
            (
                ApiStyle::PyTorch,
                Framework::PyTorch,
                "'mean'",
                Some("'batchmean'"),
            ),
            (ApiStyle::TchMethod, Framework::Tch, "Reduction::Mean", None),
            (
                ApiStyle::LossfitFunctional,
                Framework::Lossfit,
                "Reduction::Mean.into()",
                None,
            ),
        ];
        for (style, framework, value, expected) in cases {
            let found = check(
                &KlDivMeanReduction,
                &facts(vec![kl(style, framework, value)]),
            );
            if value == "Reduction::Mean.into()" {
                // Not recognisably a mean: nothing is said.
                assert!(found.is_empty());
                continue;
            }
            assert_eq!(found.len(), 1, "{value}");
            let d = &found[0];
            assert_eq!(content(d), expected, "{value}");
            assert_eq!(d.span, span(20, 30, 30 + value.len()));
            if let Some(fix) = &d.fix {
                assert_eq!(fix.applicability, Applicability::Unsafe);
            }
        }
    }

    #[test]
    fn tch_is_told_to_sum_and_divide() {
        let d = &check(
            &KlDivMeanReduction,
            &facts(vec![kl(
                ApiStyle::TchMethod,
                Framework::Tch,
                "Reduction::Mean",
            )]),
        )[0];
        assert!(d.help.as_deref().unwrap().contains("`Reduction::Sum`"));
        assert_eq!(
            d.message,
            "`KlDiv` with `Reduction::Mean` divides by the number of elements, not samples: the \
             value is the KL divergence divided by the number of classes"
        );
    }

    #[test]
    fn implicit_mean_gets_help_only() {
        let mut s = site(LossKind::KlDiv);
        s.reduction = Reduction::Implicit {
            default: "mean".into(),
            fix: None,
        };
        let d = &check(&KlDivMeanReduction, &facts(vec![s]))[0];
        assert_eq!(d.span, span(10, 5, 17));
        assert!(d.fix.is_none());
        assert_eq!(
            d.help.as_deref(),
            Some("use batchmean, the KL divergence per sample: `.reduction(lossfit::BatchMean)`")
        );
    }

    #[test]
    fn silent_cases() {
        let mut unknown = site(LossKind::KlDiv);
        unknown.reduction = Reduction::Unknown;
        let sites = vec![
            unknown,
            kl(ApiStyle::LossfitTyped, Framework::Lossfit, "BatchMean"),
            kl(ApiStyle::LossfitTyped, Framework::Lossfit, "Sum"),
            kl(ApiStyle::PyTorch, Framework::PyTorch, "\"batchmean\""),
            kl(ApiStyle::BurnConfig, Framework::Burn, "Reduction::Auto"),
            kl(ApiStyle::LossfitFunctional, Framework::Lossfit, "reduction"),
            // Not a KL loss.
            site(LossKind::CrossEntropy),
        ];
        assert!(check(&KlDivMeanReduction, &facts(sites)).is_empty());
    }
}
