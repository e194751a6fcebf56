//! Compile-fail and pass cases of the typed layer (trybuild): each misuse is a compile error
//! whose message names the loss, the task or kind, and what fits; each `.stderr` is the
//! message a user sees, read by a person before it was committed.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/task-mismatch/*.rs");
    cases.compile_fail("ui/kind-mismatch/*.rs");
    cases.compile_fail("ui/target-mismatch/*.rs");
    cases.compile_fail("ui/activation/*.rs");
    cases.compile_fail("ui/reduction/*.rs");
    cases.pass("ui/pass/*.rs");
}
