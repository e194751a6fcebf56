//! Regression benchmarks of the fused loss kernels, on the active backend and on each SIMD
//! path: `cargo bench -p lossfit` (add `-- cross_entropy` to filter). For ratios against PyTorch,
//! measured in the same run, use `cargo xtask bench losses` (see BENCHMARKS.md).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lossfit::functional::{
    BceWithLogitsOptions, CrossEntropyOptions, HuberOptions, MseOptions,
    binary_cross_entropy_with_logits_into, cross_entropy_into, cross_entropy_value,
    huber_loss_into, mse_loss_into,
};
use lossfit::kernels::{Backend, with_backend};
use ndarray::{Array1, Array2};

/// Deterministic logits in about [-4, 4] and class targets.
fn inputs(n: usize, c: usize) -> (Array2<f32>, Array1<i64>) {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let x = Array2::from_shape_simple_fn((n, c), || (next() % 8000) as f32 / 1000.0 - 4.0);
    let t = Array1::from_shape_simple_fn(n, || (next() % c as u64) as i64);
    (x, t)
}

fn cross_entropy(criterion: &mut Criterion) {
    for (n, c) in [(8192, 1000), (2048, 32000)] {
        let (x, t) = inputs(n, c);
        let mut grad = Array2::<f32>::zeros((n, c));
        let mut group = criterion.benchmark_group(format!("cross_entropy_{n}x{c}"));
        group.throughput(Throughput::Bytes((n * c * 4) as u64));
        group.sample_size(20);
        for backend in Backend::ALL.into_iter().filter(|b| b.is_supported()) {
            let options = CrossEntropyOptions::default();
            group.bench_function(format!("fwd_bwd_into/{backend}"), |b| {
                b.iter(|| {
                    with_backend(backend, || cross_entropy_into(&x, &t, &options, &mut grad))
                        .unwrap()
                        .unwrap()
                });
            });
            group.bench_function(format!("fwd/{backend}"), |b| {
                b.iter(|| with_backend(backend, || cross_entropy_value(&x, &t, &options)).unwrap());
            });
        }
        let weight = Array1::from_shape_fn(c, |i| 0.5 + (i % 7) as f32 / 4.0);
        let mut t_ignored = t.clone();
        t_ignored.iter_mut().step_by(20).for_each(|v| *v = -100);
        let options = CrossEntropyOptions {
            weight: Some(weight.view()),
            label_smoothing: 0.1,
            ..Default::default()
        };
        group.bench_function("fwd_bwd_into_weight_ignore_smoothing", |b| {
            b.iter(|| cross_entropy_into(&x, &t_ignored, &options, &mut grad).unwrap());
        });
        group.finish();
    }
}

fn elementwise(criterion: &mut Criterion) {
    let (x, _) = inputs(8192, 1000);
    let y = x.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
    let mut grad = Array2::<f32>::zeros(x.raw_dim());
    let mut group = criterion.benchmark_group("elementwise_8192x1000");
    group.throughput(Throughput::Bytes((x.len() * 4) as u64));
    group.sample_size(20);
    group.bench_function("mse_into", |b| {
        b.iter(|| mse_loss_into(&x, &y, &MseOptions::default(), &mut grad).unwrap());
    });
    group.bench_function("huber_into", |b| {
        b.iter(|| huber_loss_into(&x, &y, &HuberOptions::default(), &mut grad).unwrap());
    });
    group.bench_function("bce_with_logits_into", |b| {
        b.iter(|| {
            black_box(
                binary_cross_entropy_with_logits_into(
                    &x,
                    &y,
                    &BceWithLogitsOptions::default(),
                    &mut grad,
                )
                .unwrap(),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, cross_entropy, elementwise);
criterion_main!(benches);
