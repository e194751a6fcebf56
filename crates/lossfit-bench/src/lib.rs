//! C-ABI entry points to lossfit's loss kernels, for `cargo xtask bench losses`.
//!
//! `xtask/bench/losses.py` loads this library with `ctypes` and times each export against
//! PyTorch on the same bytes, interleaved in one process. Every buffer is `f32` (targets `i64`),
//! C-contiguous and row-major, owned by the caller; gradients are written into the caller's
//! buffer. Losses return their value (mean reduction) as `f64`, or NaN after printing the
//! error to stderr; a panic is caught and reported the same way, never unwound into Python.
//!
//! `lf_triad` and `lf_read_sum` measure memory bandwidth on rayon's pool, so they run on the same
//! threads (`RAYON_NUM_THREADS`) as the loss kernels.

// The workspace denies unsafe code. This crate exists to be called through a C ABI with raw
// pointers from Python: turning them into slices cannot be done without `unsafe`. Each block
// says what it relies on, and every pointer is checked for null and alignment first.
#![allow(unsafe_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};

mod forms;
pub use forms::*;

use lossfit::functional::{
    BceWithLogitsOptions, CrossEntropyOptions, HuberOptions, L1Options, MseOptions,
    SigmoidFocalOptions, SmoothL1Options, binary_cross_entropy_with_logits_into,
    cross_entropy_into, cross_entropy_value, huber_loss_into, l1_loss_into, mse_loss_into,
    sigmoid_focal_loss_into, smooth_l1_loss_into,
};
use ndarray::{ArrayD, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};
use rayon::prelude::*;

/// A loss value, or the message printed before NaN is returned.
type Outcome = Result<f64, String>;

/// `lossfit`'s cross-entropy (mean reduction) on `n × c` logits, writing `d loss / d x` into
/// `grad`; returns the loss, or NaN on error.
///
/// `weight` is null for no class weights, else `c` weights; `ignore_index` and
/// `label_smoothing` are PyTorch's.
///
/// # Safety
/// `x` and `grad` must point to `n * c` aligned `f32`s, `target` to `n` `i64`s and `weight` (when
/// not null) to `c` `f32`s; `grad` must not overlap any input, and nothing else may access the
/// buffers during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_ce_fwd_bwd(
    x: *const f32,
    target: *const i64,
    n: usize,
    c: usize,
    weight: *const f32,
    ignore_index: i64,
    label_smoothing: f64,
    grad: *mut f32,
) -> f64 {
    guarded("lf_ce_fwd_bwd", || {
        let len = elements(n, c)?;
        // SAFETY: the caller passes `n * c` logits and gradient slots, `n` targets and `c`
        // weights or null, the gradient apart from the inputs (this function's contract);
        // `slice`/`slice_mut` check null and alignment.
        let (x, target, weight, grad) = unsafe {
            (
                slice(x, len, "x")?,
                slice(target, n, "target")?,
                optional_slice(weight, c, "weight")?,
                slice_mut(grad, len, "grad")?,
            )
        };
        let x = ArrayView2::from_shape((n, c), x).map_err(|e| e.to_string())?;
        let target = ArrayView1::from(target);
        let options = CrossEntropyOptions {
            weight: weight.map(ArrayView1::from),
            ignore_index,
            label_smoothing,
            ..Default::default()
        };
        let grad = ArrayViewMut2::from_shape((n, c), grad).map_err(|e| e.to_string())?;
        let value = cross_entropy_into(x, target, &options, grad).map_err(|e| e.to_string())?;
        scalar(&value)
    })
}

/// `lossfit`'s cross-entropy value (mean reduction) on `n × c` logits, without the gradient;
/// returns the loss, or NaN on error.
///
/// # Safety
/// As [`lf_ce_fwd_bwd`], without `grad`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_ce_fwd(
    x: *const f32,
    target: *const i64,
    n: usize,
    c: usize,
    weight: *const f32,
    ignore_index: i64,
    label_smoothing: f64,
) -> f64 {
    guarded("lf_ce_fwd", || {
        let len = elements(n, c)?;
        // SAFETY: the caller passes `n * c` logits, `n` targets and `c` weights or null (this
        // function's contract); `slice` checks null and alignment.
        let (x, target, weight) = unsafe {
            (
                slice(x, len, "x")?,
                slice(target, n, "target")?,
                optional_slice(weight, c, "weight")?,
            )
        };
        let x = ArrayView2::from_shape((n, c), x).map_err(|e| e.to_string())?;
        let options = CrossEntropyOptions {
            weight: weight.map(ArrayView1::from),
            ignore_index,
            label_smoothing,
            ..Default::default()
        };
        let value = cross_entropy_value(x, ArrayView1::from(target), &options)
            .map_err(|e| e.to_string())?;
        scalar(&value)
    })
}

/// An elementwise loss (mean reduction) on `len` inputs and targets, writing `d loss / d x`
/// into `grad`; returns the loss, or NaN on error.
///
/// `kind`: 0 `mse_loss`, 1 `l1_loss`, 2 `smooth_l1_loss` (beta = `param1`), 3 `huber_loss`
/// (delta = `param1`), 4 `binary_cross_entropy_with_logits`, 5 `sigmoid_focal_loss` (alpha =
/// `param1`, gamma = `param2`).
///
/// # Safety
/// `x`, `y` and `grad` must point to `len` aligned `f32`s each; `grad` must not overlap `x` or
/// `y`, and nothing else may access the buffers during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_pointwise_fwd_bwd(
    kind: u32,
    x: *const f32,
    y: *const f32,
    len: usize,
    param1: f64,
    param2: f64,
    grad: *mut f32,
) -> f64 {
    guarded("lf_pointwise_fwd_bwd", || {
        // SAFETY: the caller passes `len` inputs, targets and gradient slots, the gradient apart
        // from the inputs (this function's contract); `slice`/`slice_mut` check null and
        // alignment.
        let (x, y, grad) = unsafe {
            (
                slice(x, len, "x")?,
                slice(y, len, "y")?,
                slice_mut(grad, len, "grad")?,
            )
        };
        pointwise(kind, x, y, param1, param2, grad)
    })
}

/// Dispatches `lf_pointwise_fwd_bwd` to the loss `kind` names.
fn pointwise(
    kind: u32,
    x: &[f32],
    y: &[f32],
    param1: f64,
    param2: f64,
    grad: &mut [f32],
) -> Outcome {
    let (x, y) = (ArrayView1::from(x), ArrayView1::from(y));
    let grad = ArrayViewMut1::from(grad);
    let value = match kind {
        0 => mse_loss_into(x, y, &MseOptions::default(), grad),
        1 => l1_loss_into(x, y, &L1Options::default(), grad),
        2 => smooth_l1_loss_into(
            x,
            y,
            &SmoothL1Options {
                beta: param1,
                ..Default::default()
            },
            grad,
        ),
        3 => huber_loss_into(
            x,
            y,
            &HuberOptions {
                delta: param1,
                ..Default::default()
            },
            grad,
        ),
        4 => binary_cross_entropy_with_logits_into(x, y, &BceWithLogitsOptions::default(), grad),
        5 => sigmoid_focal_loss_into(
            x,
            y,
            &SigmoidFocalOptions {
                alpha: param1,
                gamma: param2,
                reduction: lossfit::Reduction::Mean,
                ..Default::default()
            },
            grad,
        ),
        other => return Err(format!("unknown pointwise kind {other} (0..=5)")),
    };
    scalar(&value.map_err(|e| e.to_string())?)
}

/// STREAM's triad `a = b + s * c` over `len` elements, split into one contiguous range per
/// rayon thread.
///
/// # Safety
/// `a`, `b` and `c` must point to `len` aligned `f32`s each; `a` must not overlap `b` or `c`,
/// and nothing else may access the buffers during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_triad(a: *mut f32, b: *const f32, c: *const f32, len: usize, s: f32) {
    guarded("lf_triad", || {
        // SAFETY: the caller passes `len` elements in each buffer, `a` apart from `b` and `c`
        // (this function's contract); `slice`/`slice_mut` check null and alignment.
        let (a, b, c) = unsafe {
            (
                slice_mut(a, len, "a")?,
                slice(b, len, "b")?,
                slice(c, len, "c")?,
            )
        };
        triad(a, b, c, s);
        Ok(0.0)
    });
}

/// The sum of `len` elements (read bandwidth), split into one contiguous range per rayon
/// thread; NaN on error.
///
/// # Safety
/// `a` must point to `len` aligned `f32`s that nothing writes to during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_read_sum(a: *const f32, len: usize) -> f64 {
    guarded("lf_read_sum", || {
        // SAFETY: the caller passes `len` elements (this function's contract); `slice` checks
        // null and alignment.
        let a = unsafe { slice(a, len, "a")? };
        Ok(read_sum(a))
    })
}

/// The number of threads in rayon's global pool (`RAYON_NUM_THREADS`, else one per CPU).
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn lf_threads() -> usize {
    rayon::current_num_threads()
}

/// Writes the name of the kernel backend lossfit dispatched to (no terminating NUL) into the
/// first `cap` bytes of `buf` and returns the name's full length (more than `cap` when it was
/// cut short).
///
/// # Safety
/// `buf` must be null or point to `cap` writable bytes that nothing else accesses during the
/// call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lf_backend(buf: *mut u8, cap: usize) -> usize {
    let name = backend_name();
    let copied = name.len().min(cap);
    if !buf.is_null() && copied > 0 {
        // SAFETY: `buf` is not null and holds `cap >= copied` writable bytes (this function's
        // contract); a `&'static str` cannot overlap the caller's buffer.
        unsafe { std::ptr::copy_nonoverlapping(name.as_ptr(), buf, copied) };
    }
    name.len()
}

/// `lossfit::kernels::active_backend().name()`.
fn backend_name() -> &'static str {
    lossfit::kernels::active_backend().name()
}

/// Runs `body`, turning an error or a panic into NaN after printing it to stderr.
fn guarded(name: &str, body: impl FnOnce() -> Outcome) -> f64 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(message)) => {
            eprintln!("{name}: {message}");
            f64::NAN
        }
        Err(_) => {
            eprintln!("{name}: panicked (message above)");
            f64::NAN
        }
    }
}

/// `n * c`, or an error when it overflows.
fn elements(n: usize, c: usize) -> Result<usize, String> {
    n.checked_mul(c)
        .ok_or_else(|| format!("{n} x {c} elements overflow usize"))
}

/// Checks that `ptr` can start a slice of `len` `T`s: not null, aligned, not too long.
fn check_pointer<T>(ptr: *const T, len: usize, what: &str) -> Result<(), String> {
    if ptr.is_null() {
        return Err(format!("`{what}` is a null pointer"));
    }
    if !ptr.is_aligned() {
        return Err(format!(
            "`{what}` is not aligned to {} bytes",
            align_of::<T>()
        ));
    }
    if len.saturating_mul(size_of::<T>()) > isize::MAX as usize {
        return Err(format!("`{what}`: {len} elements is too many"));
    }
    Ok(())
}

/// The `len` elements at `ptr`, after checking the pointer.
///
/// # Safety
/// When not null and aligned, `ptr` must point to `len` initialised `T`s that nothing writes to
/// while the slice lives.
unsafe fn slice<'a, T>(ptr: *const T, len: usize, what: &str) -> Result<&'a [T], String> {
    check_pointer(ptr, len, what)?;
    // SAFETY: `ptr` is non-null, aligned and `len * size_of::<T>()` fits `isize` (checked);
    // the caller guarantees `len` initialised elements that are not written while borrowed.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `slice` for an optional buffer: `None` when `ptr` is null.
///
/// # Safety
/// As [`slice`] when `ptr` is not null.
unsafe fn optional_slice<'a, T>(
    ptr: *const T,
    len: usize,
    what: &str,
) -> Result<Option<&'a [T]>, String> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from this function's contract.
    unsafe { slice(ptr, len, what) }.map(Some)
}

/// The `len` elements at `ptr`, mutably, after checking the pointer.
///
/// # Safety
/// When not null and aligned, `ptr` must point to `len` `T`s that nothing else accesses while
/// the slice lives.
unsafe fn slice_mut<'a, T>(ptr: *mut T, len: usize, what: &str) -> Result<&'a mut [T], String> {
    check_pointer(ptr.cast_const(), len, what)?;
    // SAFETY: `ptr` is non-null, aligned and `len * size_of::<T>()` fits `isize` (checked);
    // the caller guarantees `len` elements that nothing else accesses while borrowed.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// The loss value as `f64`, or an error when it is not a single number.
fn scalar(value: &ArrayD<f32>) -> Outcome {
    match value.first() {
        Some(&v) if value.len() == 1 => Ok(f64::from(v)),
        _ => Err(format!(
            "expected a scalar loss value, got shape {:?}",
            value.shape()
        )),
    }
}

/// Elements per thread when `len` is split into one contiguous range per rayon thread, rounded
/// up to whole 64-byte lines so no two threads write the same cache line.
fn range_len(len: usize) -> usize {
    len.div_ceil(rayon::current_num_threads())
        .next_multiple_of(16)
}

/// `a = b + s * c`, on rayon's pool when it has more than one thread.
fn triad(a: &mut [f32], b: &[f32], c: &[f32], s: f32) {
    fn range(a: &mut [f32], b: &[f32], c: &[f32], s: f32) {
        for ((a, &b), &c) in a.iter_mut().zip(b).zip(c) {
            *a = b + s * c;
        }
    }
    if rayon::current_num_threads() <= 1 {
        range(a, b, c, s);
        return;
    }
    let chunk = range_len(a.len());
    a.par_chunks_mut(chunk)
        .zip(b.par_chunks(chunk))
        .zip(c.par_chunks(chunk))
        .for_each(|((a, b), c)| range(a, b, c, s));
}

/// The sum of `a`, on rayon's pool when it has more than one thread.
fn read_sum(a: &[f32]) -> f64 {
    if rayon::current_num_threads() <= 1 {
        return sum_range(a);
    }
    a.par_chunks(range_len(a.len())).map(sum_range).sum()
}

/// The sum of `a`: 16 independent `f32` accumulators (so the loop vectorises), emptied into an
/// `f64` total every 16 Ki elements so the result stays accurate.
fn sum_range(a: &[f32]) -> f64 {
    const LANES: usize = 16;
    let mut total = 0.0_f64;
    for block in a.chunks(LANES * 1024) {
        let (lanes, rest) = block.as_chunks::<LANES>();
        let mut acc = [0.0_f32; LANES];
        for lane in lanes {
            for (acc, &v) in acc.iter_mut().zip(lane) {
                *acc += v;
            }
        }
        total += acc.iter().map(|&v| f64::from(v)).sum::<f64>();
        total += rest.iter().map(|&v| f64::from(v)).sum::<f64>();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use lossfit::functional::cross_entropy;

    #[test]
    fn cross_entropy_matches_the_allocating_loss() {
        let x: Vec<f32> = (0..12).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
        let target = [2_i64, -100, 0];
        let weight = [0.5_f32, 1.0, 2.0, 1.5];
        let mut grad = vec![f32::NAN; 12];
        // SAFETY: 3 x 4 logits and gradient slots, 3 targets, 4 weights, all distinct buffers.
        let value = unsafe {
            lf_ce_fwd_bwd(
                x.as_ptr(),
                target.as_ptr(),
                3,
                4,
                weight.as_ptr(),
                -100,
                0.1,
                grad.as_mut_ptr(),
            )
        };
        let options = CrossEntropyOptions {
            weight: Some(ArrayView1::from(&weight[..])),
            label_smoothing: 0.1,
            ..Default::default()
        };
        let x2 = ArrayView2::from_shape((3, 4), &x[..]).unwrap();
        let expected = cross_entropy(x2, ArrayView1::from(&target[..]), &options).unwrap();
        // The kernels and the allocating loss may round differently (f32 against f64 sums).
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-5 * b.abs().max(1e-3);
        assert!(close(value, f64::from(expected.scalar().unwrap())));
        for (&g, &e) in grad.iter().zip(expected.grad.input.iter()) {
            assert!(close(f64::from(g), f64::from(e)), "{g} vs {e}");
        }
        // SAFETY: as above, without the gradient.
        let forward = unsafe {
            lf_ce_fwd(
                x.as_ptr(),
                target.as_ptr(),
                3,
                4,
                weight.as_ptr(),
                -100,
                0.1,
            )
        };
        assert!(close(forward, value));
    }

    #[test]
    fn errors_and_null_pointers_give_nan() {
        let x = [0.0_f32; 4];
        let target = [7_i64, 0];
        let mut grad = [0.0_f32; 4];
        // SAFETY: 2 x 2 logits and gradient slots, 2 targets; the class index 7 is the error.
        let bad_class = unsafe {
            lf_ce_fwd_bwd(
                x.as_ptr(),
                target.as_ptr(),
                2,
                2,
                std::ptr::null(),
                -100,
                0.0,
                grad.as_mut_ptr(),
            )
        };
        assert!(bad_class.is_nan());
        // SAFETY: null pointers are checked before any access.
        let null = unsafe { lf_read_sum(std::ptr::null(), 4) };
        assert!(null.is_nan());
        // SAFETY: 4 elements each; kind 9 is the error.
        let bad_kind = unsafe {
            lf_pointwise_fwd_bwd(9, x.as_ptr(), x.as_ptr(), 4, 0.0, 0.0, grad.as_mut_ptr())
        };
        assert!(bad_kind.is_nan());
    }

    #[test]
    fn pointwise_kinds_write_the_gradient() {
        let x = [0.5_f32, -1.5, 2.0, 0.0];
        let y = [0.0_f32, 1.0, 1.0, 0.0];
        for kind in 0..=5 {
            let mut grad = [f32::NAN; 4];
            // SAFETY: 4 elements in each buffer, the gradient apart from the inputs.
            let value = unsafe {
                lf_pointwise_fwd_bwd(kind, x.as_ptr(), y.as_ptr(), 4, 1.0, 2.0, grad.as_mut_ptr())
            };
            assert!(value.is_finite(), "kind {kind}: {value}");
            assert!(grad.iter().all(|g| g.is_finite()), "kind {kind}: {grad:?}");
        }
        let mut grad = [0.0_f32; 4];
        // SAFETY: as above.
        let mse = unsafe {
            lf_pointwise_fwd_bwd(0, x.as_ptr(), y.as_ptr(), 4, 0.0, 0.0, grad.as_mut_ptr())
        };
        assert!((mse - (0.25 + 6.25 + 1.0) / 4.0).abs() < 1e-6);
        assert_eq!(grad, [0.25, -1.25, 0.5, 0.0]);
    }

    #[test]
    fn triad_and_read_sum() {
        let len = 100_003;
        let b: Vec<f32> = (0..len).map(|i| (i % 7) as f32).collect();
        let c = vec![0.5_f32; len];
        let mut a = vec![0.0_f32; len];
        // SAFETY: `len` elements in each buffer, `a` apart from `b` and `c`.
        unsafe { lf_triad(a.as_mut_ptr(), b.as_ptr(), c.as_ptr(), len, 2.0) };
        assert!(a.iter().zip(&b).all(|(&a, &b)| a == b + 1.0));
        let expected: f64 = a.iter().map(|&v| f64::from(v)).sum();
        // SAFETY: `len` elements.
        let sum = unsafe { lf_read_sum(a.as_ptr(), len) };
        assert_eq!(sum, expected);
        assert_eq!(sum_range(&[]), 0.0);
    }

    #[test]
    fn backend_name_and_threads() {
        let mut buf = [0_u8; 64];
        // SAFETY: 64 writable bytes.
        let len = unsafe { lf_backend(buf.as_mut_ptr(), buf.len()) };
        assert_eq!(&buf[..len], backend_name().as_bytes());
        let mut short = [0_u8; 3];
        // SAFETY: 3 writable bytes; the name is cut to them.
        assert_eq!(unsafe { lf_backend(short.as_mut_ptr(), 3) }, len);
        assert_eq!(&short, &backend_name().as_bytes()[..3]);
        assert!(lf_threads() >= 1);
    }
}
