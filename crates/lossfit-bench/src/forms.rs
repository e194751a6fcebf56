//! The typed layer's and the derive's buffer forms of cross-entropy, for the rows of
//! `cargo xtask bench losses` that compare them with the functional kernel and PyTorch:
//! `lf_ce_typed_into` (a borrowed `LogitsView`, `CrossEntropy::compute_into`),
//! `lf_ce_in_place` (`functional::cross_entropy_in_place`), and a [`Step`] that owns a
//! derived model output, as a training loop does, for `CrossEntropy::compute_in_place`,
//! `ModelOutput::loss_into` and `ModelOutput::loss_in_place`.

use lossfit::functional::{CrossEntropyOptions, cross_entropy_in_place};
use lossfit::{ClassIndices, CrossEntropy, Logits, LogitsView, Mean, ModelOutput, MultiClass};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2};

use super::{elements, guarded, scalar, slice, slice_mut};

/// The model output a training step hands to the loss: one multi-class head.
#[derive(Debug, ModelOutput)]
pub struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean)]
    logits: Array2<f32>,
}

/// What a training loop keeps across steps: the model output (refilled each step), the
/// targets and the gradient buffers.
#[derive(Debug)]
pub struct Step {
    output: Option<Classifier>,
    targets: ClassifierTargets,
    grads: ClassifierGrads,
}

/// Class indices as `ClassIndices` with PyTorch's ignore index (-100).
fn class_indices(target: &[i64]) -> Result<ClassIndices, String> {
    ClassIndices::with_ignore_index(Array1::from(target.to_vec()), -100).map_err(|e| e.to_string())
}

/// `CrossEntropy::new().reduction(Mean).compute_into` on borrowed `n × c` logits, writing
/// `d loss / d x` into `grad`; returns the loss, or NaN on error. The targets are wrapped in
/// `ClassIndices` on each call (a copy of `n` integers), as a data loader would hand them over.
///
/// # Safety
/// As [`lf_ce_fwd_bwd`](super::lf_ce_fwd_bwd), without weights.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_ce_typed_into(
    x: *const f32,
    target: *const i64,
    n: usize,
    c: usize,
    grad: *mut f32,
) -> f64 {
    guarded("lf_ce_typed_into", || {
        let len = elements(n, c)?;
        // SAFETY: the caller passes `n * c` logits and gradient slots and `n` targets, the
        // gradient apart from the inputs (this function's contract); `slice`/`slice_mut` check
        // null and alignment.
        let (x, target, grad) = unsafe {
            (
                slice(x, len, "x")?,
                slice(target, n, "target")?,
                slice_mut(grad, len, "grad")?,
            )
        };
        let x = ArrayView2::from_shape((n, c), x).map_err(|e| e.to_string())?;
        let grad = ArrayViewMut2::from_shape((n, c), grad).map_err(|e| e.to_string())?;
        let logits = LogitsView::<MultiClass, f32>::new(x).map_err(|e| e.to_string())?;
        let loss = CrossEntropy::new()
            .reduction(Mean)
            .compute_into(&logits, &class_indices(target)?, grad)
            .map_err(|e| e.to_string())?;
        Ok(f64::from(loss.value))
    })
}

/// `functional::cross_entropy_in_place` (mean reduction) on `n × c` logits, which become
/// `d loss / d x`; returns the loss, or NaN on error.
///
/// # Safety
/// `x` must point to `n * c` aligned `f32`s and `target` to `n` `i64`s, and nothing else may
/// access them during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_ce_in_place(
    x: *mut f32,
    target: *const i64,
    n: usize,
    c: usize,
) -> f64 {
    guarded("lf_ce_in_place", || {
        let len = elements(n, c)?;
        // SAFETY: the caller passes `n * c` logits and `n` targets that nothing else accesses
        // (this function's contract); `slice`/`slice_mut` check null and alignment.
        let (x, target) = unsafe { (slice_mut(x, len, "x")?, slice(target, n, "target")?) };
        let x = ArrayViewMut2::from_shape((n, c), x).map_err(|e| e.to_string())?;
        let value =
            cross_entropy_in_place(x, ArrayView1::from(target), &CrossEntropyOptions::default())
                .map_err(|e| e.to_string())?;
        scalar(&value)
    })
}

/// A [`Step`] owning a copy of `n × c` logits and `n` targets, with gradient buffers; null on
/// error. Free it with [`lf_step_free`].
///
/// # Safety
/// `x` must point to `n * c` aligned `f32`s and `target` to `n` `i64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_step_new(
    x: *const f32,
    target: *const i64,
    n: usize,
    c: usize,
) -> *mut Step {
    let mut step = None;
    let value = guarded("lf_step_new", || {
        let len = elements(n, c)?;
        // SAFETY: the caller passes `n * c` logits and `n` targets (this function's contract).
        let (x, target) = unsafe { (slice(x, len, "x")?, slice(target, n, "target")?) };
        let logits = Array2::from_shape_vec((n, c), x.to_vec()).map_err(|e| e.to_string())?;
        let output = Classifier { logits };
        let grads = output.grads_like();
        let targets = ClassifierTargets {
            logits: class_indices(target)?,
        };
        step = Some(Box::new(Step {
            output: Some(output),
            targets,
            grads,
        }));
        Ok(0.0)
    });
    match step {
        Some(step) if value == 0.0 => Box::into_raw(step),
        _ => std::ptr::null_mut(),
    }
}

/// Copies `n × c` logits into the step's model output (the next step's forward pass).
///
/// # Safety
/// `step` must come from [`lf_step_new`] with the same `n × c`, and `x` point to `n * c`
/// aligned `f32`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_step_reload(step: *mut Step, x: *const f32) -> f64 {
    guarded("lf_step_reload", || {
        // SAFETY: `step` is a live `Step` from `lf_step_new` (this function's contract).
        let step = unsafe { step.as_mut() }.ok_or("`step` is a null pointer")?;
        let output = step.output.as_mut().ok_or("the step lost its output")?;
        let len = output.logits.len();
        // SAFETY: `x` holds the step's `n * c` logits (this function's contract).
        let x = unsafe { slice(x, len, "x")? };
        output
            .logits
            .as_slice_mut()
            .ok_or("the step's logits are not contiguous")?
            .copy_from_slice(x);
        Ok(0.0)
    })
}

/// `ModelOutput::loss_into` of the step's output into its gradient buffers; the total, or NaN.
///
/// # Safety
/// `step` must come from [`lf_step_new`] and not be used elsewhere during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_step_loss_into(step: *mut Step) -> f64 {
    guarded("lf_step_loss_into", || {
        // SAFETY: `step` is a live `Step` from `lf_step_new` (this function's contract).
        let step = unsafe { step.as_mut() }.ok_or("`step` is a null pointer")?;
        let output = step.output.as_ref().ok_or("the step lost its output")?;
        let report = output
            .loss_into(&step.targets, &mut step.grads)
            .map_err(|e| e.to_string())?;
        Ok(f64::from(report.total))
    })
}

/// `ModelOutput::loss_in_place` of the step's output (its logits become the gradient, kept in
/// the step for the next reload); the total, or NaN.
///
/// # Safety
/// As [`lf_step_loss_into`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_step_loss_in_place(step: *mut Step) -> f64 {
    in_place(step, "lf_step_loss_in_place", |output, targets| {
        let report = output.loss_in_place(targets).map_err(|e| e.to_string())?;
        Ok((report.total, report.grad.logits))
    })
}

/// `CrossEntropy::compute_in_place` on the step's logits (owned `Logits`, which become the
/// gradient, kept in the step for the next reload); the loss, or NaN.
///
/// # Safety
/// As [`lf_step_loss_into`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_step_typed_in_place(step: *mut Step) -> f64 {
    in_place(step, "lf_step_typed_in_place", |output, targets| {
        let logits = Logits::<MultiClass, f32>::new(output.logits).map_err(|e| e.to_string())?;
        let loss = CrossEntropy::new()
            .reduction(Mean)
            .compute_in_place(logits, &targets.logits)
            .map_err(|e| e.to_string())?;
        let grad = loss
            .grad
            .input
            .into_dimensionality()
            .map_err(|e| e.to_string())?;
        Ok((loss.value, grad))
    })
}

/// Runs an in-place form on the step's output and puts the buffer (now the gradient) back.
fn in_place(
    step: *mut Step,
    name: &str,
    form: impl FnOnce(Classifier, &ClassifierTargets) -> Result<(f32, Array2<f32>), String>,
) -> f64 {
    guarded(name, || {
        // SAFETY: `step` is a live `Step` from `lf_step_new` (the caller's contract).
        let step = unsafe { step.as_mut() }.ok_or("`step` is a null pointer")?;
        let output = step.output.take().ok_or("the step lost its output")?;
        let (value, grad) = form(output, &step.targets)?;
        step.output = Some(Classifier { logits: grad });
        Ok(f64::from(value))
    })
}

/// Copies a gradient of the step into `out` (`n * c` `f32`s): `which` 0 is the gradient
/// buffer `loss_into` writes, 1 the output buffer the in-place forms overwrite. 0.0, or NaN.
///
/// # Safety
/// `step` must come from [`lf_step_new`]; `out` must point to its `n * c` writable `f32`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_step_grad(step: *const Step, which: u32, out: *mut f32) -> f64 {
    guarded("lf_step_grad", || {
        // SAFETY: `step` is a live `Step` from `lf_step_new` (this function's contract).
        let step = unsafe { step.as_ref() }.ok_or("`step` is a null pointer")?;
        let grad = match which {
            0 => &step.grads.logits,
            1 => {
                &step
                    .output
                    .as_ref()
                    .ok_or("the step lost its output")?
                    .logits
            }
            other => return Err(format!("`which` is 0 or 1, not {other}")),
        };
        // SAFETY: `out` holds the step's `n * c` slots (this function's contract).
        let out = unsafe { slice_mut(out, grad.len(), "out")? };
        out.copy_from_slice(grad.as_slice().ok_or("the gradient is not contiguous")?);
        Ok(0.0)
    })
}

/// Frees a [`Step`] from [`lf_step_new`] (null is ignored).
///
/// # Safety
/// `step` must be null or come from [`lf_step_new`] and not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_step_free(step: *mut Step) {
    if !step.is_null() {
        // SAFETY: `step` came from `Box::into_raw` in `lf_step_new` and is freed once (this
        // function's contract).
        drop(unsafe { Box::from_raw(step) });
    }
}
