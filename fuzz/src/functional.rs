//! Every loss of `lossfit::functional` on small tensors with any values and options.
//!
//! Input: bytes read through `arbitrary::Unstructured`: the kernel backend (among those this
//! CPU supports), f32 or f64, which loss, then its tensors and options. Shapes have at most 4
//! dimensions of at most 6 and at most 64 elements (0 too); a tensor usually has the shape the
//! loss wants and sometimes a different one. Values come from a palette (NaN, ±inf, ±0, ±1,
//! 1e300, subnormals, ...) or are any f64; class indices are mostly in range, sometimes -100,
//! -1, the class count or any i64. Inputs are laid out in standard order, Fortran order, with an
//! axis reversed, or broadcast from a smaller array (stride 0).

use arbitrary::Unstructured;
use lossfit::functional::*;
use lossfit::kernels::{Backend, with_backend};
use lossfit::{Gradients, Loss, LossError, Real, Reduction};
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, ShapeBuilder};

type Result<T> = std::result::Result<T, LossError>;

/// Number of cases `run` knows.
const CASES: u8 = 26;

/// One loss of `lossfit::functional` (or `sample_candidates`) on tensors and options made from
/// `data`, in every form it has.
///
/// Checks: never a panic; a reduced value (mean, sum, batchmean) is 0-dimensional; every
/// gradient has the shape of its input; an error displays; the `_into`, `_in_place` and
/// `_value` forms agree exactly with the plain function (same error or none, same value, the
/// buffer equal to the input gradient) and write nothing when they fail; a non-standard layout
/// gives the same result as its standard-layout copy.
///
/// # Panics
/// When a check fails.
pub fn functional(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let supported: Vec<Backend> = Backend::ALL
        .into_iter()
        .filter(|b| b.is_supported())
        .collect();
    let backend = supported[usize::from(u.arbitrary::<u8>().unwrap_or(0)) % supported.len()];
    let double: bool = u.arbitrary().unwrap_or(false);
    let case = u.int_in_range(0..=CASES - 1).unwrap_or(0);
    with_backend(backend, || {
        if double {
            run::<f64>(case, &mut u);
        } else {
            run::<f32>(case, &mut u);
        }
    })
    .expect("a supported backend");
}

// ---------------------------------------------------------------------------------------------
// Making tensors.

/// A tensor and how it is laid out.
struct Tensor<A> {
    data: ArrayD<A>,
    /// Broadcast `data` to this shape (stride-0 axes) when viewed.
    broadcast: Option<Vec<usize>>,
}

impl<A: Clone> Tensor<A> {
    fn view(&self) -> ArrayViewD<'_, A> {
        match &self.broadcast {
            Some(shape) => self
                .data
                .broadcast(IxDyn(shape))
                .expect("made broadcastable"),
            None => self.data.view(),
        }
    }

    fn shape(&self) -> Vec<usize> {
        self.view().shape().to_vec()
    }

    /// A standard-layout copy.
    fn standard(&self) -> ArrayD<A> {
        self.view().as_standard_layout().into_owned()
    }

    /// Whether it is laid out otherwise than its standard copy.
    fn unusual(&self) -> bool {
        self.broadcast.is_some() || !self.data.is_standard_layout()
    }
}

/// A shape of at most 4 dimensions, each at most 6, at most 64 elements.
fn shape(u: &mut Unstructured<'_>) -> Vec<usize> {
    let ndim = u.int_in_range(0..=4usize).unwrap_or(1);
    let mut dims: Vec<usize> = (0..ndim)
        .map(|_| u.int_in_range(0..=6usize).unwrap_or(2))
        .collect();
    while dims.iter().product::<usize>() > 64 {
        if let Some(max) = dims.iter_mut().max() {
            *max /= 2;
        }
    }
    dims
}

/// Usually `want`; sometimes one dimension changed, one dropped or added, or any shape.
fn like(u: &mut Unstructured<'_>, want: &[usize]) -> Vec<usize> {
    let mut dims = want.to_vec();
    match u.int_in_range(0..=15u8).unwrap_or(0) {
        12 if !dims.is_empty() => {
            let i = u.choose_index(dims.len()).unwrap_or(0);
            dims[i] = u.int_in_range(0..=6usize).unwrap_or(1);
        }
        13 => {
            dims.pop();
        }
        14 if dims.len() < 4 => dims.push(u.int_in_range(0..=3usize).unwrap_or(1)),
        15 => dims = shape(u),
        _ => {}
    }
    while dims.iter().product::<usize>() > 64 {
        if let Some(max) = dims.iter_mut().max() {
            *max /= 2;
        }
    }
    dims
}

/// Any value, special ones often.
fn value(u: &mut Unstructured<'_>) -> f64 {
    match u.int_in_range(0..=19u8).unwrap_or(5) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => 0.0,
        4 => -0.0,
        5 => 1.0,
        6 => -1.0,
        7 => 0.5,
        8 => 1e-300,
        9 => 1e300,
        10 => f64::MIN_POSITIVE,
        11 => 1e-45,
        12 => 3.5e38,
        13 | 14 => u.arbitrary().unwrap_or(0.25),
        15 => f64::from(u.int_in_range(-3..=3i8).unwrap_or(0)),
        _ => f64::from(u.int_in_range(-1000..=1000i16).unwrap_or(1)) / 100.0,
    }
}

/// A value meant to lie in `[0, 1]` (a probability), sometimes outside it.
fn unit(u: &mut Unstructured<'_>) -> f64 {
    match u.int_in_range(0..=9u8).unwrap_or(0) {
        0 => value(u),
        1 => 0.0,
        2 => 1.0,
        _ => f64::from(u.int_in_range(0..=1000u16).unwrap_or(500)) / 1000.0,
    }
}

/// A label meant to be `a` or `b` (`0`/`1`, `-1`/`1`), sometimes anything.
fn label(u: &mut Unstructured<'_>, a: f64, b: f64) -> f64 {
    match u.int_in_range(0..=9u8).unwrap_or(0) {
        0 => value(u),
        1..=4 => a,
        _ => b,
    }
}

/// Which of `value`, `unit`, `label(0, 1)` or `label(-1, 1)` the elements of a tensor are.
#[derive(Clone, Copy)]
enum Kind {
    Any,
    Unit,
    Binary,
    Sign,
    Positive,
}

fn element(u: &mut Unstructured<'_>, kind: Kind) -> f64 {
    match kind {
        Kind::Any => value(u),
        Kind::Unit => unit(u),
        Kind::Binary => label(u, 0.0, 1.0),
        Kind::Sign => label(u, -1.0, 1.0),
        Kind::Positive => match u.int_in_range(0..=5u8).unwrap_or(1) {
            0 => value(u),
            _ => f64::from(u.int_in_range(1..=400u16).unwrap_or(1)) / 100.0,
        },
    }
}

/// A real tensor of `shape`, in one of the layouts.
fn tensor<T: Real>(u: &mut Unstructured<'_>, shape: &[usize], kind: Kind) -> Tensor<T> {
    let layout = u.int_in_range(0..=7u8).unwrap_or(0);
    let (made, broadcast) = if layout == 7 {
        // Broadcast from a smaller array with some axes of length 1.
        let small: Vec<usize> = shape
            .iter()
            .map(|&d| if u.arbitrary().unwrap_or(false) { 1 } else { d })
            .collect();
        (small, Some(shape.to_vec()))
    } else {
        (shape.to_vec(), None)
    };
    let n = made.iter().product();
    let values: Vec<T> = (0..n).map(|_| T::from_f64(element(u, kind))).collect();
    let mut data = match layout {
        5 => ArrayD::from_shape_vec(IxDyn(&made).f(), values),
        _ => ArrayD::from_shape_vec(IxDyn(&made), values),
    }
    .expect("length matches");
    if layout == 6 && data.ndim() > 0 {
        let axis = u.choose_index(data.ndim()).unwrap_or(0);
        data.invert_axis(Axis(axis));
    }
    if broadcast.is_some() && data.broadcast(IxDyn(shape)).is_none() {
        // Not broadcastable after all (ndarray's rules on empty axes): make it whole.
        let values: Vec<T> = (0..shape.iter().product())
            .map(|_| T::from_f64(element(u, kind)))
            .collect();
        data = ArrayD::from_shape_vec(IxDyn(shape), values).expect("length matches");
        return Tensor {
            data,
            broadcast: None,
        };
    }
    Tensor { data, broadcast }
}

/// A tensor of class indices below `classes`, sometimes -100, -1, `classes` or any `i64`.
fn indices(u: &mut Unstructured<'_>, shape: &[usize], classes: usize) -> Tensor<i64> {
    let n = shape.iter().product();
    let values: Vec<i64> = (0..n)
        .map(|_| match u.int_in_range(0..=15u8).unwrap_or(4) {
            0 => -100,
            1 => -1,
            2 => classes as i64,
            3 => u.arbitrary().unwrap_or(i64::MAX),
            _ => u.int_in_range(0..=classes.saturating_sub(1)).unwrap_or(0) as i64,
        })
        .collect();
    let mut data = ArrayD::from_shape_vec(IxDyn(shape), values).expect("length matches");
    if u.int_in_range(0..=5u8).unwrap_or(0) == 0 && data.ndim() > 0 {
        data.invert_axis(Axis(0));
    }
    Tensor {
        data,
        broadcast: None,
    }
}

fn reduction(u: &mut Unstructured<'_>) -> Reduction {
    *u.choose(&[Reduction::None, Reduction::Mean, Reduction::Sum])
        .unwrap_or(&Reduction::Mean)
}

/// An optional upstream gradient: of the per-sample shape `per_sample` for `none` (usually),
/// a scalar otherwise.
fn grad_output<T: Real>(
    u: &mut Unstructured<'_>,
    reduction: Reduction,
    per_sample: &[usize],
) -> Option<Tensor<T>> {
    if u.int_in_range(0..=3u8).unwrap_or(1) != 0 {
        return None;
    }
    let want = if reduction == Reduction::None {
        per_sample.to_vec()
    } else {
        Vec::new()
    };
    let shape = like(u, &want);
    Some(tensor(u, &shape, Kind::Any))
}

/// An optional parameter tensor (class weights, `pos_weight`, ...) of about `want`.
fn param<T: Real>(u: &mut Unstructured<'_>, want: &[usize], kind: Kind) -> Option<Tensor<T>> {
    if u.arbitrary().unwrap_or(false) {
        let shape = like(u, want);
        Some(tensor(u, &shape, kind))
    } else {
        None
    }
}

/// A scalar parameter: usually a usual value, sometimes anything.
fn number(u: &mut Unstructured<'_>, usual: f64) -> f64 {
    match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => value(u),
        1 => usual * f64::from(u.int_in_range(0..=4u8).unwrap_or(1)) / 2.0,
        _ => usual,
    }
}

// ---------------------------------------------------------------------------------------------
// Checking results.

fn same<T: Real>(a: T, b: T) -> bool {
    let (a, b) = (a.to_f64(), b.to_f64());
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()) || a == b
}

fn same_array<T: Real>(a: &ArrayViewD<'_, T>, b: &ArrayViewD<'_, T>) -> bool {
    a.shape() == b.shape() && a.iter().zip(b.iter()).all(|(&x, &y)| same(x, y))
}

/// Whether a reduction gives one number.
fn reduced(reduction: Reduction) -> bool {
    reduction != Reduction::None
}

/// The checks every result gets: the value's rank, the gradients' shapes.
fn check<T: Real, G: Gradients<T>>(
    name: &str,
    result: &Result<Loss<T, G>>,
    scalar: bool,
    inputs: &[(&str, Vec<usize>)],
) {
    match result {
        Ok(loss) => {
            if scalar {
                assert_eq!(loss.value.ndim(), 0, "{name}: a reduced value has a shape");
            }
            for (grad_name, grad) in loss.grad.named() {
                if let Some((_, shape)) = inputs.iter().find(|(n, _)| *n == grad_name) {
                    assert_eq!(
                        grad.shape(),
                        shape.as_slice(),
                        "{name}: the gradient of `{grad_name}` has another shape than it"
                    );
                }
            }
        }
        Err(err) => {
            assert!(
                !err.to_string().is_empty(),
                "{name}: an empty error message"
            );
        }
    }
}

/// The same outcome: both errors, or equal values and gradients.
fn agree<T: Real, G: Gradients<T>>(
    name: &str,
    a: &Result<Loss<T, G>>,
    b: &Result<Loss<T, G>>,
    what: &str,
) {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            assert!(
                same_array(&a.value.view(), &b.value.view()),
                "{name}: {what}: values differ: {:?} vs {:?}",
                a.value,
                b.value
            );
            for ((n, x), (_, y)) in a.grad.named().into_iter().zip(b.grad.named()) {
                assert!(
                    same_array(&x, &y),
                    "{name}: {what}: gradients of `{n}` differ: {x:?} vs {y:?}"
                );
            }
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "{name}: {what}: one fails and the other does not: {:?} vs {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
}

const SENTINEL: f64 = 7.25;

/// A gradient buffer: usually of `shape`, sometimes of another; filled with a sentinel; in
/// standard or Fortran order.
fn buffer<T: Real>(u: &mut Unstructured<'_>, shape: &[usize]) -> ArrayD<T> {
    let shape = if u.int_in_range(0..=7u8).unwrap_or(1) == 0 {
        like(u, shape)
    } else {
        shape.to_vec()
    };
    if u.arbitrary().unwrap_or(false) {
        ArrayD::from_elem(IxDyn(&shape).f(), T::from_f64(SENTINEL))
    } else {
        ArrayD::from_elem(IxDyn(&shape), T::from_f64(SENTINEL))
    }
}

/// `into` (writing a buffer) agrees with the full function's value and input gradient, and
/// writes nothing when it fails.
fn check_into<T: Real>(
    name: &str,
    u: &mut Unstructured<'_>,
    full: std::result::Result<(&ArrayD<T>, &ArrayD<T>), ()>,
    input_shape: &[usize],
    into: impl FnOnce(&mut ArrayD<T>) -> Result<ArrayD<T>>,
) {
    let mut grad = buffer::<T>(u, input_shape);
    let fits = grad.shape() == input_shape;
    let result = into(&mut grad);
    match (full, result) {
        (Ok((value, input_grad)), Ok(v)) if fits => {
            assert!(
                same_array(&v.view(), &value.view()),
                "{name}_into: value {v:?}, the plain form {value:?}"
            );
            assert!(
                same_array(&grad.view(), &input_grad.view()),
                "{name}_into: buffer {grad:?}, the plain form's gradient {input_grad:?}"
            );
        }
        (_, Err(_)) if !fits => untouched(name, "_into (buffer of another shape)", &grad),
        (Err(()), Err(_)) => untouched(name, "_into", &grad),
        (full, result) => panic!(
            "{name}_into: the plain form {} but _into {} (buffer {:?}, input {input_shape:?})",
            if full.is_ok() { "succeeds" } else { "fails" },
            match &result {
                Ok(_) => "succeeds".to_string(),
                Err(e) => format!("fails: {e}"),
            },
            grad.shape()
        ),
    }
}

fn untouched<T: Real>(name: &str, form: &str, grad: &ArrayD<T>) {
    assert!(
        grad.iter().all(|&g| same(g, T::from_f64(SENTINEL))),
        "{name}{form} failed but wrote into the buffer: {grad:?}"
    );
}

/// `in_place` (overwriting the input with its gradient) agrees with the full function, and
/// leaves the input as it was when it fails.
fn check_in_place<T: Real>(
    name: &str,
    u: &mut Unstructured<'_>,
    full: std::result::Result<(&ArrayD<T>, &ArrayD<T>), ()>,
    input: &Tensor<T>,
    in_place: impl FnOnce(&mut ArrayD<T>) -> Result<ArrayD<T>>,
) {
    let mut x = if u.arbitrary().unwrap_or(false) {
        let mut f = ArrayD::from_elem(IxDyn(&input.shape()).f(), T::default());
        f.assign(&input.view());
        f
    } else {
        input.standard()
    };
    let before = x.clone();
    let result = in_place(&mut x);
    match (full, result) {
        (Ok((value, input_grad)), Ok(v)) => {
            assert!(
                same_array(&v.view(), &value.view()),
                "{name}_in_place: value {v:?}, the plain form {value:?}"
            );
            assert!(
                same_array(&x.view(), &input_grad.view()),
                "{name}_in_place: input became {x:?}, the plain form's gradient {input_grad:?}"
            );
        }
        (Err(()), Err(_)) => assert!(
            same_array(&x.view(), &before.view()),
            "{name}_in_place failed but changed the input: {before:?} -> {x:?}"
        ),
        (full, result) => panic!(
            "{name}_in_place: the plain form {} but _in_place {}",
            if full.is_ok() { "succeeds" } else { "fails" },
            if result.is_ok() { "succeeds" } else { "fails" }
        ),
    }
}

/// The value and input gradient of a full result, for the `_into` and `_in_place` checks.
fn parts<T: Real>(
    result: &Result<Loss<T, impl HasInput<T>>>,
) -> std::result::Result<(&ArrayD<T>, &ArrayD<T>), ()> {
    result
        .as_ref()
        .map(|l| (&l.value, l.grad.input()))
        .map_err(|_| ())
}

trait HasInput<T> {
    fn input(&self) -> &ArrayD<T>;
}

impl<T> HasInput<T> for lossfit::InputGrad<T> {
    fn input(&self) -> &ArrayD<T> {
        &self.input
    }
}

impl<T> HasInput<T> for lossfit::InputTargetGrad<T> {
    fn input(&self) -> &ArrayD<T> {
        &self.input
    }
}

/// Evaluates `$call` with each tensor viewed as laid out (the result), and again on
/// standard-layout copies when any is laid out otherwise; both must agree exactly.
macro_rules! with_layouts {
    ($name:expr, [$($t:ident),+], |$($v:ident),+| $call:expr) => {{
        let result = {
            $(let $v = $t.view();)+
            $call
        };
        if false $(|| $t.unusual())+ {
            let ($($v,)+) = ($($t.standard(),)+);
            $(let $v = $v.view();)+
            let again = $call;
            agree($name, &result, &again, "standard-layout copies");
        }
        result
    }};
}

/// An element-wise loss with `_into` and `_in_place` forms (`fused_variants!`): the plain
/// form (both layouts), then the other two against it.
macro_rules! fused {
    ($name:expr, $u:ident, $x:ident, $y:ident, $options:expr, $reduction:ident,
     $f:ident, $into:ident, $in_place:ident) => {{
        let full = with_layouts!($name, [$x, $y], |xv, yv| $f(xv, yv, $options));
        check(
            $name,
            &full,
            reduced($reduction),
            &[("input", $x.shape()), ("target", $y.shape())],
        );
        let shape = $x.shape();
        check_into($name, $u, parts(&full), &shape, |g| {
            $into($x.view(), $y.view(), $options, g)
        });
        check_in_place($name, $u, parts(&full), &$x, |g| {
            $in_place(g, $y.view(), $options)
        });
    }};
}

// ---------------------------------------------------------------------------------------------
// The cases.

#[allow(clippy::too_many_lines)]
fn run<T: Real>(case: u8, u: &mut Unstructured<'_>) {
    match case {
        0 => cross_entropy_case::<T>(u),
        1 => cross_entropy_probs_case::<T>(u),
        2 => {
            let (x, t, classes) = class_inputs::<T>(u);
            let weight = param::<T>(u, &[classes], Kind::Positive);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &t.shape());
            let weight_view = weight.as_ref().map(|w| w.view());
            let options = NllOptions {
                weight: weight_view.and_then(|w| w.into_dimensionality().ok()),
                ignore_index: if u.arbitrary().unwrap_or(true) {
                    -100
                } else {
                    0
                },
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("nll_loss", [x], |xv| nll_loss(xv, t.view(), &options));
            check("nll_loss", &r, reduced(reduction), &[("input", x.shape())]);
        }
        3 => {
            let (x, t, classes) = class_inputs::<T>(u);
            let weight = param::<T>(u, &[classes], Kind::Positive);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &t.shape());
            let weight_view = weight.as_ref().map(|w| w.view());
            let options = MultiMarginOptions {
                p: *u.choose(&[1.0, 2.0, 3.0, 0.0]).unwrap_or(&1.0),
                margin: number(u, 1.0),
                weight: weight_view.and_then(|w| w.into_dimensionality().ok()),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("multi_margin_loss", [x], |xv| multi_margin_loss(
                xv,
                t.view(),
                &options
            ));
            check(
                "multi_margin_loss",
                &r,
                reduced(reduction),
                &[("input", x.shape())],
            );
        }
        4 => {
            let (x, t, classes) = class_inputs::<T>(u);
            let alpha = param::<T>(u, &[classes], Kind::Unit);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &t.shape());
            let alpha_view = alpha.as_ref().map(|w| w.view());
            let options = SoftmaxFocalOptions {
                alpha: alpha_view.and_then(|w| w.into_dimensionality().ok()),
                gamma: number(u, 2.0),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("softmax_focal_loss", [x], |xv| softmax_focal_loss(
                xv,
                t.view(),
                &options
            ));
            check(
                "softmax_focal_loss",
                &r,
                reduced(reduction),
                &[("input", x.shape())],
            );
        }
        5 => {
            let (x, y) = pair::<T>(u, Kind::Unit, Kind::Unit);
            let weight = param::<T>(u, &x.shape(), Kind::Positive);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = BceOptions {
                weight: weight.as_ref().map(Tensor::view),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("binary_cross_entropy", [x, y], |xv, yv| {
                binary_cross_entropy(xv, yv, &options)
            });
            check(
                "binary_cross_entropy",
                &r,
                reduced(reduction),
                &[("input", x.shape()), ("target", y.shape())],
            );
        }
        6 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Unit);
            let weight = param::<T>(u, &x.shape(), Kind::Positive);
            let last: Vec<usize> = x.shape().last().map(|&c| vec![c]).unwrap_or_default();
            let pos_weight = param::<T>(u, &last, Kind::Positive);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = BceWithLogitsOptions {
                weight: weight.as_ref().map(Tensor::view),
                pos_weight: pos_weight.as_ref().map(Tensor::view),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            fused!(
                "binary_cross_entropy_with_logits",
                u,
                x,
                y,
                &options,
                reduction,
                binary_cross_entropy_with_logits,
                binary_cross_entropy_with_logits_into,
                binary_cross_entropy_with_logits_in_place
            );
        }
        7 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Any);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = MseOptions {
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            fused!(
                "mse_loss",
                u,
                x,
                y,
                &options,
                reduction,
                mse_loss,
                mse_loss_into,
                mse_loss_in_place
            );
        }
        8 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Any);
            let weight = param::<T>(u, &x.shape(), Kind::Positive);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = L1Options {
                weight: weight.as_ref().map(Tensor::view),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            fused!(
                "l1_loss",
                u,
                x,
                y,
                &options,
                reduction,
                l1_loss,
                l1_loss_into,
                l1_loss_in_place
            );
        }
        9 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Any);
            let weight = param::<T>(u, &x.shape(), Kind::Positive);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = HuberOptions {
                delta: number(u, 1.0),
                weight: weight.as_ref().map(Tensor::view),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            fused!(
                "huber_loss",
                u,
                x,
                y,
                &options,
                reduction,
                huber_loss,
                huber_loss_into,
                huber_loss_in_place
            );
        }
        10 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Any);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = SmoothL1Options {
                beta: number(u, 1.0),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            fused!(
                "smooth_l1_loss",
                u,
                x,
                y,
                &options,
                reduction,
                smooth_l1_loss,
                smooth_l1_loss_into,
                smooth_l1_loss_in_place
            );
        }
        11 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Binary);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = SigmoidFocalOptions {
                alpha: number(u, 0.25),
                gamma: number(u, 2.0),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            fused!(
                "sigmoid_focal_loss",
                u,
                x,
                y,
                &options,
                reduction,
                sigmoid_focal_loss,
                sigmoid_focal_loss_into,
                sigmoid_focal_loss_in_place
            );
        }
        12 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Sign);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = SoftMarginOptions {
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("soft_margin_loss", [x, y], |xv, yv| soft_margin_loss(
                xv, yv, &options
            ));
            check(
                "soft_margin_loss",
                &r,
                reduced(reduction),
                &[("input", x.shape())],
            );
        }
        13 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Binary);
            let last: Vec<usize> = x.shape().last().map(|&c| vec![c]).unwrap_or_default();
            let weight = param::<T>(u, &last, Kind::Positive);
            let reduction = reduction(u);
            let per_sample: Vec<usize> = x.shape().first().map(|&n| vec![n]).unwrap_or_default();
            let go = grad_output::<T>(u, reduction, &per_sample);
            let options = MultilabelSoftMarginOptions {
                weight: weight.as_ref().map(Tensor::view),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("multilabel_soft_margin_loss", [x, y], |xv, yv| {
                multilabel_soft_margin_loss(xv, yv, &options)
            });
            check(
                "multilabel_soft_margin_loss",
                &r,
                reduced(reduction),
                &[("input", x.shape()), ("target", y.shape())],
            );
        }
        14 => {
            let log_target: bool = u.arbitrary().unwrap_or(false);
            let (x, y) = pair::<T>(
                u,
                Kind::Any,
                if log_target { Kind::Any } else { Kind::Unit },
            );
            let kl = *u
                .choose(&[
                    KlReduction::None,
                    KlReduction::Mean,
                    KlReduction::Sum,
                    KlReduction::BatchMean,
                ])
                .unwrap_or(&KlReduction::Mean);
            let go = grad_output::<T>(
                u,
                if kl == KlReduction::None {
                    Reduction::None
                } else {
                    Reduction::Mean
                },
                &x.shape(),
            );
            let options = KlDivOptions {
                reduction: kl,
                log_target,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("kl_div", [x, y], |xv, yv| kl_div(xv, yv, &options));
            check(
                "kl_div",
                &r,
                kl != KlReduction::None,
                &[("input", x.shape()), ("target", y.shape())],
            );
        }
        15 => {
            let log_input: bool = u.arbitrary().unwrap_or(true);
            let (x, y) = pair::<T>(
                u,
                if log_input { Kind::Any } else { Kind::Positive },
                Kind::Positive,
            );
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = PoissonNllOptions {
                log_input,
                full: u.arbitrary().unwrap_or(false),
                eps: number(u, 1e-8),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("poisson_nll_loss", [x, y], |xv, yv| poisson_nll_loss(
                xv, yv, &options
            ));
            check(
                "poisson_nll_loss",
                &r,
                reduced(reduction),
                &[("input", x.shape()), ("target", y.shape())],
            );
        }
        16 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Any);
            let var_shape = like(u, &x.shape());
            let var = tensor::<T>(u, &var_shape, Kind::Positive);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = GaussianNllOptions {
                full: u.arbitrary().unwrap_or(false),
                eps: number(u, 1e-6),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("gaussian_nll_loss", [x, y, var], |xv, yv, vv| {
                gaussian_nll_loss(xv, yv, vv, &options)
            });
            check(
                "gaussian_nll_loss",
                &r,
                reduced(reduction),
                &[
                    ("input", x.shape()),
                    ("target", y.shape()),
                    ("var", var.shape()),
                ],
            );
        }
        17 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Any);
            let var = element(u, Kind::Positive);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = GaussianNllOptions {
                full: u.arbitrary().unwrap_or(false),
                eps: number(u, 1e-6),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("gaussian_nll_loss_scalar_var", [x, y], |xv, yv| {
                gaussian_nll_loss_scalar_var(xv, yv, var, &options)
            });
            check(
                "gaussian_nll_loss_scalar_var",
                &r,
                reduced(reduction),
                &[("input", x.shape()), ("target", y.shape())],
            );
        }
        18 => {
            let (x, y) = pair::<T>(u, Kind::Any, Kind::Sign);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &x.shape());
            let options = HingeEmbeddingOptions {
                margin: number(u, 1.0),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("hinge_embedding_loss", [x, y], |xv, yv| {
                hinge_embedding_loss(xv, yv, &options)
            });
            check(
                "hinge_embedding_loss",
                &r,
                reduced(reduction),
                &[("input", x.shape())],
            );
        }
        19 => {
            let (a, b, t) = triple::<T>(u, Kind::Binary);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &t.shape());
            let options = ContrastiveOptions {
                margin: number(u, 1.0),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!(
                "contrastive_loss",
                [a, b, t],
                |av, bv, tv| contrastive_loss(av, bv, tv, &options)
            );
            check(
                "contrastive_loss",
                &r,
                reduced(reduction),
                &[
                    ("input1", a.shape()),
                    ("input2", b.shape()),
                    ("target", t.shape()),
                ],
            );
        }
        20 => {
            let (a, b, t) = triple::<T>(u, Kind::Sign);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &t.shape());
            let options = CosineEmbeddingOptions {
                margin: number(u, 0.0),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("cosine_embedding_loss", [a, b, t], |av, bv, tv| {
                cosine_embedding_loss(av, bv, tv, &options)
            });
            check(
                "cosine_embedding_loss",
                &r,
                reduced(reduction),
                &[("input1", a.shape()), ("input2", b.shape())],
            );
        }
        21 => {
            let n = shape(u);
            let n: Vec<usize> = n.into_iter().take(1).collect();
            let a = tensor::<T>(u, &n, Kind::Any);
            let b_shape = like(u, &n);
            let b = tensor::<T>(u, &b_shape, Kind::Any);
            let t_shape = like(u, &n);
            let t = tensor::<T>(u, &t_shape, Kind::Sign);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &n);
            let options = MarginRankingOptions {
                margin: number(u, 0.0),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("margin_ranking_loss", [a, b, t], |av, bv, tv| {
                margin_ranking_loss(av, bv, tv, &options)
            });
            check(
                "margin_ranking_loss",
                &r,
                reduced(reduction),
                &[
                    ("input1", a.shape()),
                    ("input2", b.shape()),
                    ("target", t.shape()),
                ],
            );
        }
        22 => {
            let base = matrix_shape(u);
            let a = tensor::<T>(u, &base, Kind::Any);
            let p_shape = like(u, &base);
            let p = tensor::<T>(u, &p_shape, Kind::Any);
            let n_shape = like(u, &base);
            let n = tensor::<T>(u, &n_shape, Kind::Any);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &base[..1]);
            let options = TripletMarginOptions {
                margin: number(u, 1.0),
                p: number(u, 2.0),
                eps: number(u, 1e-6),
                swap: u.arbitrary().unwrap_or(false),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("triplet_margin_loss", [a, p, n], |av, pv, nv| {
                triplet_margin_loss(av, pv, nv, &options)
            });
            check(
                "triplet_margin_loss",
                &r,
                reduced(reduction),
                &[
                    ("anchor", a.shape()),
                    ("positive", p.shape()),
                    ("negative", n.shape()),
                ],
            );
        }
        23 => {
            let base = matrix_shape(u);
            let q = tensor::<T>(u, &base, Kind::Any);
            let k_shape = like(u, &base);
            let k = tensor::<T>(u, &k_shape, Kind::Any);
            let reduction = reduction(u);
            let go = grad_output::<T>(u, reduction, &base[..1]);
            let options = InfoNceOptions {
                temperature: number(u, 0.1),
                reduction,
                grad_output: go.as_ref().map(Tensor::view),
            };
            let r = with_layouts!("info_nce", [q, k], |qv, kv| info_nce(qv, kv, &options));
            check(
                "info_nce",
                &r,
                reduced(reduction),
                &[("query", q.shape()), ("key", k.shape())],
            );
        }
        24 => sampled_softmax_case::<T>(u),
        _ => sample_candidates_case(u),
    }
}

/// A shape `[N, D]` (sometimes of another rank).
fn matrix_shape(u: &mut Unstructured<'_>) -> Vec<usize> {
    let n = u.int_in_range(0..=6usize).unwrap_or(2);
    let d = u.int_in_range(0..=6usize).unwrap_or(3);
    let shape = vec![n, d];
    let mut shape = like(u, &shape);
    if shape.is_empty() {
        shape.push(1);
    }
    shape
}

/// Two tensors of (usually) one shape.
fn pair<T: Real>(u: &mut Unstructured<'_>, a: Kind, b: Kind) -> (Tensor<T>, Tensor<T>) {
    let s = shape(u);
    let x = tensor(u, &s, a);
    let t = like(u, &s);
    (x, tensor(u, &t, b))
}

/// `[N, D]`, `[N, D]` and a target `[N]`.
fn triple<T: Real>(u: &mut Unstructured<'_>, kind: Kind) -> (Tensor<T>, Tensor<T>, Tensor<T>) {
    let base = matrix_shape(u);
    let a = tensor(u, &base, Kind::Any);
    let b_shape = like(u, &base);
    let b = tensor(u, &b_shape, Kind::Any);
    let t_shape = like(u, &base[..1]);
    let t = tensor(u, &t_shape, kind);
    (a, b, t)
}

/// Logits `[N, C, d..]` or `[C]` and class indices `[N, d..]` or `[]`, and `C`.
fn class_inputs<T: Real>(u: &mut Unstructured<'_>) -> (Tensor<T>, Tensor<i64>, usize) {
    let s = shape(u);
    let x = tensor(u, &s, Kind::Any);
    let (classes, target) = match s.len() {
        0 => (0, Vec::new()),
        1 => (s[0], Vec::new()),
        _ => {
            let mut t = s.clone();
            t.remove(1);
            (s[1], t)
        }
    };
    let t = like(u, &target);
    (x, indices(u, &t, classes), classes)
}

/// The per-sample shape of a class-index loss: the target's.
fn cross_entropy_case<T: Real>(u: &mut Unstructured<'_>) {
    let (x, t, classes) = class_inputs::<T>(u);
    let weight = param::<T>(u, &[classes], Kind::Positive);
    let reduction = reduction(u);
    let go = grad_output::<T>(u, reduction, &t.shape());
    let weight_view = weight.as_ref().map(|w| w.view());
    let options = CrossEntropyOptions {
        weight: weight_view.and_then(|w| w.into_dimensionality().ok()),
        ignore_index: if u.arbitrary().unwrap_or(true) {
            -100
        } else {
            -1
        },
        label_smoothing: if u.arbitrary().unwrap_or(true) {
            0.0
        } else {
            unit(u)
        },
        reduction,
        grad_output: go.as_ref().map(Tensor::view),
    };
    let name = "cross_entropy";
    let full = with_layouts!(name, [x], |xv| cross_entropy(xv, t.view(), &options));
    check(name, &full, reduced(reduction), &[("input", x.shape())]);
    let value = cross_entropy_value(x.view(), t.view(), &options);
    match (&full, value) {
        (Ok(loss), Ok(v)) => assert!(
            same_array(&v.view(), &loss.value.view()),
            "cross_entropy_value: {v:?}, the plain form {:?}",
            loss.value
        ),
        (Err(_), Err(_)) => {}
        (full, value) => panic!(
            "cross_entropy_value {} but the plain form {}",
            if value.is_ok() { "succeeds" } else { "fails" },
            if full.is_ok() { "succeeds" } else { "fails" }
        ),
    }
    let shape = x.shape();
    check_into(name, u, parts(&full), &shape, |g| {
        cross_entropy_into(x.view(), t.view(), &options, g)
    });
    check_in_place(name, u, parts(&full), &x, |g| {
        cross_entropy_in_place(g, t.view(), &options)
    });
}

fn cross_entropy_probs_case<T: Real>(u: &mut Unstructured<'_>) {
    let s = shape(u);
    let x = tensor::<T>(u, &s, Kind::Any);
    let t_shape = like(u, &s);
    let y = tensor::<T>(u, &t_shape, Kind::Unit);
    let classes = match s.len() {
        0 => 0,
        1 => s[0],
        _ => s[1],
    };
    let per_sample: Vec<usize> = match s.len() {
        0 | 1 => Vec::new(),
        _ => {
            let mut p = s.clone();
            p.remove(1);
            p
        }
    };
    let weight = param::<T>(u, &[classes], Kind::Positive);
    let reduction = reduction(u);
    let go = grad_output::<T>(u, reduction, &per_sample);
    let weight_view = weight.as_ref().map(|w| w.view());
    let options = CrossEntropyOptions {
        weight: weight_view.and_then(|w| w.into_dimensionality().ok()),
        label_smoothing: if u.arbitrary().unwrap_or(true) {
            0.0
        } else {
            unit(u)
        },
        reduction,
        grad_output: go.as_ref().map(Tensor::view),
        ..CrossEntropyOptions::default()
    };
    let name = "cross_entropy_probs";
    let full = with_layouts!(name, [x, y], |xv, yv| cross_entropy_probs(xv, yv, &options));
    check(
        name,
        &full,
        reduced(reduction),
        &[("input", x.shape()), ("target", y.shape())],
    );
    check_into(name, u, parts(&full), &x.shape(), |g| {
        cross_entropy_probs_into(x.view(), y.view(), &options, g)
    });
}

fn sampled_softmax_case<T: Real>(u: &mut Unstructured<'_>) {
    let inputs_shape = matrix_shape(u);
    let inputs = tensor::<T>(u, &inputs_shape, Kind::Any);
    let vocab = u.int_in_range(0..=8usize).unwrap_or(4);
    let weights_shape = like(u, &[vocab, inputs_shape.get(1).copied().unwrap_or(1)]);
    let weights = tensor::<T>(u, &weights_shape, Kind::Any);
    let labels_shape = like(u, &inputs_shape[..1]);
    let labels = indices(u, &labels_shape, vocab);
    let biases = param::<T>(u, &[vocab], Kind::Any);
    let reduction = reduction(u);
    let go = grad_output::<T>(u, reduction, &inputs_shape[..1]);
    let biases_view = biases.as_ref().map(|b| b.view());
    let options = SampledSoftmaxOptions {
        biases: biases_view.and_then(|b| b.into_dimensionality().ok()),
        num_sampled: u.int_in_range(0..=12usize).unwrap_or(2),
        sampler: if u.arbitrary().unwrap_or(false) {
            Sampler::Uniform
        } else {
            Sampler::LogUniform
        },
        unique: u.arbitrary().unwrap_or(true),
        seed: u.arbitrary().unwrap_or(0),
        remove_accidental_hits: u.arbitrary().unwrap_or(true),
        subtract_log_q: u.arbitrary().unwrap_or(true),
        reduction,
        grad_output: go.as_ref().map(Tensor::view),
    };
    let result = sampled_softmax_loss(inputs.view(), weights.view(), labels.view(), &options);
    match result {
        Ok(loss) => {
            if reduced(reduction) {
                assert_eq!(loss.value.ndim(), 0, "sampled_softmax_loss: reduced value");
            }
            assert_eq!(loss.grad.inputs.shape(), inputs.shape().as_slice());
            assert_eq!(
                loss.grad.weights.values.nrows(),
                loss.grad.weights.rows.len()
            );
            // Ok: `weights` is a matrix, one row per class.
            let classes = weights.shape()[0];
            assert!(loss.grad.weights.rows.iter().all(|&r| r < classes));
            assert_eq!(loss.grad.sample.sampled.len(), options.num_sampled);
        }
        Err(err) => assert!(!err.to_string().is_empty()),
    }
}

fn sample_candidates_case(u: &mut Unstructured<'_>) {
    let num_classes = match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => u.arbitrary().unwrap_or(usize::MAX),
        _ => u.int_in_range(0..=100usize).unwrap_or(10),
    };
    let num_sampled = u.int_in_range(0..=64usize).unwrap_or(4);
    let sampler = if u.arbitrary().unwrap_or(false) {
        Sampler::Uniform
    } else {
        Sampler::LogUniform
    };
    let unique: bool = u.arbitrary().unwrap_or(true);
    let seed: u64 = u.arbitrary().unwrap_or(0);
    let true_count = u.int_in_range(0..=4usize).unwrap_or(0);
    let true_classes: Vec<usize> = (0..true_count)
        .map(|_| match u.int_in_range(0..=4u8).unwrap_or(0) {
            0 => u.arbitrary().unwrap_or(0),
            _ => u.int_in_range(0..=num_classes.min(100)).unwrap_or(0),
        })
        .collect();
    // Unique draws of nearly the whole of a large vocabulary take unboundedly many tries; keep
    // the vocabulary well above the draws or small.
    if unique && num_sampled * 4 > num_classes && num_classes > 100 {
        return;
    }
    match sample_candidates(
        sampler,
        num_classes,
        num_sampled,
        unique,
        seed,
        &true_classes,
    ) {
        Ok(sample) => {
            assert_eq!(sample.sampled.len(), num_sampled);
            assert!(sample.sampled.iter().all(|&c| c < num_classes));
            if unique {
                let mut s = sample.sampled.clone();
                s.sort_unstable();
                s.dedup();
                assert_eq!(
                    s.len(),
                    num_sampled,
                    "unique draws repeat: {:?}",
                    sample.sampled
                );
            }
            assert!(sample.num_tries >= num_sampled);
            assert_eq!(sample.sampled_expected_count.len(), num_sampled);
            assert_eq!(sample.true_expected_count.len(), true_classes.len());
            for e in sample
                .sampled_expected_count
                .iter()
                .chain(&sample.true_expected_count)
            {
                assert!(
                    e.is_finite() && *e >= 0.0,
                    "expected count {e} in {sample:?}"
                );
            }
        }
        Err(err) => assert!(!err.to_string().is_empty()),
    }
}
