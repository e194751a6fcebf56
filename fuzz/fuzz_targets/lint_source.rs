//! `cargo +nightly fuzz run --no-cfg-fuzzing lint_source`; the body is [`lossfit_fuzz::lint_source`]. Built
//! without cargo-fuzz, this is a program that runs the body on each file named on its command
//! line: `cargo run --manifest-path fuzz/Cargo.toml --bin lint_source -- FILE..`.
#![cfg_attr(libfuzzer, no_main)]

// proc-macro2 keeps no span locations under `--cfg fuzzing`: every position would be 1:1.
#[cfg(fuzzing)]
compile_error!(
    "build the fuzz targets with `cargo +nightly fuzz run --no-cfg-fuzzing ..` (or `cargo xtask fuzz`): under --cfg fuzzing proc-macro2 drops span locations and the Rust frontend sees every token at 1:1"
);

#[cfg(libfuzzer)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lossfit_fuzz::lint_source(data));

#[cfg(not(libfuzzer))]
fn main() {
    lossfit_fuzz::replay_args("lint_source", lossfit_fuzz::lint_source);
}
