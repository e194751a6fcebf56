//! Words and numbers the rules share: how a loss, a framework and a reduction are named in
//! messages, how weights are printed, and the diagnostic every rule starts from.

use crate::diagnostic::Diagnostic;
use crate::facts::{
    Activation, ApiStyle, Argument, Framework, LossKind, LossSite, Origin, Role, Span,
};

/// A diagnostic with no secondary spans, help or fix yet.
pub(super) fn diagnostic(
    code: &'static str,
    name: &'static str,
    span: Span,
    message: String,
    label: String,
) -> Diagnostic {
    Diagnostic {
        code,
        name,
        message,
        span,
        label,
        secondary: Vec::new(),
        help: None,
        fix: None,
    }
}

/// lossfit's name of a loss (the names of the "Choosing a loss" guide).
pub(super) fn canonical(kind: LossKind) -> &'static str {
    match kind {
        LossKind::CrossEntropy => "CrossEntropy",
        LossKind::Nll => "Nll",
        LossKind::Bce => "Bce",
        LossKind::BceWithLogits => "BceWithLogits",
        LossKind::Mse => "Mse",
        LossKind::L1 => "L1",
        LossKind::SmoothL1 => "SmoothL1",
        LossKind::Huber => "Huber",
        LossKind::KlDiv => "KlDiv",
        LossKind::SoftMargin => "SoftMargin",
        LossKind::MultiLabelSoftMargin => "MultiLabelSoftMargin",
        LossKind::MultiMargin => "MultiMargin",
        LossKind::MultiLabelMargin => "MultiLabelMargin",
        LossKind::Ctc => "Ctc",
        LossKind::PoissonNll => "PoissonNll",
        LossKind::GaussianNll => "GaussianNll",
        LossKind::SigmoidFocal => "SigmoidFocal",
        LossKind::SoftmaxFocal => "SoftmaxFocal",
        LossKind::MarginRanking => "MarginRanking",
        LossKind::TripletMargin => "TripletMargin",
        LossKind::CosineEmbedding => "CosineEmbedding",
        LossKind::HingeEmbedding => "HingeEmbedding",
        LossKind::Contrastive => "Contrastive",
        LossKind::InfoNce => "InfoNce",
    }
}

/// The loss as the user wrote it: the last segment of the resolved API
/// (`CrossEntropyLossConfig`, `cross_entropy_for_logits`), or lossfit's name when the API path
/// is not a plain path (derive heads, missing data).
pub(super) fn loss_name(site: &LossSite) -> String {
    let last = site.api.rsplit("::").next().unwrap_or("").trim();
    let last = last.rsplit('.').next().unwrap_or("").trim();
    let plain = !last.is_empty()
        && last.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !last.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        last.to_string()
    } else {
        canonical(site.loss).to_string()
    }
}

/// The framework's name in prose.
pub(super) fn framework_name(framework: Framework) -> &'static str {
    match framework {
        Framework::Lossfit => "lossfit",
        Framework::Burn => "burn",
        Framework::Candle => "candle",
        Framework::Tch => "tch",
        Framework::PyTorch => "PyTorch",
    }
}

/// The with-logits form in the site's own API.
pub(super) fn with_logits_name(site: &LossSite) -> &'static str {
    match site.style {
        ApiStyle::LossfitTyped | ApiStyle::LossfitDerive => "`BceWithLogits`",
        ApiStyle::LossfitFunctional | ApiStyle::TchMethod => "`binary_cross_entropy_with_logits`",
        ApiStyle::BurnConfig => "`BinaryCrossEntropyLossConfig::new().with_logits(true)`",
        ApiStyle::CandleFunction => "`loss::binary_cross_entropy_with_logit`",
        ApiStyle::PyTorch => "`BCEWithLogitsLoss` / `F.binary_cross_entropy_with_logits`",
    }
}

/// Whether the site is a construction (`CrossEntropy::new()`, a burn config, a derive head,
/// `nn.CrossEntropyLoss()`) rather than a call that computes the loss at once.
pub(super) fn is_construction(site: &LossSite) -> bool {
    match site.style {
        ApiStyle::LossfitTyped | ApiStyle::BurnConfig | ApiStyle::LossfitDerive => true,
        ApiStyle::LossfitFunctional | ApiStyle::CandleFunction | ApiStyle::TchMethod => false,
        // `nn.CrossEntropyLoss` vs `F.cross_entropy`: modules are capitalised.
        ApiStyle::PyTorch => loss_name(site).starts_with(|c: char| c.is_ascii_uppercase()),
    }
}

/// What a reduction value means, whatever the spelling (`"mean"`, `Reduction::Mean`, `Mean`,
/// `KlReduction::BatchMean`, `reduction = mean`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ReductionWord {
    Mean,
    Sum,
    None,
    BatchMean,
    /// burn's `Reduction::Auto`: the mean for most losses, the batch mean for `KLDivLoss`.
    Auto,
    /// Anything else (a variable, a call): not judged.
    Other,
}

impl ReductionWord {
    /// Reads a reduction as written: surrounding quotes and a path prefix are ignored, case is not
    /// significant. A value with anything else in it (`reduction_from(args)`, `r`) is `Other`.
    pub(super) fn parse(value: &str) -> Self {
        let trimmed = value.trim();
        let unquoted = trimmed
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| {
                trimmed
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
            })
            .unwrap_or(trimmed);
        let word = unquoted.rsplit("::").next().unwrap_or("").trim();
        let word = word.strip_prefix("r#").unwrap_or(word);
        match word.to_ascii_lowercase().as_str() {
            "mean" | "elementwise_mean" => Self::Mean,
            "sum" => Self::Sum,
            "none" | "persample" | "per_sample" => Self::None,
            "batchmean" | "batch_mean" => Self::BatchMean,
            "auto" => Self::Auto,
            _ => Self::Other,
        }
    }
}

/// The prediction arguments of `site` that come straight from one of `activations`, with the
/// activation and where it was applied. Unknown origins and declared logits are skipped.
pub(super) fn activated_inputs<'a>(
    site: &'a LossSite,
    activations: &'a [Activation],
) -> impl Iterator<Item = (&'a Argument, Activation, Span)> + 'a {
    site.arguments
        .iter()
        .filter_map(move |arg| match arg.origin {
            Origin::Activation { activation, span }
                if arg.role == Role::Input && activations.contains(&activation) =>
            {
                Some((arg, activation, span))
            }
            _ => None,
        })
}

/// The activation as code calls it.
pub(super) fn activation_name(activation: Activation) -> &'static str {
    match activation {
        Activation::Softmax => "softmax",
        Activation::LogSoftmax => "log_softmax",
        Activation::Sigmoid => "sigmoid",
        Activation::LogSigmoid => "log_sigmoid",
    }
}

/// Points a diagnostic on an argument at the activation call too, when it is written apart from
/// the argument (`let probs = softmax(x); loss(probs, y)`); an activation written inside the
/// argument is already under the caret.
pub(super) fn add_activation_span(d: &mut Diagnostic, activation: Activation, at: Span) {
    let disjoint = at.end.offset <= d.span.start.offset || at.start.offset >= d.span.end.offset;
    if disjoint && at != Span::default() {
        d.secondary
            .push((at, format!("{} applied here", activation_name(activation))));
    }
}

/// A number with 4 significant digits, as short as it can be written (`0.2`, `1.8`, `0.5556`,
/// `16.5`, `1234.0`), always with a decimal point so it pastes as a float literal.
pub(super) fn format_number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v:?}");
    }
    // Digits after the point for 4 significant digits; 0 for numbers of 4 digits or more.
    let magnitude = v.abs().log10().floor();
    let decimals = if magnitude >= 3.0 {
        0
    } else {
        (3.0 - magnitude).min(12.0) as usize
    };
    let text = format!("{v:.decimals$}");
    if !text.contains('.') {
        return format!("{text}.0");
    }
    let trimmed = text.trim_end_matches('0');
    if trimmed.ends_with('.') {
        format!("{trimmed}0")
    } else {
        trimmed.to_string()
    }
}

/// `0.2, 1.8`: numbers for a list literal in any of the supported languages.
pub(super) fn format_list(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format_number(*v))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(format_number(0.2), "0.2");
        assert_eq!(format_number(1.8), "1.8");
        assert_eq!(format_number(1.0 / 1.8), "0.5556");
        assert_eq!(format_number(16.5), "16.5");
        assert_eq!(format_number(1234.4), "1234.0");
        assert_eq!(format_number(0.000_123_456), "0.0001235");
        assert_eq!(format_number(9.0), "9.0");
        assert_eq!(format_number(0.0), "0.0");
        assert_eq!(format_list(&[0.2, 1.8]), "0.2, 1.8");
        assert_eq!(format_list(&[]), "");
    }

    #[test]
    fn reduction_spellings() {
        for mean in [
            "\"mean\"",
            "Reduction::Mean",
            "Mean",
            "lossfit::Mean",
            "'mean'",
            "mean",
        ] {
            assert_eq!(ReductionWord::parse(mean), ReductionWord::Mean, "{mean}");
        }
        assert_eq!(
            ReductionWord::parse("KlReduction::BatchMean"),
            ReductionWord::BatchMean
        );
        assert_eq!(
            ReductionWord::parse("\"batchmean\""),
            ReductionWord::BatchMean
        );
        assert_eq!(ReductionWord::parse("Reduction::Auto"), ReductionWord::Auto);
        assert_eq!(ReductionWord::parse("Reduction::Sum"), ReductionWord::Sum);
        assert_eq!(ReductionWord::parse("PerSample"), ReductionWord::None);
        assert_eq!(ReductionWord::parse("args.reduction"), ReductionWord::Other);
        assert_eq!(ReductionWord::parse("reduction"), ReductionWord::Other);
        assert_eq!(ReductionWord::parse(""), ReductionWord::Other);
    }

    #[test]
    fn names_come_from_the_api() {
        let mut s = site(LossKind::CrossEntropy);
        s.api = "burn::nn::loss::CrossEntropyLossConfig".into();
        assert_eq!(loss_name(&s), "CrossEntropyLossConfig");
        s.api = "torch.nn.functional.cross_entropy".into();
        assert_eq!(loss_name(&s), "cross_entropy");
        s.api = "#[head(loss = CrossEntropy)]".into();
        assert_eq!(loss_name(&s), "CrossEntropy");
        s.api = String::new();
        assert_eq!(loss_name(&s), "CrossEntropy");
    }
}
