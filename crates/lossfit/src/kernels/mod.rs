//! Fused, allocation-free loss kernels and the instruction-set dispatch behind them.
//!
//! The functional losses run on these kernels: cross-entropy streams each row of logits once
//! (one read, one write, one `exp` per element); the element-wise losses read input and target
//! once and write the gradient in the same pass. Kernels are written once as scalar code over
//! 16-lane arrays and compiled for AVX-512, AVX2 and the portable baseline (plus hand-written
//! AVX-512 for the softmax block passes); the fastest supported path is picked at run time. All
//! paths agree to the last bit or two and pass the same PyTorch parity suite.
//!
//! Set `LOSSFIT_SIMD=portable` (or `avx2`, `avx512`, `auto`) to force a path for the whole
//! process, or use [`with_backend`] for a scope. Work is split over rayon's pool above
//! 65,536 elements; `RAYON_NUM_THREADS` sets the thread count, and results do not depend on it.

#[cfg(target_arch = "x86_64")]
mod avx512;
mod backend;
mod chunks;
pub(crate) mod float;
mod lanes;
pub(crate) mod pointwise;
mod softmax;
mod vmath;

pub use backend::{Backend, UnsupportedBackend, active_backend, with_backend};

pub(crate) use backend::Isa;
pub(crate) use softmax::RowSpec;
pub(crate) use vmath::{log_sigmoid, pow_positive, sigmoid_and_log_sigmoid};

use backend::{Kernel, execute};
use chunks::{Plan, run_chunks};
use float::Float;
use pointwise::Seed;

/// Hard-target cross-entropy over contiguous rows of `spec.classes` logits.
#[derive(Debug)]
pub(crate) struct HardRows<'a, F> {
    pub(crate) spec: RowSpec<'a, F>,
    /// The logits, or `None` when they are in `grad` (in place).
    pub(crate) logits: Option<&'a [F]>,
    pub(crate) targets: &'a [i64],
    pub(crate) ignore_index: i64,
    /// Per row: the factor of its gradient.
    pub(crate) seed: Seed<'a, F>,
    pub(crate) grad: Option<&'a mut [F]>,
    /// Per row: the weighted, smoothed loss.
    pub(crate) values: Option<&'a mut [F]>,
}

/// Runs the rows and returns the sum of their losses.
pub(crate) fn hard_rows<F: Float>(backend: Backend, rows: HardRows<'_, F>) -> f64 {
    let classes = rows.spec.classes;
    let plan = Plan::new(rows.targets.len(), classes);
    let HardRows {
        spec,
        logits,
        targets,
        ignore_index,
        seed,
        grad,
        values,
    } = rows;
    run_chunks(plan, [grad, None, None], values, &|chunk| {
        let [grad, _, _] = chunk.elems;
        let (r0, r1) = (chunk.rows.start, chunk.rows.end);
        execute(
            backend,
            HardChunk {
                spec,
                logits: logits.map(|x| &x[r0 * classes..r1 * classes]),
                targets: &targets[r0..r1],
                ignore_index,
                seed: row_seed(seed, r0, r1),
                grad,
                values: chunk.per_row,
            },
        )
    })
}

fn row_seed<F: Copy>(seed: Seed<'_, F>, r0: usize, r1: usize) -> Seed<'_, F> {
    match seed {
        Seed::PerElement(s) => Seed::PerElement(&s[r0..r1]),
        uniform @ Seed::Uniform(_) => uniform,
    }
}

fn seed_at<F: Float>(seed: Seed<'_, F>, n: usize) -> f64 {
    match seed {
        Seed::Uniform(g) => g.wide(),
        Seed::PerElement(s) => s[n].wide(),
    }
}

struct HardChunk<'a, F> {
    spec: RowSpec<'a, F>,
    logits: Option<&'a [F]>,
    targets: &'a [i64],
    ignore_index: i64,
    seed: Seed<'a, F>,
    grad: Option<&'a mut [F]>,
    values: Option<&'a mut [F]>,
}

impl<F: Float> Kernel for HardChunk<'_, F> {
    type Output = f64;

    #[inline(always)]
    fn run<I: Isa>(mut self) -> f64 {
        let c = self.spec.classes;
        let mut total = 0.0;
        for (n, &t) in self.targets.iter().enumerate() {
            let x = self.logits.map(|x| &x[n * c..(n + 1) * c]);
            let out = self.grad.as_deref_mut().map(|g| &mut g[n * c..(n + 1) * c]);
            let loss = if t == self.ignore_index {
                if let Some(out) = out {
                    out.fill(F::c(0.0));
                }
                0.0
            } else {
                let g = seed_at(self.seed, n);
                softmax::hard_row::<I, F>(&self.spec, x, out, t as usize, g)
            };
            if let Some(values) = self.values.as_deref_mut() {
                values[n] = F::c(loss);
            }
            total += loss;
        }
        total
    }
}

/// Soft-target cross-entropy over contiguous rows of `spec.classes` logits and probabilities.
#[derive(Debug)]
pub(crate) struct SoftRows<'a, F> {
    pub(crate) spec: RowSpec<'a, F>,
    /// Number of rows (also when there are no classes).
    pub(crate) rows: usize,
    pub(crate) logits: &'a [F],
    pub(crate) target: &'a [F],
    pub(crate) seed: Seed<'a, F>,
    pub(crate) grad_input: Option<&'a mut [F]>,
    pub(crate) grad_target: Option<&'a mut [F]>,
    pub(crate) values: Option<&'a mut [F]>,
}

/// Runs the rows and returns the sum of their losses.
pub(crate) fn soft_rows<F: Float>(backend: Backend, rows: SoftRows<'_, F>) -> f64 {
    let classes = rows.spec.classes;
    let plan = Plan::new(rows.rows, classes);
    let SoftRows {
        spec,
        rows: _,
        logits,
        target,
        seed,
        grad_input,
        grad_target,
        values,
    } = rows;
    run_chunks(plan, [grad_input, grad_target, None], values, &|chunk| {
        let [grad_input, grad_target, _] = chunk.elems;
        let (r0, r1) = (chunk.rows.start, chunk.rows.end);
        execute(
            backend,
            SoftChunk {
                spec,
                rows: r1 - r0,
                logits: &logits[r0 * classes..r1 * classes],
                target: &target[r0 * classes..r1 * classes],
                seed: row_seed(seed, r0, r1),
                grad_input,
                grad_target,
                values: chunk.per_row,
            },
        )
    })
}

struct SoftChunk<'a, F> {
    spec: RowSpec<'a, F>,
    rows: usize,
    logits: &'a [F],
    target: &'a [F],
    seed: Seed<'a, F>,
    grad_input: Option<&'a mut [F]>,
    grad_target: Option<&'a mut [F]>,
    values: Option<&'a mut [F]>,
}

impl<F: Float> Kernel for SoftChunk<'_, F> {
    type Output = f64;

    #[inline(always)]
    fn run<I: Isa>(mut self) -> f64 {
        let c = self.spec.classes;
        let mut total = 0.0;
        for n in 0..self.rows {
            let row = n * c..(n + 1) * c;
            // No classes: nothing to predict, nothing lost.
            let loss = if c == 0 {
                0.0
            } else {
                softmax::soft_row::<I, F>(
                    &self.spec,
                    &self.logits[row.clone()],
                    &self.target[row.clone()],
                    self.grad_input.as_deref_mut().map(|g| &mut g[row.clone()]),
                    self.grad_target.as_deref_mut().map(|g| &mut g[row]),
                    seed_at(self.seed, n),
                )
            };
            if let Some(values) = self.values.as_deref_mut() {
                values[n] = F::c(loss);
            }
            total += loss;
        }
        total
    }
}
