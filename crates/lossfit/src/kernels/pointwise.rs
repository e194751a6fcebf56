//! The streaming driver of element-wise losses (MSE, L1, Smooth L1, Huber, BCE-with-logits,
//! sigmoid focal): one pass that reads input and target, accumulates the loss in `f64` lanes
//! and writes the gradient, with the per-element weight, positive-class weight and upstream
//! gradient applied in the same pass.
//!
//! The math of each loss is its [`Pointwise`] implementation, in the loss's own module.

use super::backend::{Backend, Isa, Kernel, execute};
use super::chunks::{Plan, run_chunks};
use super::float::Float;
use super::lanes::{LANES, hsum_wide, load, store};

/// Chunks of 16 whose losses are summed in the element type before widening to `f64`.
const FLUSH_CHUNKS: usize = 16;

/// The element-wise math of one loss, generic over the element type.
pub(crate) trait Pointwise<F: Float>: Sync {
    /// `(loss, g * d loss / d x)` of one element, where `g` is the element's upstream factor
    /// (seed times weight; each loss applies it where PyTorch's autograd does, which fixes the
    /// rounding) and `pw` the positive-class weight (1 when unset).
    fn forward<I: Isa>(&self, x: F, y: F, pw: F, g: F) -> (F, F);
    /// `g * d loss / d y`. Only called when the target's gradient is wanted.
    fn d_target<I: Isa>(&self, x: F, y: F, pw: F, g: F) -> F;
}

/// A per-element parameter as the driver reads it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Param<'a, F> {
    /// Not given: 1 everywhere.
    Unset,
    /// One value per element.
    Full(&'a [F]),
    /// One value per position along the last axis, repeated for every row.
    PerColumn(&'a [F]),
}

impl<'a, F> Param<'a, F> {
    fn segment(self, start: usize, end: usize) -> Param<'a, F> {
        match self {
            Param::Full(p) => Param::Full(&p[start..end]),
            other => other,
        }
    }
}

/// The upstream factor of each element's gradient.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Seed<'a, F> {
    /// The same for every element (`grad_output / divisor` of a reduced loss).
    Uniform(F),
    /// One per element (the upstream gradient of an unreduced loss).
    PerElement(&'a [F]),
}

/// Where the input comes from and where the results go.
#[derive(Debug)]
pub(crate) struct Buffers<'a, F> {
    /// The input, or `None` when it is in `grad_input` (computed in place).
    pub(crate) input: Option<&'a [F]>,
    pub(crate) target: &'a [F],
    pub(crate) grad_input: Option<&'a mut [F]>,
    pub(crate) grad_target: Option<&'a mut [F]>,
    /// Per-element losses (weighted), for an unreduced loss.
    pub(crate) values: Option<&'a mut [F]>,
}

/// Runs `loss` over every element and returns the sum of the (weighted) losses.
pub(crate) fn run<F: Float, L: Pointwise<F>>(
    backend: Backend,
    loss: &L,
    weight: Param<'_, F>,
    pos_weight: Param<'_, F>,
    seed: Seed<'_, F>,
    buffers: Buffers<'_, F>,
) -> f64 {
    let len = buffers.target.len();
    // Rows follow the last axis when a parameter repeats along it, so that a row's parameters
    // are one contiguous slice; otherwise any split will do.
    let row_len = match (weight, pos_weight) {
        (Param::PerColumn(p), _) | (_, Param::PerColumn(p)) => p.len().max(1),
        _ => 1,
    };
    let plan = Plan::new(len / row_len, row_len);
    let Buffers {
        input,
        target,
        grad_input,
        grad_target,
        values,
    } = buffers;
    run_chunks(
        plan,
        [grad_input, grad_target, values],
        None::<&mut [()]>,
        &|chunk| {
            let (start, end) = (chunk.rows.start * row_len, chunk.rows.end * row_len);
            let [grad_input, grad_target, values] = chunk.elems;
            let segment = Segment {
                loss,
                row_len,
                weight: weight.segment(start, end),
                pos_weight: pos_weight.segment(start, end),
                seed: match seed {
                    Seed::PerElement(s) => Seed::PerElement(&s[start..end]),
                    uniform @ Seed::Uniform(_) => uniform,
                },
                input: input.map(|x| &x[start..end]),
                target: &target[start..end],
                grad_input,
                grad_target,
                values,
            };
            execute(backend, segment)
        },
    )
}

/// One chunk of elements, run as a [`Kernel`] so that it is compiled per backend.
struct Segment<'s, 'a, F, L> {
    loss: &'s L,
    row_len: usize,
    weight: Param<'a, F>,
    pos_weight: Param<'a, F>,
    seed: Seed<'a, F>,
    input: Option<&'a [F]>,
    target: &'a [F],
    grad_input: Option<&'a mut [F]>,
    grad_target: Option<&'a mut [F]>,
    values: Option<&'a mut [F]>,
}

impl<F: Float, L: Pointwise<F>> Kernel for Segment<'_, '_, F, L> {
    type Output = f64;

    #[inline(always)]
    fn run<I: Isa>(mut self) -> f64 {
        let len = self.target.len();
        let mut acc = [0.0_f64; LANES];
        // PerColumn parameters restart at every row; elsewhere one row is the whole chunk.
        let per_column = matches!(self.weight, Param::PerColumn(_))
            || matches!(self.pos_weight, Param::PerColumn(_));
        let row_len = if per_column { self.row_len } else { len.max(1) };
        let mut row_start = 0;
        while row_start < len {
            let row_end = (row_start + row_len).min(len);
            self.row::<I>(row_start, row_end, &mut acc);
            row_start = row_end;
        }
        hsum_wide(acc)
    }
}

/// Reads 16 values of a parameter for elements `i..i + 16` of a row starting at `row_start`.
#[inline(always)]
fn param_lanes<F: Float>(p: Param<'_, F>, row_start: usize, i: usize) -> [F; LANES] {
    match p {
        Param::Unset => [F::c(1.0); LANES],
        Param::Full(v) => load(v, row_start + i),
        Param::PerColumn(v) => load(v, i),
    }
}

#[inline(always)]
fn param_at<F: Float>(p: Param<'_, F>, row_start: usize, i: usize) -> F {
    match p {
        Param::Unset => F::c(1.0),
        Param::Full(v) => v[row_start + i],
        Param::PerColumn(v) => v[i],
    }
}

impl<F: Float, L: Pointwise<F>> Segment<'_, '_, F, L> {
    /// Elements `start..end`, whose per-column parameters start at column 0.
    #[inline(always)]
    fn row<I: Isa>(&mut self, start: usize, end: usize, acc: &mut [f64; LANES]) {
        let n = end - start;
        let chunks = n / LANES;
        // Losses are summed in `F` lanes over 16 chunks (256 elements), then widened into the
        // `f64` lanes: widening every chunk would make the vectoriser work at the `f64` width
        // (half the lanes) for the whole loss.
        let mut narrow = [F::c(0.0); LANES];
        for k in 0..chunks {
            if k % FLUSH_CHUNKS == 0 && k > 0 {
                for j in 0..LANES {
                    acc[j] += narrow[j].wide();
                }
                narrow = [F::c(0.0); LANES];
            }
            let i = k * LANES;
            let at = start + i;
            let x = match (self.input, self.grad_input.as_deref()) {
                (Some(x), _) => load(x, at),
                (None, Some(g)) => load(g, at),
                (None, None) => unreachable!("an in-place loss has its input in grad_input"),
            };
            let y = load(self.target, at);
            let w = param_lanes(self.weight, start, i);
            let pw = param_lanes(self.pos_weight, start, i);
            let s = match self.seed {
                Seed::Uniform(s) => [s; LANES],
                Seed::PerElement(v) => load(v, at),
            };
            let mut loss = [F::c(0.0); LANES];
            let mut dx = [F::c(0.0); LANES];
            for j in 0..LANES {
                let (l, d) = self.loss.forward::<I>(x[j], y[j], pw[j], s[j] * w[j]);
                loss[j] = l * w[j];
                dx[j] = d;
                narrow[j] = narrow[j] + loss[j];
            }
            if let Some(values) = self.values.as_deref_mut() {
                store(values, at, &loss);
            }
            if let Some(gt) = self.grad_target.as_deref_mut() {
                let mut dy = [F::c(0.0); LANES];
                for j in 0..LANES {
                    dy[j] = self.loss.d_target::<I>(x[j], y[j], pw[j], s[j] * w[j]);
                }
                store(gt, at, &dy);
            }
            if let Some(gi) = self.grad_input.as_deref_mut() {
                store(gi, at, &dx);
            }
        }
        for j in 0..LANES {
            acc[j] += narrow[j].wide();
        }
        for (j, i) in (chunks * LANES..n).enumerate() {
            let at = start + i;
            let x = match (self.input, self.grad_input.as_deref()) {
                (Some(x), _) => x[at],
                (None, Some(g)) => g[at],
                (None, None) => unreachable!("an in-place loss has its input in grad_input"),
            };
            let y = self.target[at];
            let w = param_at(self.weight, start, i);
            let pw = param_at(self.pos_weight, start, i);
            let s = match self.seed {
                Seed::Uniform(s) => s,
                Seed::PerElement(v) => v[at],
            };
            let (l, d) = self.loss.forward::<I>(x, y, pw, s * w);
            let l = l * w;
            acc[j] += l.wide();
            if let Some(values) = self.values.as_deref_mut() {
                values[at] = l;
            }
            if let Some(gt) = self.grad_target.as_deref_mut() {
                gt[at] = self.loss.d_target::<I>(x, y, pw, s * w);
            }
            if let Some(gi) = self.grad_input.as_deref_mut() {
                gi[at] = d;
            }
        }
    }
}
