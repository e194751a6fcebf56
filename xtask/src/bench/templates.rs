//! Source templates for the benchmark corpus: plain Rust items (most of a real project) and
//! training code with losses in lossfit, burn, candle and tch, each with its typical mistakes
//! and correct forms, chosen at random.
//!
//! Templates are plain text with `@name@` placeholders (Rust's own braces need no escaping).

use std::fmt::Write as _;

use super::rng::Rng;

/// Replaces each `@key@` in `template` with its value.
fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in vars {
        out = out.replace(&format!("@{key}@"), value);
    }
    out
}

const NOUNS: &[&str] = &[
    "batch", "sample", "image", "token", "record", "feature", "label", "shard", "epoch", "step",
    "layer", "head", "encoder", "decoder", "window", "frame", "patch", "query", "anchor", "bucket",
    "cluster", "score", "metric", "vocab", "span", "chunk", "row", "column", "split", "fold",
];
const VERBS: &[&str] = &[
    "load",
    "parse",
    "build",
    "compute",
    "update",
    "collect",
    "merge",
    "split",
    "normalize",
    "shuffle",
    "encode",
    "decode",
    "sample",
    "filter",
    "resize",
    "validate",
    "flush",
    "render",
    "apply",
    "prepare",
];
const TYPES: &[&str] = &[
    "Dataset",
    "Loader",
    "Config",
    "Schedule",
    "Tracker",
    "Registry",
    "Pipeline",
    "Sampler",
    "Vocabulary",
    "Checkpoint",
    "Summary",
    "Trainer",
    "Evaluator",
    "Augmenter",
    "Tokenizer",
    "Partition",
    "Budget",
    "Window",
];
const FIELD_TYPES: &[&str] = &[
    "usize",
    "f32",
    "f64",
    "u64",
    "i64",
    "bool",
    "String",
    "Vec<f32>",
    "Vec<usize>",
    "Option<u32>",
    "PathBuf",
];

fn snake(rng: &mut Rng) -> String {
    format!("{}_{}", rng.pick(VERBS), rng.pick(NOUNS))
}

fn type_name(rng: &mut Rng) -> String {
    let noun = rng.pick(NOUNS);
    let mut chars = noun.chars();
    let head: String = chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .collect();
    format!("{head}{}{}", chars.as_str(), rng.pick(TYPES))
}

/// The `//!` line and imports of a plain file.
pub(crate) fn plain_header(rng: &mut Rng) -> String {
    let subject = rng.pick(NOUNS);
    let mut out = format!(
        "//! Helpers for {subject} handling: loading, bookkeeping and small utilities.\n\n"
    );
    out.push_str("use std::collections::HashMap;\nuse std::fmt;\nuse std::path::PathBuf;\n");
    if rng.chance(50) {
        out.push_str("use std::io::{self, BufRead};\n");
    }
    out.push('\n');
    out
}

/// One plain item (struct, enum, trait, functions, tests): code without any loss.
pub(crate) fn plain_item(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => plain_struct(rng),
        1 => plain_enum(rng),
        2 => plain_iter_fn(rng),
        3 => plain_parser(rng),
        4 => plain_trait(rng),
        5 => plain_tests(rng),
        6 => plain_table(rng),
        _ => plain_error(rng),
    }
}

fn plain_struct(rng: &mut Rng) -> String {
    let name = type_name(rng);
    let n_fields = rng.range(2, 6);
    let mut fields = String::new();
    let mut inits = String::new();
    for i in 0..n_fields {
        let ty = rng.pick(FIELD_TYPES);
        let field = format!("{}_{i}", rng.pick(NOUNS));
        let _ = writeln!(
            fields,
            "    /// The {field} setting.\n    pub {field}: {ty},"
        );
        let _ = writeln!(inits, "            {field}: Default::default(),");
    }
    let getter = rng.pick(NOUNS);
    fill(
        r"/// @name@ keeps what one run needs between steps.
#[derive(Debug, Clone, PartialEq)]
pub struct @name@ {
@fields@}

impl @name@ {
    /// An empty @name@.
    pub fn new() -> Self {
        Self {
@inits@        }
    }

    /// How many @getter@s were seen so far.
    pub fn @getter@_count(&self, seen: &[usize]) -> usize {
        seen.iter().filter(|&&n| n > @limit@).count()
    }
}

impl Default for @name@ {
    fn default() -> Self {
        Self::new()
    }
}

",
        &[
            ("name", &name),
            ("fields", &fields),
            ("inits", &inits),
            ("getter", getter),
            ("limit", &rng.range(0, 64).to_string()),
        ],
    )
}

fn plain_enum(rng: &mut Rng) -> String {
    let name = type_name(rng);
    let n = rng.range(3, 7);
    let mut variants = String::new();
    let mut arms = String::new();
    for i in 0..n {
        let v = format!("{}{i}", type_name(rng));
        let _ = writeln!(variants, "    {v},");
        let _ = writeln!(arms, "            {name}::{v} => \"{}\",", rng.pick(NOUNS));
    }
    fill(
        r#"/// The kinds of @name@ a configuration file may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum @name@ {
@variants@}

impl @name@ {
    /// The name used in configuration files.
    pub fn as_str(self) -> &'static str {
        match self {
@arms@        }
    }
}

impl fmt::Display for @name@ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_str())
    }
}

"#,
        &[("name", &name), ("variants", &variants), ("arms", &arms)],
    )
}

fn plain_iter_fn(rng: &mut Rng) -> String {
    let name = snake(rng);
    let noun = rng.pick(NOUNS);
    let k = rng.range(2, 32).to_string();
    let body = match rng.below(3) {
        0 => fill(
            r"    let mut buckets: HashMap<usize, Vec<f32>> = HashMap::new();
    for (i, value) in values.iter().enumerate() {
        buckets.entry(i % @k@).or_default().push(*value);
    }
    let mut means: Vec<(usize, f32)> = buckets
        .into_iter()
        .map(|(key, items)| (key, items.iter().sum::<f32>() / items.len().max(1) as f32))
        .collect();
    means.sort_by_key(|(key, _)| *key);
    means.into_iter().map(|(_, mean)| mean).collect()
",
            &[("k", &k)],
        ),
        1 => fill(
            r"    let total: f32 = values.iter().copied().filter(|v| v.is_finite()).sum();
    if total == 0.0 {
        return vec![0.0; values.len()];
    }
    let mut out = Vec::with_capacity(values.len());
    let mut running = 0.0;
    for value in values {
        running += value / total;
        out.push(running.min(1.0));
    }
    out.truncate(values.len().saturating_sub(@k@ % 3));
    out
",
            &[("k", &k)],
        ),
        _ => fill(
            r"    values
        .windows(@k@.min(values.len()).max(1))
        .map(|w| {
            let max = w.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let min = w.iter().copied().fold(f32::INFINITY, f32::min);
            if max > min { (w[0] - min) / (max - min) } else { 0.0 }
        })
        .collect()
",
            &[("k", &k)],
        ),
    };
    fill(
        r"/// @name@ over the @noun@ values; returns one number per group.
pub fn @name@(values: &[f32]) -> Vec<f32> {
@body@}

",
        &[("name", &name), ("noun", noun), ("body", &body)],
    )
}

fn plain_parser(rng: &mut Rng) -> String {
    let name = type_name(rng);
    let key_a = rng.pick(NOUNS);
    let key_b = rng.pick(VERBS);
    fill(
        r#"/// Settings read from a `key = value` file.
#[derive(Debug, Default)]
pub struct @name@Settings {
    pub values: HashMap<String, String>,
    pub @a@_size: usize,
    pub @b@_rate: f64,
}

/// Parses `key = value` lines; `#` starts a comment.
pub fn parse_@a@_settings(text: &str) -> Result<@name@Settings, String> {
    let mut settings = @name@Settings::default();
    for (number, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("line {}: expected `key = value`, found `{line}`", number + 1));
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "@a@_size" => settings.@a@_size = value.parse().map_err(|e| format!("line {}: {e}", number + 1))?,
            "@b@_rate" => settings.@b@_rate = value.parse().map_err(|e| format!("line {}: {e}", number + 1))?,
            _ => {
                settings.values.insert(key.to_string(), value.to_string());
            }
        }
    }
    Ok(settings)
}

"#,
        &[("name", &name), ("a", key_a), ("b", key_b)],
    )
}

fn plain_trait(rng: &mut Rng) -> String {
    let tr = type_name(rng);
    let ty = type_name(rng);
    let method = snake(rng);
    fill(
        r"/// Something that can be @method@d in place.
pub trait @tr@Ext {
    /// Applies the operation; returns how many entries changed.
    fn @method@(&mut self, factor: f32) -> usize;

    /// Whether the operation would change anything.
    fn is_noop(&self) -> bool {
        false
    }
}

/// A list of values with a name.
#[derive(Debug, Clone, Default)]
pub struct @ty@ {
    pub name: String,
    pub values: Vec<f32>,
}

impl @tr@Ext for @ty@ {
    fn @method@(&mut self, factor: f32) -> usize {
        let mut changed = 0;
        for value in &mut self.values {
            let next = *value * factor;
            if (next - *value).abs() > f32::EPSILON {
                changed += 1;
            }
            *value = next;
        }
        changed
    }
}

impl<T: @tr@Ext> @tr@Ext for Vec<T> {
    fn @method@(&mut self, factor: f32) -> usize {
        self.iter_mut().map(|item| item.@method@(factor)).sum()
    }
}

",
        &[("tr", &tr), ("ty", &ty), ("method", &method)],
    )
}

fn plain_tests(rng: &mut Rng) -> String {
    let n = rng.range(1, 4);
    let mut tests = String::new();
    for i in 0..n {
        let a = rng.range(1, 500);
        let b = rng.range(1, 500);
        tests.push_str(&fill(
            r"    #[test]
    fn @name@_@i@() {
        let values: Vec<u64> = (0..@a@).collect();
        let sum: u64 = values.iter().sum();
        assert_eq!(sum, @a@ * (@a@ - 1) / 2);
        assert!(values.len() < @a@ + @b@);
    }

",
            &[
                ("name", &snake(rng)),
                ("i", &i.to_string()),
                ("a", &a.to_string()),
                ("b", &b.to_string()),
            ],
        ));
    }
    let body = tests.trim_end();
    format!("#[cfg(test)]\nmod tests {{\n    use super::*;\n\n{body}\n}}\n\n")
}

fn plain_table(rng: &mut Rng) -> String {
    let name = rng.pick(NOUNS).to_ascii_uppercase();
    let n = rng.range(4, 16);
    let rows: Vec<String> = (0..n)
        .map(|_| format!("    ({}, {}),", rng.range(0, 1000), rng.float(0.0, 10.0)))
        .collect();
    fill(
        r"/// Reference @lower@ values (index, value) from the first experiments.
pub const @name@_TABLE: [(usize, f64); @n@] = [
@rows@
];

/// The value for `index`, if the table has it.
pub fn @lower@_lookup(index: usize) -> Option<f64> {
    @name@_TABLE.iter().find(|(i, _)| *i == index).map(|(_, v)| *v)
}

",
        &[
            ("name", &name),
            ("lower", &name.to_ascii_lowercase()),
            ("n", &n.to_string()),
            ("rows", &rows.join("\n")),
        ],
    )
}

fn plain_error(rng: &mut Rng) -> String {
    let name = type_name(rng);
    fill(
        r#"/// What can go wrong while handling a @name@.
#[derive(Debug)]
pub enum @name@Error {
    Missing(String),
    Invalid { line: usize, reason: String },
    Io(std::io::Error),
}

impl fmt::Display for @name@Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(what) => write!(f, "missing {what}"),
            Self::Invalid { line, reason } => write!(f, "line {line}: {reason}"),
            Self::Io(e) => write!(f, "i/o error: {e}"),
        }
    }
}

impl std::error::Error for @name@Error {}

impl From<std::io::Error> for @name@Error {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

"#,
        &[("name", &name)],
    )
}

/// The framework a loss file is written against.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Framework {
    LossfitTyped,
    LossfitFunctional,
    LossfitDerive,
    Burn,
    Candle,
    Tch,
    Eval,
}

impl Framework {
    pub(crate) const ALL: [Framework; 7] = [
        Framework::LossfitTyped,
        Framework::LossfitFunctional,
        Framework::LossfitDerive,
        Framework::Burn,
        Framework::Candle,
        Framework::Tch,
        Framework::Eval,
    ];
}

/// The `//!` line and imports of a training file.
pub(crate) fn loss_header(framework: Framework, rng: &mut Rng) -> String {
    let doc = format!(
        "//! Training code for the {} model ({framework:?}).\n\n",
        rng.pick(NOUNS)
    );
    let uses = match framework {
        Framework::LossfitTyped | Framework::Eval => {
            "use lossfit::{BatchMean, ClassIndices, ClassWeights, CrossEntropy, KlDiv, Logits, LossError, Mean, \
             MultiClass, Nll, SoftmaxFocal, Sum};\nuse ndarray::{Array1, Array2};\n"
        }
        Framework::LossfitFunctional => {
            "use lossfit::functional::{CrossEntropyOptions, KlDivOptions, KlReduction, cross_entropy, kl_div};\n\
             use lossfit::Reduction;\nuse ndarray::{Array1, Array2};\n"
        }
        Framework::LossfitDerive => "use lossfit::ModelOutput;\nuse ndarray::{Array1, Array2};\n",
        Framework::Burn => {
            if rng.chance(50) {
                "use burn::nn::loss::CrossEntropyLossConfig as CeConfig;\nuse burn::nn::loss::{BinaryCrossEntropyLossConfig, \
                 KLDivLossConfig, MseLoss, Reduction};\nuse burn::tensor::activation::{log_softmax, sigmoid, softmax};\n\
                 use burn::tensor::backend::Backend;\nuse burn::tensor::{Int, Tensor};\n"
            } else {
                "use burn::nn::loss::{BinaryCrossEntropyLossConfig, CrossEntropyLossConfig as CeConfig, KLDivLossConfig, \
                 MseLoss, Reduction};\nuse burn::tensor::activation::{log_softmax, sigmoid, softmax};\n\
                 use burn::tensor::backend::Backend;\nuse burn::tensor::{Int, Tensor};\n"
            }
        }
        Framework::Candle => {
            "use candle_core::{D, Result, Tensor};\nuse candle_nn::{Linear, Module, Optimizer, SGD, loss, ops};\n"
        }
        Framework::Tch => {
            "use tch::nn::{self, Module, OptimizerConfig};\nuse tch::{Kind, Reduction, Tensor};\n"
        }
    };
    format!("{doc}{uses}use std::collections::HashMap;\nuse std::fmt;\nuse std::path::PathBuf;\n\n")
}

/// One function (or struct) with a loss, in `framework`.
pub(crate) fn loss_item(framework: Framework, rng: &mut Rng) -> String {
    match framework {
        Framework::LossfitTyped => lossfit_typed(rng),
        Framework::LossfitFunctional => lossfit_functional(rng),
        Framework::LossfitDerive => lossfit_derive(rng),
        Framework::Burn => burn(rng),
        Framework::Candle => candle(rng),
        Framework::Tch => tch(rng),
        Framework::Eval => eval(rng),
    }
}

fn lossfit_typed(rng: &mut Rng) -> String {
    let name = format!("train_{}", rng.pick(NOUNS));
    let weight = if rng.chance(60) {
        ".weight(weights.clone())"
    } else {
        ""
    };
    let reduction = match rng.below(4) {
        0 => "",
        1 => ".reduction(Sum)",
        _ => ".reduction(Mean)",
    };
    let smoothing = if rng.chance(30) {
        format!(".label_smoothing({})", rng.float(0.0, 0.2))
    } else {
        String::new()
    };
    let (loss, input) = match rng.below(5) {
        0 => ("SoftmaxFocal", "&logits"),
        1 => ("Nll", "&logits.log_softmax()"),
        _ => ("CrossEntropy", "&logits"),
    };
    let smoothing = if loss == "CrossEntropy" {
        smoothing
    } else {
        String::new()
    };
    let gamma = if loss == "SoftmaxFocal" {
        format!(".gamma({})", rng.float(1.0, 3.0))
    } else {
        String::new()
    };
    let weight = if loss == "SoftmaxFocal" && !weight.is_empty() {
        ".alpha(weights.clone())"
    } else {
        weight
    };
    let suppress = if reduction.is_empty() && rng.chance(20) {
        "    // losslint: allow(LL001)\n"
    } else {
        ""
    };
    let builder = if rng.chance(30) {
        format!(
            "{suppress}    let criterion = {loss}::new(){gamma};\n    let criterion = criterion{weight}{smoothing};\n    let criterion = criterion{reduction};\n"
        )
    } else {
        format!(
            "{suppress}    let criterion = {loss}::new(){gamma}{weight}{smoothing}{reduction};\n"
        )
    };
    fill(
        r"/// Trains the @noun@ head for `steps` full-batch steps; returns the last loss.
pub fn @name@(model: &mut Model, x: &Array2<f32>, y: &Array1<usize>, counts: &[u64], steps: usize) -> Result<f32, LossError> {
    let targets = ClassIndices::new(y.clone());
    let weights = ClassWeights::<f32>::balanced(counts)?;
@builder@    let mut last = f32::NAN;
    for step in 0..steps {
        let logits = Logits::<MultiClass, f32>::new(model.forward(x))?;
        let loss = criterion.compute(@input@, &targets)?;
        model.backward(x, &loss.grad.input, @lr@ / (1.0 + step as f32).sqrt());
        last = loss.value;
    }
    Ok(last)
}

",
        &[
            ("name", &name),
            ("noun", rng.pick(NOUNS)),
            ("builder", &builder),
            ("input", input),
            ("lr", &rng.float(0.001, 0.5)),
        ],
    )
}

fn lossfit_functional(rng: &mut Rng) -> String {
    let name = format!("{}_loss", rng.pick(NOUNS));
    if rng.chance(30) {
        let reduction = rng.pick(&[
            "KlReduction::Mean",
            "KlReduction::BatchMean",
            "KlReduction::BatchMean",
            "KlReduction::Sum",
        ]);
        return fill(
            r"/// Distillation term: student log-probabilities against teacher probabilities.
pub fn @name@(student_log_probs: &Array2<f32>, teacher_probs: &Array2<f32>) -> lossfit::Result<f32> {
    let options = KlDivOptions { reduction: @red@, ..Default::default() };
    let loss = kl_div(student_log_probs, teacher_probs, &options)?;
    Ok(loss.scalar().unwrap_or(f32::NAN))
}

",
            &[("name", &name), ("red", reduction)],
        );
    }
    let reduction = rng.pick(&[
        "",
        "reduction: Reduction::Mean, ",
        "reduction: Reduction::Sum, ",
        "reduction: Reduction::None, ",
    ]);
    let weight = if rng.chance(60) {
        "weight: Some(weights.view()), "
    } else {
        ""
    };
    fill(
        r"/// Cross-entropy of the @noun@ logits (functional form, used in the metrics).
pub fn @name@(logits: &Array2<f32>, labels: &Array1<i64>, weights: &Array1<f32>) -> lossfit::Result<f32> {
    let loss = cross_entropy(logits, labels, &CrossEntropyOptions { @weight@@red@..Default::default() })?;
    Ok(loss.value.sum())
}

",
        &[
            ("name", &name),
            ("noun", rng.pick(NOUNS)),
            ("weight", weight),
            ("red", reduction),
        ],
    )
}

fn lossfit_derive(rng: &mut Rng) -> String {
    let name = type_name(rng);
    let mut heads = String::new();
    for i in 0..rng.range(1, 3) {
        let head = match rng.below(5) {
            0 => {
                "#[head(task = MultiClass, loss = CrossEntropy, reduction = mean, weight = balanced, labels = \"data/counts.json\")]"
            }
            1 => "#[head(task = MultiClass, loss = CrossEntropy, labels = \"data/counts.json\")]",
            2 => "#[head(task = Regression, loss = Huber, delta = 1.0, reduction = mean)]",
            3 => "#[head(task = MultiClass, loss = Mse, reduction = mean)]",
            _ => {
                "#[head(task = Binary, loss = BceWithLogits, reduction = mean, pos_weight = balanced)]"
            }
        };
        let ty = if head.contains("Binary") {
            "Array1<f32>"
        } else {
            "Array2<f32>"
        };
        let _ = writeln!(heads, "    {head}\n    pub {}_{i}: {ty},", rng.pick(NOUNS));
    }
    fill(
        r"/// What the @lower@ model returns.
#[derive(ModelOutput)]
pub struct @name@Output {
@heads@}

",
        &[
            ("name", &name),
            ("lower", &name.to_ascii_lowercase()),
            ("heads", &heads),
        ],
    )
}

fn burn(rng: &mut Rng) -> String {
    let name = format!("{}_loss", snake(rng));
    let body = match rng.below(4) {
        0 | 1 => {
            let weights = if rng.chance(50) {
                ".with_weights(Some(weights))"
            } else {
                ""
            };
            let input = if rng.chance(25) {
                "softmax(logits, 1)"
            } else {
                "logits"
            };
            let split = rng.chance(40);
            let build = if split {
                format!(
                    "    let config = CeConfig::new(){weights};\n    let criterion = config.init(device);\n"
                )
            } else {
                format!("    let criterion = CeConfig::new(){weights}.init(device);\n")
            };
            format!("{build}    criterion.forward({input}, targets)\n")
        }
        2 => {
            let red = rng.pick(&[
                "Reduction::Auto",
                "Reduction::Mean",
                "Reduction::BatchMean",
                "Reduction::Sum",
            ]);
            format!(
                "    let kl = KLDivLossConfig::new().init();\n    let student = log_softmax(logits, 1);\n    let teacher = softmax(teacher_logits, 1);\n    let _ = (targets, device, weights);\n    kl.forward(student, teacher, {red})\n"
            )
        }
        _ => {
            let with_logits = if rng.chance(50) {
                ".with_logits(true)"
            } else {
                ""
            };
            let input = if rng.chance(40) {
                "sigmoid(logits.sum_dim(1).squeeze_dim(1))"
            } else {
                "logits.sum_dim(1).squeeze_dim(1)"
            };
            format!(
                "    // losslint: labels = \"../data/binary.txt\"\n    let bce = BinaryCrossEntropyLossConfig::new(){with_logits}.init(device);\n    let _ = (teacher_logits, weights);\n    bce.forward({input}, targets)\n"
            )
        }
    };
    fill(
        r"/// The @noun@ objective of the burn trainer.
pub fn @name@<B: Backend>(
    logits: Tensor<B, 2>,
    teacher_logits: Tensor<B, 2>,
    targets: Tensor<B, 1, Int>,
    weights: Vec<f32>,
    device: &B::Device,
) -> Tensor<B, 1> {
@body@}

",
        &[("name", &name), ("noun", rng.pick(NOUNS)), ("body", &body)],
    )
}

fn candle(rng: &mut Rng) -> String {
    let name = format!("{}_step", snake(rng));
    let line = match rng.below(6) {
        0 => "let loss = loss::nll(&ops::softmax(&logits, D::Minus1)?, labels)?;",
        1 => "let loss = loss::nll(&ops::log_softmax(&logits, D::Minus1)?, labels)?;",
        2 => "let loss = loss::cross_entropy(&logits, labels)?;",
        3 => {
            "let probs = ops::softmax_last_dim(&logits)?;\n        let loss = loss::cross_entropy(&probs, labels)?;"
        }
        4 => "// losslint: allow(LL002)\n        let loss = loss::cross_entropy(&logits, labels)?;",
        _ => "let loss = loss::mse(&logits, &labels.to_dtype(logits.dtype())?)?;",
    };
    fill(
        r"/// One pass over the @noun@ batches with candle.
pub fn @name@(model: &Linear, sgd: &mut SGD, batches: &[(Tensor, Tensor)]) -> Result<f32> {
    let mut last = f32::NAN;
    for (images, labels) in batches {
        let logits = model.forward(images)?;
        @line@
        sgd.backward_step(&loss)?;
        last = loss.to_scalar::<f32>()?;
    }
    Ok(last)
}

",
        &[("name", &name), ("noun", rng.pick(NOUNS)), ("line", line)],
    )
}

fn tch(rng: &mut Rng) -> String {
    let name = format!("{}_step", snake(rng));
    let line = match rng.below(7) {
        0 => "let loss = logits.cross_entropy_for_logits(y);",
        1 => "let loss = logits.softmax(-1, Kind::Float).cross_entropy_for_logits(y);",
        2 => {
            "let loss = logits.cross_entropy_loss::<Tensor>(y, Some(weights), Reduction::Mean, -100, 0.0);"
        }
        3 => {
            "let loss = logits.log_softmax(-1, Kind::Float).g_nll_loss(y, Some(weights), Reduction::Sum, -100);"
        }
        4 => {
            "let loss = logits.softmax(-1, Kind::Float).g_nll_loss(y, Some(weights), Reduction::Mean, -100);"
        }
        5 => {
            "let loss = logits.log_softmax(-1, Kind::Float).kl_div(&weights.softmax(-1, Kind::Float), Reduction::Mean, false);"
        }
        _ => "let loss = logits.cross_entropy_for_logits(y); // losslint: allow(LL001)",
    };
    fill(
        r"/// One optimisation step of the @noun@ model with libtorch.
pub fn @name@(model: &nn::Linear, opt: &mut nn::Optimizer, images: &Tensor, y: &Tensor, weights: &Tensor) -> f64 {
    let logits = model.forward(images);
    @line@
    opt.backward_step(&loss);
    f64::try_from(&loss).unwrap_or(f64::NAN)
}

",
        &[("name", &name), ("noun", rng.pick(NOUNS)), ("line", line)],
    )
}

fn eval(rng: &mut Rng) -> String {
    let name = format!("validate_{}", rng.pick(NOUNS));
    let (reduction, accumulate, divisor) = match rng.below(5) {
        0 => ("Mean", "total += loss.value;", "seen"),
        1 => ("Sum", "total += loss.value;", "batches.len()"),
        2 => ("Mean", "total += loss.value * y.len() as f32;", "seen"),
        3 => ("Sum", "total += loss.value;", "seen"),
        _ => ("Mean", "total += loss.value;", "batches.len()"),
    };
    fill(
        r"/// Validation loss of the @noun@ model over `batches`.
pub fn @name@(model: &Model, batches: &[(Array2<f32>, Array1<usize>)], weights: &ClassWeights<f32>) -> Result<f32, LossError> {
    let criterion = CrossEntropy::new().weight(weights.clone()).reduction(@red@);
    let mut total = 0.0_f32;
    let mut seen = 0_usize;
    for (x, y) in batches {
        let logits = Logits::<MultiClass, f32>::new(model.forward(x))?;
        let loss = criterion.compute(&logits, &ClassIndices::new(y.clone()))?;
        @acc@
        seen += y.len();
    }
    Ok(total / @div@ as f32)
}

",
        &[
            ("name", &name),
            ("noun", rng.pick(NOUNS)),
            ("red", reduction),
            ("acc", accumulate),
            ("div", divisor),
        ],
    )
}
