//! The one place the kernels use AVX-512 intrinsics directly: the softmax block pass
//! `sum_j exp(x_j - m)` (storing each term), with `vrndscaleps` and `vscalefps` rounding and
//! scaling by `2^n` in one instruction each. That is about 15 instructions per 16 logits
//! against about 22 for the portable formulation (clamps and exponent-bit arithmetic), which
//! is what lets cross-entropy run near memory speed. Same reduction and polynomial as
//! [`super::vmath`], so results agree with the other paths to an ulp or two (below `f32`'s
//! smallest normal number AVX-512 keeps the subnormal where the others return 0).

#![allow(unsafe_code)]

use std::arch::x86_64::{
    __m512, __mmask16, _CMP_UNORD_Q, _MM_HINT_T0, _mm_prefetch, _mm512_add_ps, _mm512_cmp_ps_mask,
    _mm512_fmadd_ps, _mm512_fnmadd_ps, _mm512_loadu_ps, _mm512_mask_add_ps, _mm512_mask_max_ps,
    _mm512_mask_storeu_ps, _mm512_maskz_loadu_ps, _mm512_max_ps, _mm512_mul_ps,
    _mm512_reduce_add_ps, _mm512_reduce_max_ps, _mm512_roundscale_ps, _mm512_scalef_ps,
    _mm512_set1_ps, _mm512_setzero_ps, _mm512_storeu_ps, _mm512_sub_ps,
};

use super::float::Float;
use super::lanes::LANES;
use super::softmax::DotWith;

/// Below this, `exp` is 0 in `f32` (`vscalefps` flushes it); clamping here also turns `-inf`
/// logits into 0 instead of NaN.
const FLOOR: f32 = -104.0;

/// The maximum of a block, and whether it holds a NaN (see `softmax::block_max`).
///
/// # Safety
/// As [`block_exp_sum`]: AVX-512F must be present.
#[target_feature(enable = "avx512f")]
#[inline]
pub(crate) unsafe fn block_max(x: &[f32], dot: DotWith<'_, f32>) -> (f32, bool, f64) {
    let src = x.as_ptr();
    let mut acc = _mm512_set1_ps(f32::NEG_INFINITY);
    let mut sum = _mm512_setzero_ps();
    let mut nan: __mmask16 = 0;
    let chunks = x.len() / LANES;
    let weight = |mask: __mmask16, i: usize| match dot {
        // SAFETY: the weights cover the block (the caller's contract); masked lanes only.
        DotWith::Weights(w) => unsafe { _mm512_maskz_loadu_ps(mask, w.as_ptr().add(i)) },
        _ => _mm512_set1_ps(1.0),
    };
    let wanted = !matches!(dot, DotWith::Off);
    for k in 0..chunks {
        // SAFETY: (k + 1) * 16 <= x.len().
        let v = unsafe { _mm512_loadu_ps(src.add(k * LANES)) };
        acc = _mm512_max_ps(acc, v);
        nan |= _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(v, v);
        if wanted {
            sum = _mm512_fmadd_ps(v, weight(0xffff, k * LANES), sum);
        }
    }
    let rest = x.len() - chunks * LANES;
    if rest > 0 {
        let mask: __mmask16 = (1_u32 << rest).wrapping_sub(1) as u16;
        // SAFETY: the masked load touches only the last `rest` elements.
        let v = unsafe { _mm512_maskz_loadu_ps(mask, src.add(chunks * LANES)) };
        acc = _mm512_mask_max_ps(acc, mask, acc, v);
        nan |= _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(v, v);
        if wanted {
            sum = _mm512_mask_add_ps(
                sum,
                mask,
                sum,
                _mm512_mul_ps(v, weight(mask, chunks * LANES)),
            );
        }
    }
    let dot = if wanted {
        f64::from(_mm512_reduce_add_ps(sum))
    } else {
        0.0
    };
    (_mm512_reduce_max_ps(acc), nan != 0, dot)
}

/// `e^x` for 16 lanes, `x` already clamped to `[FLOOR, 0]`.
#[target_feature(enable = "avx512f")]
#[inline]
fn exp16(x: __m512) -> __m512 {
    let n =
        _mm512_roundscale_ps::<0x08>(_mm512_mul_ps(x, _mm512_set1_ps(std::f32::consts::LOG2_E)));
    let r = _mm512_fnmadd_ps(n, _mm512_set1_ps(f32::c(f32::LN2_HI)), x);
    let r = _mm512_fnmadd_ps(n, _mm512_set1_ps(f32::c(f32::LN2_LO)), r);
    let coeffs = f32::EXP_POLY;
    let mut p = _mm512_set1_ps(f32::c(coeffs[coeffs.len() - 1]));
    for &k in coeffs[..coeffs.len() - 1].iter().rev() {
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(f32::c(k)));
    }
    _mm512_scalef_ps(p, n)
}

/// `sum_j exp(x_j - m)` over `x` (or over `out`, in place), storing each term in `out` when
/// given and prefetching `ahead` elements further on. The sum is returned widened to `f64`.
///
/// # Safety
/// The CPU must support AVX-512F: only the AVX-512 backend calls this, and that backend is
/// selected only after run-time detection (`Backend::is_supported`). `x` (when given) and
/// `out` (when given) have the same length, and at least one is given.
#[target_feature(enable = "avx512f")]
#[inline]
pub(crate) unsafe fn block_exp_sum(
    x: Option<&[f32]>,
    m: f32,
    mut out: Option<&mut [f32]>,
    ahead: usize,
) -> f64 {
    let len = x.map_or_else(|| out.as_deref().map_or(0, <[f32]>::len), <[f32]>::len);
    let src = x.map_or_else(
        || out.as_deref().map_or(std::ptr::null(), <[f32]>::as_ptr),
        <[f32]>::as_ptr,
    );
    let dst = out.as_mut().map(|o| o.as_mut_ptr());
    let (mv, floor) = (_mm512_set1_ps(m), _mm512_set1_ps(FLOOR));
    let mut acc: __m512 = _mm512_setzero_ps();
    let chunks = len / LANES;
    for k in 0..chunks {
        let i = k * LANES;
        // SAFETY: i + 16 <= len, the length of the slice behind `src` (and `dst`); the
        // prefetch address may lie beyond it, which a prefetch allows.
        let v = unsafe {
            _mm_prefetch::<_MM_HINT_T0>(src.wrapping_add(i + ahead).cast());
            _mm512_loadu_ps(src.add(i))
        };
        let e = exp16(_mm512_max_ps(_mm512_sub_ps(v, mv), floor));
        acc = _mm512_add_ps(acc, e);
        if let Some(dst) = dst {
            // SAFETY: as for the load; in place, this chunk was loaded above.
            unsafe { _mm512_storeu_ps(dst.add(i), e) };
        }
    }
    let rest = len - chunks * LANES;
    if rest > 0 {
        let i = chunks * LANES;
        let mask: __mmask16 = (1_u32 << rest).wrapping_sub(1) as u16;
        // SAFETY: the masked load and store touch only lanes `i..len`.
        let v = unsafe { _mm512_maskz_loadu_ps(mask, src.add(i)) };
        let e = exp16(_mm512_max_ps(_mm512_sub_ps(v, mv), floor));
        acc = _mm512_mask_add_ps(acc, mask, acc, e);
        if let Some(dst) = dst {
            // SAFETY: as above.
            unsafe { _mm512_mask_storeu_ps(dst.add(i), mask, e) };
        }
    }
    f64::from(_mm512_reduce_add_ps(acc))
}
