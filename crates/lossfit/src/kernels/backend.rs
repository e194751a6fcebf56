//! Which instruction set the kernels run on: detected once, overridable, dispatched per call.

use std::cell::Cell;
use std::fmt;
use std::sync::OnceLock;

use super::float::Float;
use super::softmax;

/// An instruction-set path of the kernels.
///
/// All paths compute the same formulas in the same order. AVX2 and AVX-512 both fuse
/// multiply-adds; AVX-512 also rounds and scales the softmax `exp` with dedicated instructions,
/// which agrees with AVX2 to the bit except where an `exp` underflows below `f32`'s smallest
/// normal number. The portable path does not fuse, so its results can differ in the last bit or
/// two. Every path passes the same PyTorch parity suite.
///
/// ```
/// use lossfit::kernels::{Backend, active_backend};
///
/// // The fastest path this CPU supports, unless `LOSSFIT_SIMD` says otherwise.
/// let backend = active_backend();
/// assert!(backend.is_supported());
/// assert!(Backend::Portable.is_supported());
/// println!("lossfit kernels: {backend}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// 512-bit vectors (x86-64 with AVX-512 F/BW/DQ/VL).
    Avx512,
    /// 256-bit vectors (x86-64 with AVX2 and FMA).
    Avx2,
    /// The compiler's baseline target (SSE2 on x86-64, NEON on aarch64), no runtime detection.
    Portable,
}

impl Backend {
    /// Every backend, fastest first.
    pub const ALL: [Backend; 3] = [Backend::Avx512, Backend::Avx2, Backend::Portable];

    /// The name used by `LOSSFIT_SIMD` and in benchmark reports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Backend::Avx512 => "avx512",
            Backend::Avx2 => "avx2",
            Backend::Portable => "portable",
        }
    }

    /// Whether this CPU can run the backend.
    #[must_use]
    pub fn is_supported(self) -> bool {
        match self {
            Backend::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512vl")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    fn parse(name: &str) -> Option<Backend> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of [`with_backend`] when the CPU lacks the requested instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the `{0}` kernels need instructions this CPU does not have; use `Backend::Portable`")]
pub struct UnsupportedBackend(pub Backend);

thread_local! {
    static OVERRIDE: Cell<Option<Backend>> = const { Cell::new(None) };
}

/// The process-wide default: `LOSSFIT_SIMD` when set to a supported backend, else the fastest.
fn process_default() -> Backend {
    static DEFAULT: OnceLock<Backend> = OnceLock::new();
    *DEFAULT.get_or_init(|| {
        let fastest = Backend::ALL
            .into_iter()
            .find(|b| b.is_supported())
            .unwrap_or(Backend::Portable);
        match std::env::var("LOSSFIT_SIMD") {
            Ok(value) if value.is_empty() || value.eq_ignore_ascii_case("auto") => fastest,
            Ok(value) => match Backend::parse(&value) {
                Some(b) if b.is_supported() => b,
                Some(b) => {
                    eprintln!(
                        "lossfit: LOSSFIT_SIMD={value}: this CPU cannot run `{b}`; using `{fastest}`"
                    );
                    fastest
                }
                None => {
                    eprintln!(
                        "lossfit: LOSSFIT_SIMD={value} is not one of auto, avx512, avx2, \
                         portable; using `{fastest}`"
                    );
                    fastest
                }
            },
            Err(_) => fastest,
        }
    })
}

/// The backend the kernels use on this thread: the innermost [`with_backend`], else the
/// process default (`LOSSFIT_SIMD=avx512|avx2|portable|auto`, read once; default: the fastest
/// this CPU supports).
///
/// ```
/// let backend = lossfit::kernels::active_backend();
/// assert!(backend.is_supported());
/// ```
#[must_use]
pub fn active_backend() -> Backend {
    OVERRIDE.with(Cell::get).unwrap_or_else(process_default)
}

/// Runs `f` with the kernels forced onto `backend` for calls made from this thread (work that
/// those calls hand to rayon's threads follows it too). Used to test and compare paths.
///
/// # Errors
/// [`UnsupportedBackend`] when this CPU cannot run `backend`; `f` is not called.
///
/// ```
/// use lossfit::functional::{cross_entropy, CrossEntropyOptions};
/// use lossfit::kernels::{Backend, with_backend};
/// use ndarray::array;
///
/// let logits = array![[1.0_f32, 2.0, 0.5]];
/// let target = array![1_i64];
/// let options = CrossEntropyOptions::default();
/// let fast = cross_entropy(&logits, &target, &options)?;
/// let portable = with_backend(Backend::Portable, || cross_entropy(&logits, &target, &options))
///     .expect("the portable path runs everywhere")?;
/// assert_eq!(fast, portable); // bit for bit
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn with_backend<R>(backend: Backend, f: impl FnOnce() -> R) -> Result<R, UnsupportedBackend> {
    struct Restore(Option<Backend>);
    impl Drop for Restore {
        fn drop(&mut self) {
            OVERRIDE.with(|o| o.set(self.0));
        }
    }
    if !backend.is_supported() {
        return Err(UnsupportedBackend(backend));
    }
    let _restore = Restore(OVERRIDE.with(|o| o.replace(Some(backend))));
    Ok(f())
}

/// What a kernel body may use on the instruction set it is compiled for.
pub(crate) trait Isa: Sized {
    /// Fused multiply-add is a single instruction (AVX2, AVX-512). Without it `mul_add` would
    /// be a library call, so the portable path multiplies and adds separately.
    const FMA: bool;

    /// Hints the cache to fetch the line holding `p` (never dereferenced; may be out of bounds).
    #[inline(always)]
    fn prefetch<T>(_p: *const T) {}

    /// `sum_j exp(x_j - m)` over a block of logits (`x_j <= m`, no NaN: the caller checks),
    /// storing each term in `out` when given; `x == None` reads the logits from `out` (in
    /// place). `ahead` is how far on to prefetch.
    #[inline(always)]
    fn block_exp_sum<F: Float>(x: Option<&[F]>, m: F, out: Option<&mut [F]>, ahead: usize) -> f64 {
        softmax::block_exp_sum::<Self, F>(x, m, out, ahead)
    }

    /// The maximum of a block of logits, whether it holds a NaN, and the dot product `dot`
    /// asks for (see `softmax::block_max`).
    #[inline(always)]
    fn block_max<F: Float>(x: &[F], dot: softmax::DotWith<'_, F>) -> (F, bool, f64) {
        softmax::block_max(x, dot)
    }
}

/// The AVX2 path (and the FMA formulation in unit tests).
pub(crate) struct X86Fma;

impl Isa for X86Fma {
    const FMA: bool = true;

    #[inline(always)]
    fn prefetch<T>(p: *const T) {
        prefetch_x86(p);
    }
}

/// The AVX-512 path. Instantiated only inside `run_avx512`, which runs only on CPUs where
/// AVX-512 was detected; that is what makes its intrinsics sound.
#[cfg(target_arch = "x86_64")]
struct X86Avx512;

#[cfg(target_arch = "x86_64")]
impl Isa for X86Avx512 {
    const FMA: bool = true;

    #[inline(always)]
    fn prefetch<T>(p: *const T) {
        prefetch_x86(p);
    }

    #[inline(always)]
    fn block_exp_sum<F: Float>(x: Option<&[F]>, m: F, out: Option<&mut [F]>, ahead: usize) -> f64 {
        F::block_exp_sum_avx512(x, m, out, ahead)
    }

    #[inline(always)]
    fn block_max<F: Float>(x: &[F], dot: softmax::DotWith<'_, F>) -> (F, bool, f64) {
        F::block_max_avx512(x, dot)
    }
}

#[inline(always)]
fn prefetch_x86<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint and never faults, whatever the address.
    #[allow(unsafe_code, unused_unsafe)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
}

/// The portable path.
pub(crate) struct Baseline;

impl Isa for Baseline {
    const FMA: bool = false;
}

/// A unit of kernel work, compiled once per backend.
///
/// Implementations mark `run` `#[inline(always)]` so that its body, and everything it calls,
/// is generated inside each `#[target_feature]` wrapper below.
pub(crate) trait Kernel {
    type Output;
    fn run<I: Isa>(self) -> Self::Output;
}

/// Runs `kernel` on `backend`'s instructions.
pub(crate) fn execute<K: Kernel>(backend: Backend, kernel: K) -> K::Output {
    match backend {
        #[cfg(target_arch = "x86_64")]
        Backend::Avx512 => {
            // SAFETY: `Backend::Avx512` is only ever active after `is_supported` confirmed
            // AVX-512 F/BW/DQ/VL at run time (`process_default`, `with_backend`).
            #[allow(unsafe_code)]
            unsafe {
                run_avx512(kernel)
            }
        }
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2 => {
            // SAFETY: as above, AVX2 and FMA were detected before `Avx2` could become active.
            #[allow(unsafe_code)]
            unsafe {
                run_avx2(kernel)
            }
        }
        _ => kernel.run::<Baseline>(),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
fn run_avx512<K: Kernel>(kernel: K) -> K::Output {
    kernel.run::<X86Avx512>()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2<K: Kernel>(kernel: K) -> K::Output {
    kernel.run::<X86Fma>()
}
