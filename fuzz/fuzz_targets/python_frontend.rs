//! `cargo +nightly fuzz run --no-cfg-fuzzing python_frontend`; the body is
//! [`lossfit_fuzz::python_frontend`]. Built without cargo-fuzz, this is a program that runs the
//! body on each file named on its command line:
//! `cargo run --manifest-path fuzz/Cargo.toml --bin python_frontend -- FILE..`.
#![cfg_attr(libfuzzer, no_main)]

#[cfg(libfuzzer)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lossfit_fuzz::python_frontend(data));

#[cfg(not(libfuzzer))]
fn main() {
    lossfit_fuzz::replay_args("python_frontend", lossfit_fuzz::python_frontend);
}
