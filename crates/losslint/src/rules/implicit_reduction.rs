//! LL001 implicit-reduction: a loss built or called without a visible reduction where the API
//! takes one.

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::facts::{ApiStyle, FileFacts, LossKind, LossSite, Reduction};
use crate::rules::describe::{
    ReductionWord, diagnostic, framework_name, is_construction, loss_name,
};
use crate::rules::{Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain` (`#[doc]` takes a
/// literal or a macro, not a `const`). Its examples are not doctests (`not(doctest)` below):
/// they show other crates' APIs.
macro_rules! documentation {
    () => {
        r#"## What it does
Flags a loss that is built or called without a reduction where its API takes one: a lossfit
loss with no `.reduction(..)`, a derive head with no `reduction = ..`, a functional options
struct that leaves `reduction` to `..Default::default()`, tch's `nll_loss` /
`cross_entropy_for_logits` (which always average), burn's `Reduction::Auto`, or PyTorch's
`nn.CrossEntropyLoss()` / `F.cross_entropy(x, y)` with no `reduction=`.

Losses whose API has no reduction at all, and reductions set somewhere losslint cannot see, are
not reported.

## Why is this bad?
The reduction decides what the number is: the mean over the batch, the sum, or one loss per
sample. It scales every gradient (a sum grows with the batch size, so the learning rate that
worked for one batch size does not for another), it decides what "the epoch loss" means when
batches are accumulated (see LL010), and for KL divergence the default `mean` is not the KL
divergence at all (see LL008, which fires on the same site). Left implicit, the choice was never
made, and a reader cannot tell whether the mean was meant.

The default level is `warn`: the default is usually what was meant, and the safe fix writes it.

## Example
```rust
use lossfit::{ClassIndices, CrossEntropy};

let criterion = CrossEntropy::new().weight(weights);
let loss = criterion.compute(&logits, &labels)?;
```

Use instead:
```rust
use lossfit::{ClassIndices, CrossEntropy, Mean};

let criterion = CrossEntropy::new().weight(weights).reduction(Mean);
let loss = criterion.compute(&logits, &labels)?;
```

In PyTorch: `nn.CrossEntropyLoss(reduction="mean")` instead of `nn.CrossEntropyLoss()`.

## Fix safety
The fix is safe: it writes the framework's current default (`mean`, burn's `Reduction::Auto`),
so the program computes exactly what it computed before. It is offered only where losslint knows
where the reduction goes; elsewhere the help says what to write.
"#
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct ImplicitReduction;

impl ImplicitReduction {
    pub const CODE: &'static str = "LL001";
    pub const NAME: &'static str = "implicit-reduction";
}

impl Rule for ImplicitReduction {
    rule_metadata!(Level::Warn);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts.losses.iter().filter_map(judge).collect()
    }
}

fn judge(site: &LossSite) -> Option<Diagnostic> {
    let Reduction::Implicit { default, fix } = &site.reduction else {
        return None;
    };
    let default = default.trim();
    let name = loss_name(site);
    let verb = if is_construction(site) {
        "built"
    } else {
        "called"
    };
    let framework = framework_name(site.framework);
    let message = if site.style == ApiStyle::BurnConfig {
        // burn's `forward` takes the reduction as a required argument: the implicit one is
        // `Reduction::Auto`, the "whatever the default is" value.
        format!("`{name}` leaves its reduction to `Reduction::Auto`: burn uses `{default}`")
    } else if default.is_empty() {
        format!("`{name}` is {verb} without a reduction: {framework}'s default applies")
    } else {
        format!(
            "`{name}` is {verb} without a reduction: {framework} uses `{default}` when none is \
             chosen"
        )
    };
    let mut d = diagnostic(
        ImplicitReduction::CODE,
        ImplicitReduction::NAME,
        site.name_span,
        message,
        "no reduction chosen".to_string(),
    );
    let written = fix
        .as_ref()
        .map(|edit| shown(site.style, &edit.content))
        .filter(|content| !content.is_empty())
        .or_else(|| spelling(site.style, site.loss, default));
    // A fix that rewrites the call from its name on (tch's shortcuts have no reduction
    // argument to write).
    let rewrite = fix.as_ref().is_some_and(|edit| {
        edit.span.start == site.name_span.start && edit.span.end > site.name_span.end
    });
    d.help = Some(match written {
        Some(code) if rewrite => {
            format!("call the form that takes a reduction: `{code}` computes the same {default}")
        }
        Some(code) => format!("write the reduction you mean: `{code}` keeps today's behaviour"),
        None => "write the reduction you mean; the default keeps today's behaviour".to_string(),
    });
    d.fix = fix.as_ref().map(|edit| Fix {
        applicability: Applicability::Safe,
        title: if rewrite {
            let method = edit.content.split(['(', ':']).next().unwrap_or_default();
            format!(
                "call `{method}` with `reduction = {}` written out",
                title_word(default)
            )
        } else {
            format!("write `reduction = {}` explicitly", title_word(default))
        },
        edits: vec![edit.clone()],
    });
    Some(d)
}

/// A fix's content as the help shows it: without the separators it needs in place (`, ` before
/// a derive key, `, ` after a struct field), and with burn's enum named.
fn shown(style: ApiStyle, content: &str) -> String {
    let code = content.trim().trim_matches(',').trim();
    if style == ApiStyle::BurnConfig && !code.contains("::") && !code.is_empty() {
        format!("Reduction::{code}")
    } else {
        code.to_string()
    }
}

/// How the default is written at a site of `style`, when the facts carry no edit.
fn spelling(style: ApiStyle, loss: LossKind, default: &str) -> Option<String> {
    let word = ReductionWord::parse(default);
    let variant = match word {
        ReductionWord::Mean => "Mean",
        ReductionWord::Sum => "Sum",
        ReductionWord::None => "None",
        ReductionWord::BatchMean => "BatchMean",
        ReductionWord::Auto => "Auto",
        ReductionWord::Other => return (!default.is_empty()).then(|| default.to_string()),
    };
    Some(match style {
        ApiStyle::LossfitTyped => match word {
            ReductionWord::None => ".reduction(PerSample)".to_string(),
            _ => format!(".reduction({variant})"),
        },
        ApiStyle::LossfitFunctional if loss == LossKind::KlDiv => {
            format!("reduction: KlReduction::{variant}")
        }
        ApiStyle::LossfitFunctional => format!("reduction: Reduction::{variant}"),
        ApiStyle::LossfitDerive => format!("reduction = {}", variant.to_ascii_lowercase()),
        ApiStyle::PyTorch => format!("reduction=\"{}\"", variant.to_ascii_lowercase()),
        ApiStyle::BurnConfig | ApiStyle::TchMethod | ApiStyle::CandleFunction => {
            format!("Reduction::{variant}")
        }
    })
}

/// `mean` for `"mean"`, `Mean`, `Reduction::Mean`; the value as given otherwise.
fn title_word(default: &str) -> String {
    match ReductionWord::parse(default) {
        ReductionWord::Mean => "mean".to_string(),
        ReductionWord::Sum => "sum".to_string(),
        ReductionWord::None => "none".to_string(),
        ReductionWord::BatchMean => "batchmean".to_string(),
        ReductionWord::Auto | ReductionWord::Other => default.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Edit, Framework, Pos, Span};
    use crate::rules::testing::{check, facts, site, span};

    fn implicit(default: &str, fix: Option<Edit>) -> Reduction {
        Reduction::Implicit {
            default: default.into(),
            fix,
        }
    }

    fn insertion() -> Edit {
        let at = Pos {
            line: 10,
            column: 22,
            offset: 1022,
        };
        Edit {
            span: Span { start: at, end: at },
            content: ".reduction(Mean)".into(),
        }
    }

    #[test]
    fn typed_builder_with_a_fix() {
        let mut s = site(LossKind::CrossEntropy);
        s.reduction = implicit("mean", Some(insertion()));
        let found = check(&ImplicitReduction, &facts(vec![s]));
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(
            d.message,
            "`CrossEntropy` is built without a reduction: lossfit uses `mean` when none is chosen"
        );
        assert_eq!(d.span, span(10, 5, 17));
        assert_eq!(d.label, "no reduction chosen");
        assert_eq!(
            d.help.as_deref(),
            Some("write the reduction you mean: `.reduction(Mean)` keeps today's behaviour")
        );
        let fix = d.fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(fix.title, "write `reduction = mean` explicitly");
        assert_eq!(fix.edits, vec![insertion()]);
    }

    #[test]
    fn no_edit_no_fix_but_help_in_the_sites_style() {
        let mut s = site(LossKind::Nll);
        s.framework = Framework::Tch;
        s.style = ApiStyle::TchMethod;
        s.api = "tch::Tensor::nll_loss".into();
        s.reduction = implicit("Reduction::Mean", None);
        let d = &check(&ImplicitReduction, &facts(vec![s]))[0];
        assert_eq!(
            d.message,
            "`nll_loss` is called without a reduction: tch uses `Reduction::Mean` when none is \
             chosen"
        );
        assert!(d.fix.is_none());
        assert_eq!(
            d.help.as_deref(),
            Some("write the reduction you mean: `Reduction::Mean` keeps today's behaviour")
        );

        let mut s = site(LossKind::CrossEntropy);
        s.style = ApiStyle::LossfitDerive;
        s.reduction = implicit("mean", None);
        let d = &check(&ImplicitReduction, &facts(vec![s]))[0];
        assert!(d.help.as_deref().unwrap().contains("`reduction = mean`"));

        let mut s = site(LossKind::KlDiv);
        s.style = ApiStyle::LossfitFunctional;
        s.reduction = implicit("mean", None);
        let d = &check(&ImplicitReduction, &facts(vec![s]))[0];
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("`reduction: KlReduction::Mean`")
        );
    }

    #[test]
    fn burn_auto_is_named() {
        let mut s = site(LossKind::Mse);
        s.framework = Framework::Burn;
        s.style = ApiStyle::BurnConfig;
        s.api = "burn::nn::loss::MseLoss".into();
        let mut edit = insertion();
        edit.content = "Mean".into();
        s.reduction = implicit("mean", Some(edit));
        let d = &check(&ImplicitReduction, &facts(vec![s]))[0];
        assert_eq!(
            d.message,
            "`MseLoss` leaves its reduction to `Reduction::Auto`: burn uses `mean`"
        );
        assert_eq!(
            d.help.as_deref(),
            Some("write the reduction you mean: `Reduction::Mean` keeps today's behaviour")
        );
        assert_eq!(d.fix.as_ref().unwrap().edits[0].content, "Mean");
    }

    #[test]
    fn python_edit_is_shown_without_its_comma() {
        let mut s = site(LossKind::CrossEntropy);
        s.framework = Framework::PyTorch;
        s.style = ApiStyle::PyTorch;
        s.api = "torch.nn.CrossEntropyLoss".into();
        let mut edit = insertion();
        edit.content = ", reduction=\"mean\"".into();
        s.reduction = implicit("mean", Some(edit));
        let d = &check(&ImplicitReduction, &facts(vec![s]))[0];
        assert!(d.message.starts_with("`CrossEntropyLoss` is built"));
        assert_eq!(
            d.help.as_deref(),
            Some("write the reduction you mean: `reduction=\"mean\"` keeps today's behaviour")
        );
    }

    #[test]
    fn silent_on_explicit_and_unknown_reductions() {
        let explicit = site(LossKind::CrossEntropy);
        let mut unknown = site(LossKind::CrossEntropy);
        unknown.reduction = Reduction::Unknown;
        assert!(check(&ImplicitReduction, &facts(vec![explicit, unknown])).is_empty());
    }

    #[test]
    fn one_finding_per_site() {
        let mut a = site(LossKind::Mse);
        a.reduction = implicit("mean", None);
        let b = a.clone();
        assert_eq!(check(&ImplicitReduction, &facts(vec![a, b])).len(), 2);
    }
}
