//! Kullback-Leibler divergence (`kl_div`), with its own reduction that adds `batchmean`.

use ndarray::ArrayViewD;

use super::multi_margin::round_to;
use super::reduce::reduce;
use crate::tensor::{Dense, expect_same_shape, to_array};
use crate::{AsTensor, InputTargetGrad, Loss, Real, Reduction, Result};

const NAME: &str = "kl_div";

/// How [`kl_div`] combines its pointwise terms: [`Reduction`] plus `batchmean`.
///
/// The default is [`KlReduction::Mean`], PyTorch's default, which divides by the number of
/// *elements* and so is not the KL divergence: for `(N, C)` distributions it is the divergence
/// divided by `C`. PyTorch warns about it, and `losslint` reports it as LL008
/// (kl-div-mean-reduction). [`KlReduction::BatchMean`] (the sum divided by the batch size) is
/// the mathematically right choice; the default stays `Mean` only to match PyTorch.
///
/// ```
/// use lossfit::functional::KlReduction;
/// assert_eq!(KlReduction::default(), KlReduction::Mean);
/// assert_eq!("batchmean".parse::<KlReduction>(), Ok(KlReduction::BatchMean));
/// assert_eq!(KlReduction::from(lossfit::Reduction::Sum), KlReduction::Sum);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KlReduction {
    /// One value per element (PyTorch `reduction="none"`).
    None,
    /// The sum divided by the number of elements (`"mean"`, PyTorch's default; LL008).
    #[default]
    Mean,
    /// The sum over elements (`"sum"`).
    Sum,
    /// The sum divided by `input.shape[0]`, the batch size (`"batchmean"`): the KL divergence
    /// per sample. A 0-dimensional input has no batch dimension, so it is the plain sum.
    BatchMean,
}

impl KlReduction {
    /// PyTorch's spelling: `"none"`, `"mean"`, `"sum"` or `"batchmean"`.
    ///
    /// ```
    /// assert_eq!(lossfit::functional::KlReduction::BatchMean.as_str(), "batchmean");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            KlReduction::None => "none",
            KlReduction::Mean => "mean",
            KlReduction::Sum => "sum",
            KlReduction::BatchMean => "batchmean",
        }
    }

    /// The shared reduction and the Mean divisor this reduction stands for, for an input of
    /// `shape`.
    fn as_reduction(self, shape: &[usize]) -> (Reduction, Option<f64>) {
        match (self, shape.first()) {
            (KlReduction::None, _) => (Reduction::None, None),
            (KlReduction::Mean, _) => (Reduction::Mean, None),
            (KlReduction::Sum, _) | (KlReduction::BatchMean, None) => (Reduction::Sum, None),
            (KlReduction::BatchMean, Some(&batch)) => (Reduction::Mean, Some(batch as f64)),
        }
    }
}

impl From<Reduction> for KlReduction {
    fn from(reduction: Reduction) -> Self {
        match reduction {
            Reduction::None => KlReduction::None,
            Reduction::Mean => KlReduction::Mean,
            Reduction::Sum => KlReduction::Sum,
        }
    }
}

impl std::fmt::Display for KlReduction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for KlReduction {
    type Err = String;

    /// Parses PyTorch's spelling.
    ///
    /// ```
    /// use lossfit::functional::KlReduction;
    /// assert_eq!("none".parse::<KlReduction>(), Ok(KlReduction::None));
    /// assert!("average".parse::<KlReduction>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(KlReduction::None),
            "mean" => Ok(KlReduction::Mean),
            "sum" => Ok(KlReduction::Sum),
            "batchmean" => Ok(KlReduction::BatchMean),
            other => Err(format!(
                "unknown kl_div reduction `{other}`: expected `none`, `mean`, `sum` or \
                 `batchmean` (the KL divergence per sample)"
            )),
        }
    }
}

/// Options of [`kl_div`] (PyTorch's keywords and defaults).
///
/// ```
/// use lossfit::functional::{KlDivOptions, KlReduction};
///
/// let options = KlDivOptions::<f32> { reduction: KlReduction::BatchMean, ..Default::default() };
/// assert!(!options.log_target);
/// ```
#[derive(Clone, Debug, Default)]
pub struct KlDivOptions<'a, T> {
    /// Default [`KlReduction::Mean`] as in PyTorch; [`KlReduction::BatchMean`] is the true KL
    /// divergence per sample (see [`KlReduction`]).
    pub reduction: KlReduction,
    /// `false` (default): `target` holds probabilities; `true`: log-probabilities.
    pub log_target: bool,
    /// Upstream gradient (see [`Loss`]); unset means ones.
    pub grad_output: Option<ArrayViewD<'a, T>>,
}

/// Pointwise Kullback-Leibler divergence of `target` from `exp(input)`
/// (`torch.nn.functional.kl_div`): `input` holds log-probabilities.
///
/// ```text
/// log_target = false:  l = xlogy(t, t) - t * x       xlogy(0, y) = 0 unless y is NaN
///     d l / d x = -t
///     d l / d t = log t + 1 - x                     (NaN at t == 0, as PyTorch's autograd)
/// log_target = true:   l = exp(t) * (t - x)
///     d l / d x = -exp(t)
///     d l / d t = exp(t) * (t - x) + exp(t)
/// none: l;  sum: sum l;  mean: sum l / numel;  batchmean: sum l / input.shape[0]
/// ```
/// The derivatives are evaluated the way PyTorch's autograd evaluates its decomposition, so
/// the non-finite cases agree with PyTorch:
/// - a target of 0 gives a loss term of 0 (`0 * log 0 = 0`) but a NaN target gradient, whatever
///   the upstream gradient (autograd's `grad * t / t`; the true one-sided derivative is `-inf`);
/// - a negative target gives a NaN loss term and target gradient (the log of a negative
///   number), while the input gradient `-t` stays finite;
/// - with `log_target`, a target of `-inf` gives NaN (`0 * inf`); `exp(t)` is evaluated in the
///   element type, so for `f32` it overflows to `inf` where PyTorch's does (`t > ~88.7`), giving
///   PyTorch's `inf * 0 = NaN` at `t == x` and `-inf + inf = NaN` in the target gradient when
///   `t - x < 0`.
///
/// # Shapes
/// `input` and `target` of the same, arbitrary shape (PyTorch broadcasts; lossfit does not).
/// The value is a scalar, or of the input's shape for [`KlReduction::None`]; both gradients
/// have the input's shape.
///
/// # Errors
/// [`LossError::Shape`](crate::LossError::Shape) when the shapes differ or `grad_output` does
/// not fit the value. Targets outside `[0, 1]` are not errors: PyTorch computes them (NaN for
/// negative targets), and so does lossfit.
///
/// ```
/// use lossfit::functional::{kl_div, KlDivOptions, KlReduction};
/// use ndarray::array;
///
/// let log_q = array![[0.5_f64.ln(), 0.5_f64.ln()]];
/// let p = array![[0.25_f64, 0.75]];
/// let options = KlDivOptions { reduction: KlReduction::BatchMean, ..Default::default() };
/// let loss = kl_div(&log_q, &p, &options)?;
/// let expected = 0.25 * (0.25_f64 / 0.5).ln() + 0.75 * (0.75_f64 / 0.5).ln();
/// assert!((loss.scalar().unwrap() - expected).abs() < 1e-15);
/// assert_eq!(loss.grad.input, array![[-0.25, -0.75]].into_dyn());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn kl_div<'a, T: Real>(
    input: impl AsTensor<'a, T>,
    target: impl AsTensor<'a, T>,
    options: &KlDivOptions<'_, T>,
) -> Result<Loss<T, InputTargetGrad<T>>> {
    let (input, target) = (input.as_tensor(), target.as_tensor());
    expect_same_shape(NAME, ("input", input.shape()), ("target", target.shape()))?;
    let (x, t) = (Dense::from_view(&input), Dense::from_view(&target));
    let pairs = || x.data.iter().copied().zip(t.data.iter().copied());
    let elems = if options.log_target {
        pairs().map(|(x, t)| exp_in::<T>(t) * (t - x)).collect()
    } else {
        pairs().map(|(x, t)| xlogy(t, t) - t * x).collect()
    };
    let (reduction, divisor) = options.reduction.as_reduction(&x.shape);
    let reduced = reduce(
        NAME,
        elems,
        &x.shape,
        reduction,
        divisor,
        options.grad_output.as_ref(),
    )?;

    let mut grad_input = Vec::with_capacity(x.data.len());
    let mut grad_target = Vec::with_capacity(x.data.len());
    for (i, (x, t)) in pairs().enumerate() {
        let g = reduced.seed.at(i);
        if options.log_target {
            let e = exp_in::<T>(t);
            grad_input.push(-(g * e));
            grad_target.push(g * (t - x) * e + g * e);
        } else {
            // d xlogy(t, t): the first argument's part is masked to 0 at t == 0, the second's
            // is g * t / t (NaN at t == 0).
            let first = if t == 0.0 { 0.0 } else { xlogy(g, t) };
            grad_input.push(-(g * t));
            grad_target.push(first + g * t / t - g * x);
        }
    }
    Ok(Loss {
        value: reduced.value,
        grad: InputTargetGrad {
            input: to_array(&x.shape, grad_input),
            target: to_array(&x.shape, grad_target),
        },
    })
}

/// `exp(t)` as the element type holds it: for `f32` it overflows to `inf` above `t ~ 88.7`,
/// where PyTorch's does, so `inf * 0` and `inf - inf` give PyTorch's NaN rather than a huge
/// finite `f64` that only becomes `inf` when rounded at the end.
fn exp_in<T: Real>(t: f64) -> f64 {
    round_to::<T>(t.exp())
}

/// `a * ln(b)` with `0 * ln(b) = 0` for every `b` but NaN (`torch.xlogy`).
fn xlogy(a: f64, b: f64) -> f64 {
    if b.is_nan() {
        f64::NAN
    } else if a == 0.0 {
        0.0
    } else {
        a * b.ln()
    }
}
