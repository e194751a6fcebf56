//! Sets `cfg(libfuzzer)` in the builds that link libFuzzer: the ones cargo-fuzz makes, with
//! `AddressSanitizer` (its default) or with `--cfg fuzzing` (its default too, but see
//! Cargo.toml for why the targets are run with `--no-cfg-fuzzing`). The condition is the one
//! of the `libfuzzer-sys` dependency in Cargo.toml. Other builds (stable `cargo test`) make the
//! targets plain programs that replay files.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(libfuzzer)");
    println!("cargo::rerun-if-changed=build.rs");
    let fuzzing = std::env::var_os("CARGO_CFG_FUZZING").is_some();
    let asan =
        std::env::var("CARGO_CFG_SANITIZE").is_ok_and(|s| s.split(',').any(|s| s == "address"));
    if fuzzing || asan {
        println!("cargo::rustc-cfg=libfuzzer");
    }
}
