//! Frontend tests: values followed across the file's functions, methods, struct fields,
//! tuples, closures and sequential models by the value-flow engine, and what stays unknown.

use super::*;
use crate::facts::{Activation, Origin};

/// The origin of the input of the only site of `source` (`None` when unknown).
fn input_origin(source: &str) -> Option<Activation> {
    let site = only(source);
    match &site.arguments[0].origin {
        Origin::Activation { activation, .. } => Some(*activation),
        _ => None,
    }
}

const CANDLE: &str =
    "use candle_core::{D, IndexOp, Tensor};\nuse candle_nn::{loss, ops, Linear, Module};\n";

#[test]
fn a_method_returning_softmax_reaches_a_loss_in_another_function() {
    let source = format!(
        "{CANDLE}
struct Net {{ head: Linear }}
impl Net {{
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {{
        ops::softmax(&self.head.forward(xs)?, D::Minus1)
    }}
}}
fn step(xs: &Tensor, ys: &Tensor, head: Linear) -> candle_core::Result<Tensor> {{
    let model = Net {{ head }};
    let probs = model.forward(xs)?;
    loss::cross_entropy(&probs, ys)
}}
"
    );
    assert_eq!(input_origin(&source), Some(Activation::Softmax));
}

#[test]
fn free_helpers_pass_through_parameters_and_shape_methods() {
    let source = format!(
        "{CANDLE}
fn probs(logits: &Tensor) -> candle_core::Result<Tensor> {{ ops::softmax(logits, D::Minus1) }}
fn flat(x: Tensor) -> Tensor {{ x.flatten_to(1).unwrap() }}
fn step(logits: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> {{
    let p = probs(logits)?;
    loss::cross_entropy(&flat(p.i((.., 0))?.t()?), ys)
}}
"
    );
    assert_eq!(input_origin(&source), Some(Activation::Softmax));
}

#[test]
fn struct_fields_tuples_and_branches() {
    let field = format!(
        "{CANDLE}
struct Out {{ probs: Tensor, state: Tensor }}
fn run(xs: &Tensor) -> candle_core::Result<Out> {{
    Ok(Out {{ probs: ops::softmax(xs, D::Minus1)?, state: xs.clone() }})
}}
fn step(xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> {{
    let out = run(xs)?;
    loss::cross_entropy(&out.probs, ys)
}}
"
    );
    assert_eq!(input_origin(&field), Some(Activation::Softmax));

    let tuple = format!(
        "{CANDLE}
fn decode(xs: &Tensor, greedy: bool) -> candle_core::Result<(Tensor, Tensor)> {{
    let (a, b) = if greedy {{
        (ops::log_softmax(xs, D::Minus1)?, xs.clone())
    }} else {{
        (ops::log_softmax(&xs.t()?, D::Minus1)?, xs.clone())
    }};
    Ok((a, b))
}}
fn step(xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> {{
    let (log_probs, _state) = decode(xs, true)?;
    loss::cross_entropy(&log_probs, ys)
}}
"
    );
    assert_eq!(input_origin(&tuple), Some(Activation::LogSoftmax));

    // The branches disagree: unknown.
    let disagree = format!(
        "{CANDLE}
fn decode(xs: &Tensor, greedy: bool) -> candle_core::Result<Tensor> {{
    if greedy {{ ops::softmax(xs, D::Minus1) }} else {{ Ok(xs.clone()) }}
}}
fn step(xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> {{
    loss::cross_entropy(&decode(xs, true)?, ys)
}}
"
    );
    assert_eq!(input_origin(&disagree), None);
}

#[test]
fn self_fields_written_anywhere_in_the_file() {
    // Written in one method (the caller), read in another: analysed again once it is done.
    let source = "use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::activation::softmax;
struct Step<B: Backend> { probs: Tensor<B, 2>, targets: Tensor<B, 1, Int> }
impl<B: Backend> Step<B> {
    fn loss(&self) -> Tensor<B, 1> {
        CrossEntropyLossConfig::new().init(&self.probs.device()).forward(self.probs.clone(), self.targets.clone())
    }
}
fn train<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>) -> Tensor<B, 1> {
    let step = Step { probs: softmax(logits, 1), targets };
    step.loss()
}
";
    assert_eq!(input_origin(source), Some(Activation::Softmax));

    // Written with softmax in one place and logits in another: unknown.
    let mixed = "use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::activation::softmax;
struct Step<B: Backend> { out: Tensor<B, 2> }
impl<B: Backend> Step<B> {
    fn probs(logits: Tensor<B, 2>) -> Self { Step { out: softmax(logits, 1) } }
    fn logits(logits: Tensor<B, 2>) -> Self { Step { out: logits } }
    fn loss(&self, targets: Tensor<B, 1, Int>) -> Tensor<B, 1> {
        CrossEntropyLossConfig::new().init(&self.out.device()).forward(self.out.clone(), targets)
    }
}
";
    assert_eq!(input_origin(mixed), None);
}

#[test]
fn sequential_models_and_closures() {
    let source = "use tch::{nn, nn::Module, Kind, Reduction, Tensor};
fn net(vs: &nn::Path) -> impl Module {
    nn::seq().add(nn::linear(vs, 4, 2, Default::default())).add_fn(|xs| xs.sigmoid())
}
fn step(vs: &nn::Path, x: &Tensor, y: &Tensor) -> Tensor {
    let net = net(vs);
    x.apply(&net).binary_cross_entropy_with_logits::<Tensor>(y, None, None, Reduction::Mean)
}
";
    assert_eq!(input_origin(source), Some(Activation::Sigmoid));

    let func = "use tch::{nn, nn::ModuleT, Kind, Reduction, Tensor};
fn gpt(vs: nn::Path) -> impl ModuleT {
    nn::func_t(move |xs, train| xs.log_softmax(-1, Kind::Float))
}
fn step(vs: nn::Path, x: &Tensor, y: &Tensor) -> Tensor {
    let gpt = gpt(vs);
    x.apply_t(&gpt, true).view([-1, 10]).cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0)
}
";
    assert_eq!(input_origin(func), Some(Activation::LogSoftmax));
}

#[test]
fn a_helper_parameter_takes_what_every_caller_passes() {
    let source = "use tch::{Kind, Reduction, Tensor};
fn recon_loss(recon: &Tensor, x: &Tensor) -> Tensor {
    recon.binary_cross_entropy::<Tensor>(x, None, Reduction::Sum)
}
fn step(z: &Tensor, x: &Tensor) -> Tensor {
    recon_loss(&z.sigmoid(), x) + recon_loss(&z.sigmoid().view([-1]), x)
}
";
    assert_eq!(input_origin(source), Some(Activation::Sigmoid));

    // One caller passes logits: the callers disagree, unknown.
    let mixed = "use tch::{Kind, Reduction, Tensor};
fn recon_loss(recon: &Tensor, x: &Tensor) -> Tensor {
    recon.binary_cross_entropy::<Tensor>(x, None, Reduction::Sum)
}
fn step(z: &Tensor, x: &Tensor) -> Tensor {
    recon_loss(&z.sigmoid(), x) + recon_loss(z, x)
}
";
    assert_eq!(input_origin(mixed), None);
}

#[test]
fn what_stays_unknown() {
    // Two types with a `forward`: the receiver's type decides, and a generic receiver is
    // unknown.
    let source = format!(
        "{CANDLE}
struct Probs;
struct Logits {{ head: Linear }}
impl Probs {{ fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {{ ops::softmax(xs, D::Minus1) }} }}
impl Logits {{ fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {{ self.head.forward(xs) }} }}
fn step(model: &Logits, xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> {{
    loss::cross_entropy(&model.forward(xs)?, ys)
}}
"
    );
    assert_eq!(input_origin(&source), None);
    let generic = format!(
        "{CANDLE}
struct Probs;
impl Probs {{ fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {{ ops::softmax(xs, D::Minus1) }} }}
fn step<M: Module>(model: &M, xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> {{
    loss::cross_entropy(&model.forward(xs)?, ys)
}}
"
    );
    assert_eq!(input_origin(&generic), None);
    // Recursion terminates, unknown.
    let recursive = format!(
        "{CANDLE}
fn deep(xs: &Tensor, n: usize) -> candle_core::Result<Tensor> {{
    if n == 0 {{ Ok(xs.clone()) }} else {{ deep(xs, n - 1) }}
}}
fn step(xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> {{
    loss::cross_entropy(&deep(xs, 3)?, ys)
}}
"
    );
    assert_eq!(input_origin(&recursive), None);
}

#[test]
fn long_call_chains_do_not_overflow() {
    use std::fmt::Write as _;
    let mut source = String::from(CANDLE);
    source.push_str(
        "fn f0(xs: &Tensor) -> candle_core::Result<Tensor> { ops::softmax(xs, D::Minus1) }\n",
    );
    for i in 1..400 {
        let previous = i - 1;
        writeln!(
            source,
            "fn f{i}(xs: &Tensor) -> candle_core::Result<Tensor> {{ f{previous}(xs) }}"
        )
        .unwrap();
    }
    source.push_str(
        "fn step(xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> { loss::cross_entropy(&f399(xs)?, ys) }\n",
    );
    // Taken in file order, each summary is ready when its caller needs it.
    assert_eq!(input_origin(&source), Some(Activation::Softmax));

    // The other way round every call nests an analysis: the chain is followed to a fixed
    // depth, then unknown, and nothing overflows.
    let mut reversed = String::from(CANDLE);
    reversed.push_str(
        "fn step(xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> { loss::cross_entropy(&g0(xs)?, ys) }\n",
    );
    for i in 0..400 {
        let next = i + 1;
        writeln!(
            reversed,
            "fn g{i}(xs: &Tensor) -> candle_core::Result<Tensor> {{ g{next}(xs) }}"
        )
        .unwrap();
    }
    reversed.push_str(
        "fn g400(xs: &Tensor) -> candle_core::Result<Tensor> { ops::softmax(xs, D::Minus1) }\n",
    );
    assert_eq!(input_origin(&reversed), None);
}

#[test]
fn trait_paths_layers_newtypes_and_value_ops() {
    // `nn::ModuleT::forward_t(net, ..)` on a file type: its `forward_t`.
    let ufcs = "use tch::{nn, nn::ModuleT, Kind, Reduction, Tensor};
struct Net { fc: nn::Linear }
impl nn::ModuleT for Net {
    fn forward_t(&self, xs: &Tensor, _train: bool) -> Tensor { xs.apply(&self.fc).softmax(-1, Kind::Float) }
}
fn step(net: &Net, xs: &Tensor, ys: &Tensor) -> Tensor {
    let probs = nn::ModuleT::forward_t(net, xs, true);
    probs.cross_entropy_loss::<Tensor>(ys, None, Reduction::Mean, -100, 0.0)
}
";
    assert_eq!(input_origin(ufcs), Some(Activation::Softmax));

    // candle's `Activation::Sigmoid` as the last layer.
    let layer = "use candle_core::{Module, Result, Tensor};
use candle_nn::{linear, seq, Activation, VarBuilder};
fn step(vb: VarBuilder, xs: &Tensor, ys: &Tensor) -> Result<Tensor> {
    let model = seq().add(linear(2, 1, vb.pp(\"l\"))?).add(Activation::Sigmoid);
    candle_nn::loss::binary_cross_entropy_with_logit(&model.forward(xs)?, ys)
}
";
    assert_eq!(input_origin(layer), Some(Activation::Sigmoid));

    // burn's `nn::Sigmoid` module in a field.
    let module = "use burn::prelude::*;
use burn::nn::loss::BinaryCrossEntropyLossConfig;
pub struct Disc<B: Backend> { fc: nn::Linear<B>, sigmoid: nn::Sigmoid }
impl<B: Backend> Disc<B> {
    pub fn forward(&self, x: Tensor<B, 2>) -> Tensor<B, 2> { self.sigmoid.forward(self.fc.forward(x)) }
    pub fn loss(&self, x: Tensor<B, 2>, y: Tensor<B, 2, Int>) -> Tensor<B, 1> {
        let scores = self.forward(x);
        BinaryCrossEntropyLossConfig::new().with_logits(true).init(&scores.device()).forward(scores, y)
    }
}
";
    assert_eq!(input_origin(module), Some(Activation::Sigmoid));

    // A tuple struct, `clamp`, `and_then`.
    let newtype = format!(
        "{CANDLE}
pub struct TokenProbs(pub Tensor);
fn token_probs(logits: &Tensor) -> candle_core::Result<TokenProbs> {{
    Ok(TokenProbs(ops::softmax(logits, D::Minus1)?.clamp(1e-7, 1.0)?))
}}
fn step(logits: &Tensor, y: &Tensor) -> candle_core::Result<Tensor> {{
    loss::cross_entropy(&token_probs(logits)?.0, y)
}}
"
    );
    assert_eq!(input_origin(&newtype), Some(Activation::Softmax));
    let and_then = format!(
        "{CANDLE}
fn step(model: &Linear, xs: &Tensor, y: &Tensor) -> candle_core::Result<Tensor> {{
    let p = model.forward(xs).and_then(|l| ops::softmax(&l, D::Minus1))?;
    loss::cross_entropy(&p, y)
}}
"
    );
    assert_eq!(input_origin(&and_then), Some(Activation::Softmax));
}

#[test]
fn a_placeholder_field_value_does_not_hide_the_real_one() {
    let source = "use tch::{nn, Kind, Reduction, Tensor};
struct Trainer { net: nn::Linear, probs: Tensor }
impl Trainer {
    fn new(net: nn::Linear) -> Self { Trainer { net, probs: Tensor::new() } }
    fn observe(&mut self, xs: &Tensor) { self.probs = xs.apply(&self.net).softmax(-1, Kind::Float); }
    fn loss(&self, ys: &Tensor) -> Tensor {
        self.probs.cross_entropy_loss::<Tensor>(ys, None, Reduction::Mean, -100, 0.0)
    }
}
";
    assert_eq!(input_origin(source), Some(Activation::Softmax));
}

#[test]
fn epoch_counts_from_tuples_output_structs_and_per_sample_means() {
    use crate::facts::Divisor;
    let divisors = |source: &str| -> Vec<(Option<String>, Divisor)> {
        facts(source)
            .accumulations
            .iter()
            .map(|acc| (acc.reduction.clone(), acc.divisor))
            .collect()
    };
    // `let (b_size, _) = x.dims2()?` summed: a sample count.
    let dims2 = format!(
        "{CANDLE}
fn epoch(batches: &[(Tensor, Tensor)]) -> candle_core::Result<f32> {{
    let (mut total, mut seen) = (0f32, 0usize);
    for (x, y) in batches {{
        let (b_size, _seq_len) = x.dims2()?;
        total += loss::cross_entropy(x, y)?.to_scalar::<f32>()?;
        seen += b_size;
    }}
    Ok(total / seen as f32)
}}
"
    );
    assert_eq!(divisors(&dims2), [(Some("mean".into()), Divisor::Samples)]);

    // burn's `ClassificationOutput::new(loss, output, targets)` from a helper.
    let output = "use burn::nn::loss::CrossEntropyLossConfig;
use burn::train::ClassificationOutput;
struct Net;
impl Net {
    fn forward_train<B: Backend>(&self, x: Tensor<B, 2>, y: Tensor<B, 1, Int>) -> ClassificationOutput<B> {
        let loss = CrossEntropyLossConfig::new().init(&x.device()).forward(x.clone(), y.clone());
        ClassificationOutput::new(loss, x, y)
    }
    fn evaluate<B: Backend>(&self, batches: Vec<(Tensor<B, 2>, Tensor<B, 1, Int>)>, n_items: usize) -> f32 {
        let mut total = 0f32;
        for (x, y) in batches {
            total += self.forward_train(x, y).loss.into_scalar().elem::<f32>();
        }
        total / n_items as f32
    }
}
";
    assert_eq!(divisors(output), [(Some("mean".into()), Divisor::Samples)]);

    // Per-sample losses averaged by hand are a mean too.
    let none_mean = "use tch::{Kind, Reduction, Tensor};
fn epoch(batches: &[(Tensor, Tensor)]) -> f64 {
    let (mut total, mut n_samples) = (0.0, 0);
    for (x, y) in batches {
        let loss = x.cross_entropy_loss::<Tensor>(y, None, Reduction::None, -100, 0.0).mean(Kind::Float);
        total += f64::try_from(&loss).unwrap();
        n_samples += x.size()[0];
    }
    total / n_samples as f64
}
";
    assert_eq!(
        divisors(none_mean),
        [(Some("mean".into()), Divisor::Samples)]
    );
}

#[test]
fn a_tuple_struct_wrapper_is_an_instance_of_its_type() {
    let source = "use tch::{nn, Kind, Reduction, Tensor};
struct ProbNet<'a>(&'a nn::Linear);
impl ProbNet<'_> {
    fn forward_t(&self, xs: &Tensor, _train: bool) -> Tensor { xs.apply(self.0).softmax(-1, Kind::Float) }
}
fn step(net: &nn::Linear, xs: &Tensor, ys: &Tensor) -> Tensor {
    let exported = ProbNet(net);
    exported.forward_t(xs, true).cross_entropy_loss::<Tensor>(ys, None, Reduction::Mean, -100, 0.0)
}
";
    assert_eq!(input_origin(source), Some(Activation::Softmax));
}
