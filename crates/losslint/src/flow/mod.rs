//! The value-flow engine's language-neutral core: a file's functions and methods as a
//! [`Program`], and the summaries that carry values across them.
//!
//! A frontend lowers a file into a [`Program`]: one entry per function body, keyed by its
//! owner type and name, plus which struct fields (or `self` attributes) each body writes. Its
//! per-body evaluator asks the engine, at a call site, for the callee's summary (the abstract
//! value it returns, per tuple element and field), and at a field read for what the field
//! holds (the join of every value the file writes to it). The engine analyses each body at
//! most once, on demand, through the frontend's [`Analyser`]: the analysis that produces a
//! body's summary also produces its loss sites, so nothing is walked twice.
//!
//! Recursion (a body whose analysis reaches itself) and chains deeper than
//! [`MAX_NESTED`] give unknown values: unknown stays unknown, and nothing unknown produces a
//! finding. A body that got an unknown only because another body was still being analysed
//! (a method reading a field its caller writes) is stale: it is analysed again when its
//! findings are taken, once the others are done.
//!
//! The engine also records the arguments of every call of a file body, so that a loss inside
//! a helper (`fn loss(recon: &Tensor, ..)`) can judge a parameter by what the file's callers
//! pass ([`Flow::calls`]).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

pub(crate) mod counts;
pub(crate) mod value;

/// Analyses in progress at once (a call chain followed this deep stops there).
pub(crate) const MAX_NESTED: usize = 24;

/// A function's identity in a file: `owner` is the type of the `impl` that holds it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct FnKey {
    pub(crate) owner: Option<String>,
    pub(crate) name: String,
}

/// A field of a type defined in the file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct FieldKey {
    pub(crate) ty: String,
    pub(crate) field: String,
}

/// Abstract values: an unknown element and a join (the value two paths agree on).
pub(crate) trait Lattice: Clone {
    fn unknown() -> Self;
    #[must_use]
    fn join(&self, other: &Self) -> Self;
}

/// The frontend's analysis of one body: its summary value, and what else it found (sites).
pub(crate) trait Analyser<B> {
    type Value: Lattice;
    type Found;
    /// Analyses `body`: its summary value and what it found. Values the body stores into
    /// fields reach the engine through [`Flow::store`] as it goes.
    fn analyse(&self, body: &B) -> (Self::Value, Self::Found);
}

/// A file's function bodies, lowered by a frontend.
#[derive(Debug)]
pub(crate) struct Program<B> {
    entries: Vec<(FnKey, B)>,
    by_key: HashMap<FnKey, Vec<usize>>,
    writers: HashMap<FieldKey, Vec<usize>>,
}

impl<B> Default for Program<B> {
    fn default() -> Self {
        Program {
            entries: Vec::new(),
            by_key: HashMap::new(),
            writers: HashMap::new(),
        }
    }
}

impl<B> Program<B> {
    /// Adds a body and the fields it writes.
    pub(crate) fn add(&mut self, key: FnKey, writes: Vec<FieldKey>, body: B) {
        let index = self.entries.len();
        self.by_key.entry(key.clone()).or_default().push(index);
        for field in writes {
            self.writers.entry(field).or_default().push(index);
        }
        self.entries.push((key, body));
    }

    /// The number of bodies.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The body at `index`.
    pub(crate) fn body(&self, index: usize) -> Option<&B> {
        self.entries.get(index).map(|(_, body)| body)
    }

    /// The one body with this key; `None` when there is none or several (two modules
    /// defining the same name: which one a call means cannot be seen).
    pub(crate) fn unique(&self, key: &FnKey) -> Option<usize> {
        match self.by_key.get(key).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// Whether a field of the file's types is written anywhere.
    pub(crate) fn is_written(&self, field: &FieldKey) -> bool {
        self.writers.contains_key(field)
    }
}

/// The state of one body's analysis.
#[derive(Debug)]
enum Slot<V, F> {
    Pending,
    Running,
    Done { summary: V, found: Option<F> },
}

/// Something a body recorded (a store, a call's arguments), with the body (none outside any).
type ByBody<T> = (Option<usize>, T);

/// Summaries over a program, computed on demand.
#[derive(Debug)]
pub(crate) struct Flow<'p, B, V, F> {
    program: &'p Program<B>,
    slots: RefCell<Vec<Slot<V, F>>>,
    /// What each body stored into each field (the field holds their join).
    fields: RefCell<HashMap<FieldKey, Vec<ByBody<V>>>>,
    /// The bodies being analysed, innermost last (its length is the nesting depth).
    running: RefCell<Vec<usize>>,
    /// Bodies whose analysis met one still running: analysed again for their findings.
    stale: RefCell<HashSet<usize>>,
    /// The arguments of every call of each body, as its callers passed them, with the caller.
    /// A body analysed again takes back what its earlier analysis recorded (its calls and
    /// stores): that analysis saw unknowns the new one does not.
    calls: RefCell<HashMap<usize, Vec<ByBody<Vec<V>>>>>,
}

impl<'p, B, V: Lattice, F> Flow<'p, B, V, F> {
    pub(crate) fn new(program: &'p Program<B>) -> Self {
        Flow {
            program,
            slots: RefCell::new((0..program.len()).map(|_| Slot::Pending).collect()),
            fields: RefCell::new(HashMap::new()),
            running: RefCell::new(Vec::new()),
            stale: RefCell::new(HashSet::new()),
            calls: RefCell::new(HashMap::new()),
        }
    }

    /// The program the summaries are over.
    pub(crate) fn program(&self) -> &'p Program<B> {
        self.program
    }

    /// Analyses the body at `index` unless it was analysed already (or is being analysed).
    fn ensure<A>(&self, index: usize, analyser: &A)
    where
        A: Analyser<B, Value = V, Found = F>,
    {
        let pending = matches!(self.slots.borrow().get(index), Some(Slot::Pending));
        if !pending || self.running.borrow().len() >= MAX_NESTED {
            return;
        }
        let Some(body) = self.program.body(index) else {
            return;
        };
        self.run(index, body, analyser);
    }

    fn run<A>(&self, index: usize, body: &B, analyser: &A)
    where
        A: Analyser<B, Value = V, Found = F>,
    {
        if let Some(slot) = self.slots.borrow_mut().get_mut(index) {
            *slot = Slot::Running;
        }
        // An earlier analysis of this body (now stale) recorded what it saw then.
        for calls in self.calls.borrow_mut().values_mut() {
            calls.retain(|(caller, _)| *caller != Some(index));
        }
        for stores in self.fields.borrow_mut().values_mut() {
            stores.retain(|(writer, _)| *writer != Some(index));
        }
        self.running.borrow_mut().push(index);
        let (summary, found) = analyser.analyse(body);
        self.running.borrow_mut().pop();
        if let Some(slot) = self.slots.borrow_mut().get_mut(index) {
            *slot = Slot::Done {
                summary,
                found: Some(found),
            };
        }
    }

    /// Whether the body at `index` is done; if not, the body asking (the innermost one
    /// running) saw an unknown it would not see later, and becomes stale.
    fn done_or_stale(&self, index: usize) -> bool {
        let done = matches!(self.slots.borrow().get(index), Some(Slot::Done { .. }));
        if !done && let Some(&asking) = self.running.borrow().last() {
            self.stale.borrow_mut().insert(asking);
        }
        done
    }

    /// What the body at `index` returns; unknown while it is being analysed (recursion).
    pub(crate) fn summary<A>(&self, index: usize, analyser: &A) -> V
    where
        A: Analyser<B, Value = V, Found = F>,
    {
        self.ensure(index, analyser);
        if !self.done_or_stale(index) {
            return V::unknown();
        }
        match self.slots.borrow().get(index) {
            Some(Slot::Done { summary, .. }) => summary.clone(),
            _ => V::unknown(),
        }
    }

    /// What the analysis of the body at `index` found, once: analysed now if it was not yet.
    pub(crate) fn take_found<A>(&self, index: usize, analyser: &A) -> Option<F>
    where
        A: Analyser<B, Value = V, Found = F>,
    {
        self.ensure(index, analyser);
        if self.stale.borrow_mut().remove(&index)
            && let Some(body) = self.program.body(index)
        {
            self.run(index, body, analyser);
            self.stale.borrow_mut().remove(&index);
        }
        match self.slots.borrow_mut().get_mut(index) {
            Some(Slot::Done { found, .. }) => found.take(),
            _ => None,
        }
    }

    /// Records a call of the body at `index` with these argument values.
    pub(crate) fn record_call(&self, index: usize, args: Vec<V>) {
        let caller = self.running.borrow().last().copied();
        self.calls
            .borrow_mut()
            .entry(index)
            .or_default()
            .push((caller, args));
    }

    /// What the file's callers pass as parameter `param` of the body at `index`: the join over
    /// every call, or unknown when there is none.
    pub(crate) fn calls(&self, index: usize, param: usize) -> V {
        let calls = self.calls.borrow();
        calls
            .get(&index)
            .into_iter()
            .flatten()
            .map(|(_, args)| args.get(param).cloned().unwrap_or_else(V::unknown))
            .reduce(|a, b| a.join(&b))
            .unwrap_or_else(V::unknown)
    }

    /// Records a value stored into a field: the field holds the join of every store.
    pub(crate) fn store(&self, field: FieldKey, value: V) {
        let writer = self.running.borrow().last().copied();
        self.fields
            .borrow_mut()
            .entry(field)
            .or_default()
            .push((writer, value));
    }

    /// What a field holds: every body that writes it is analysed first, so the value is the
    /// join over the whole file; unknown when one of them is still being analysed.
    pub(crate) fn load<A>(&self, field: &FieldKey, analyser: &A) -> V
    where
        A: Analyser<B, Value = V, Found = F>,
    {
        let Some(writers) = self.program.writers.get(field) else {
            return V::unknown();
        };
        for &index in writers {
            // The asking body's own stores are made as it goes.
            if self.running.borrow().last() == Some(&index) {
                continue;
            }
            self.ensure(index, analyser);
            if !self.done_or_stale(index) {
                return V::unknown();
            }
        }
        self.fields
            .borrow()
            .get(field)
            .into_iter()
            .flatten()
            .map(|(_, value)| value.clone())
            .reduce(|a, b| a.join(&b))
            .unwrap_or_else(V::unknown)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// A toy lattice: a known number or unknown.
    #[derive(Clone, Debug, PartialEq)]
    enum N {
        Unknown,
        Known(i32),
    }

    impl Lattice for N {
        fn unknown() -> Self {
            N::Unknown
        }
        fn join(&self, other: &Self) -> Self {
            if self == other {
                self.clone()
            } else {
                N::Unknown
            }
        }
    }

    /// What a toy body does; its summary is the value it computes.
    enum Body {
        Const(i32),
        Call(usize),
        Store(i32),
        /// Stores, then calls a body (which may read the field back).
        StoreCall(i32, usize),
        Load,
    }

    struct Toy<'f> {
        flow: &'f Flow<'f, Body, N, N>,
        analysed: Cell<usize>,
    }

    impl Analyser<Body> for Toy<'_> {
        type Value = N;
        /// What the body computed (as a finding would depend on it).
        type Found = N;
        fn analyse(&self, body: &Body) -> (N, N) {
            self.analysed.set(self.analysed.get() + 1);
            let value = match body {
                Body::Const(n) => N::Known(*n),
                Body::Call(index) => self.flow.summary(*index, self),
                Body::Store(n) => {
                    self.flow.store(field(), N::Known(*n));
                    N::Unknown
                }
                Body::StoreCall(n, index) => {
                    self.flow.store(field(), N::Known(*n));
                    self.flow.summary(*index, self)
                }
                Body::Load => self.flow.load(&field(), self),
            };
            (value.clone(), value)
        }
    }

    fn field() -> FieldKey {
        FieldKey {
            ty: "Model".into(),
            field: "probs".into(),
        }
    }

    fn program(bodies: Vec<Body>) -> Program<Body> {
        let mut program = Program::default();
        for (i, body) in bodies.into_iter().enumerate() {
            let writes = if matches!(body, Body::Store(_) | Body::StoreCall(..)) {
                vec![field()]
            } else {
                Vec::new()
            };
            let key = FnKey {
                owner: None,
                name: format!("f{i}"),
            };
            program.add(key, writes, body);
        }
        program
    }

    #[test]
    fn summaries_follow_calls_and_each_body_is_analysed_once() {
        let program = program(vec![Body::Call(1), Body::Call(2), Body::Const(7)]);
        let flow = Flow::new(&program);
        let toy = Toy {
            flow: &flow,
            analysed: Cell::new(0),
        };
        assert_eq!(flow.summary(0, &toy), N::Known(7));
        assert_eq!(toy.analysed.get(), 3);
        assert_eq!(flow.summary(2, &toy), N::Known(7));
        assert_eq!(toy.analysed.get(), 3);
        assert!(flow.take_found(1, &toy).is_some());
        assert!(flow.take_found(1, &toy).is_none(), "found is taken once");
    }

    #[test]
    fn recursion_is_unknown() {
        let program = program(vec![Body::Call(1), Body::Call(0)]);
        let flow = Flow::new(&program);
        let toy = Toy {
            flow: &flow,
            analysed: Cell::new(0),
        };
        assert_eq!(flow.summary(0, &toy), N::Unknown);
    }

    #[test]
    fn fields_join_every_store_in_the_file() {
        let agree = program(vec![Body::Load, Body::Store(3), Body::Store(3)]);
        let flow = Flow::new(&agree);
        let toy = Toy {
            flow: &flow,
            analysed: Cell::new(0),
        };
        assert_eq!(flow.summary(0, &toy), N::Known(3));

        let disagree = program(vec![Body::Load, Body::Store(3), Body::Store(4)]);
        let flow = Flow::new(&disagree);
        let toy = Toy {
            flow: &flow,
            analysed: Cell::new(0),
        };
        assert_eq!(flow.summary(0, &toy), N::Unknown);
    }

    #[test]
    fn a_body_that_met_a_running_writer_is_analysed_again() {
        // Body 0 stores the field and calls body 1, which reads it: while 0 runs, 1 sees an
        // unknown; its findings, taken afterwards, come from a second analysis.
        let program = program(vec![Body::StoreCall(5, 1), Body::Load]);
        let flow = Flow::new(&program);
        let toy = Toy {
            flow: &flow,
            analysed: Cell::new(0),
        };
        assert_eq!(flow.take_found(0, &toy), Some(N::Unknown));
        assert_eq!(flow.take_found(1, &toy), Some(N::Known(5)));
        assert_eq!(toy.analysed.get(), 3);
    }

    #[test]
    fn calls_join_the_arguments_of_every_caller() {
        let program = program(vec![Body::Const(0)]);
        let flow: Flow<'_, Body, N, N> = Flow::new(&program);
        assert_eq!(flow.calls(0, 0), N::Unknown);
        flow.record_call(0, vec![N::Known(1), N::Known(2)]);
        flow.record_call(0, vec![N::Known(1), N::Known(3)]);
        assert_eq!(flow.calls(0, 0), N::Known(1));
        assert_eq!(flow.calls(0, 1), N::Unknown);
        assert_eq!(flow.calls(0, 2), N::Unknown);
    }

    #[test]
    fn a_body_analysed_again_takes_back_its_earlier_calls_and_stores() {
        struct Recorder<'f> {
            flow: &'f Flow<'f, Body, N, N>,
            runs: Cell<i32>,
        }
        impl Analyser<Body> for Recorder<'_> {
            type Value = N;
            type Found = N;
            fn analyse(&self, _: &Body) -> (N, N) {
                // The first analysis saw an unknown; the second sees the value.
                self.runs.set(self.runs.get() + 1);
                let seen = if self.runs.get() == 1 {
                    N::Unknown
                } else {
                    N::Known(7)
                };
                self.flow.record_call(1, vec![seen.clone()]);
                self.flow.store(field(), seen.clone());
                (N::Unknown, N::Unknown)
            }
        }
        let program = program(vec![Body::Const(0), Body::Const(1)]);
        let flow: Flow<'_, Body, N, N> = Flow::new(&program);
        let recorder = Recorder {
            flow: &flow,
            runs: Cell::new(0),
        };
        let body = Body::Const(0);
        flow.run(0, &body, &recorder);
        assert_eq!(flow.calls(1, 0), N::Unknown);
        flow.run(0, &body, &recorder);
        assert_eq!(flow.calls(1, 0), N::Known(7));
        assert_eq!(flow.fields.borrow().get(&field()).map(Vec::len), Some(1));
    }

    #[test]
    fn unique_keys_only() {
        let mut program = Program::default();
        let key = FnKey {
            owner: Some("Model".into()),
            name: "forward".into(),
        };
        program.add(key.clone(), Vec::new(), Body::Const(1));
        assert_eq!(program.unique(&key), Some(0));
        program.add(key.clone(), Vec::new(), Body::Const(2));
        assert_eq!(program.unique(&key), None);
    }
}
