//! Compile-fail and pass cases of the typed layer and of `#[derive(ModelOutput)]` (trybuild):
//! each misuse is a compile error whose message names the loss, the task or kind, and what
//! fits; each `.stderr` is the message a user sees, read by a person before it was committed.

/// The `.stderr` files are rustc's messages, which change between releases: they are compared
/// only on the toolchain they were made with (`rust-toolchain.toml`), clap's way. On another
/// toolchain the test is ignored, and says so, rather than failing on wording.
#[rustversion::attr(not(stable(1.95.0)), ignore = "compile errors are pinned to Rust 1.95.0")]
#[test]
fn ui() {
    // The derive reads label files at compile time relative to `$LOSSFIT_LABELS_DIR` when set;
    // trybuild compiles the cases in a project of its own, so point it at the fixtures.
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/data");
    // SAFETY: set before trybuild (or anything else in this test binary) starts a thread that
    // could read the environment; this is the binary's only test.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("LOSSFIT_LABELS_DIR", data);
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/task-mismatch/*.rs");
    cases.compile_fail("ui/kind-mismatch/*.rs");
    cases.compile_fail("ui/target-mismatch/*.rs");
    cases.compile_fail("ui/element-mismatch/*.rs");
    cases.compile_fail("ui/activation/*.rs");
    cases.compile_fail("ui/reduction/*.rs");
    cases.compile_fail("ui/derive/*.rs");
    cases.pass("ui/pass/*.rs");
    cases.pass("ui/derive-pass/*.rs");
}
