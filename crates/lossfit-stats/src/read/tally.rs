//! Counting labels as they stream past: the ids-or-names rule, declared classes, binary
//! labels, in memory that grows with the number of classes, never with the number of rows.

use std::collections::HashMap;

use crate::counts::{ClassCounts, ClassLabel};
use crate::error::ErrorKind;

/// Ids below this are counted in a vector; larger ones in a map.
const DENSE_IDS: u64 = 1 << 16;
/// More distinct classes than this means the column holds something else (ids, paths,
/// captions): stop before memory grows with the rows.
pub(crate) const MAX_CLASSES: usize = 1_000_000;

/// Whether the labels seen so far are ids or names (the first label decides).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unknown,
    Ids,
    Names,
}

/// What a trimmed label field is.
enum Parsed<'a> {
    Id(u64),
    Negative(i64),
    /// All digits (after an optional `-`) but out of range.
    TooLarge,
    Name(&'a [u8]),
}

/// Per-class counts of a single-label file, filled one label at a time.
pub(crate) struct Tally {
    kind: Kind,
    /// `Some(c)`: ids must be below `c`.
    classes: Option<usize>,
    /// Labels must be 0 or 1 (errors are `NotBinary`).
    binary: bool,
    dense: Vec<u64>,
    seen: Vec<bool>,
    sparse: HashMap<u64, u64>,
    names: HashMap<Box<[u8]>, u64>,
    rows: u64,
    /// [`MAX_CLASSES`], lower in tests.
    limit: usize,
    /// The labels come in no particular order (the keys of a JSON object): a name after ids
    /// makes every label a name, instead of an error.
    unordered: bool,
}

impl Tally {
    pub(crate) fn new(classes: Option<usize>, binary: bool) -> Self {
        Self {
            kind: Kind::Unknown,
            classes,
            binary,
            dense: Vec::new(),
            seen: Vec::new(),
            sparse: HashMap::new(),
            names: HashMap::new(),
            rows: 0,
            limit: MAX_CLASSES,
            unordered: false,
        }
    }

    /// The same tally for labels in no particular order (see `unordered`).
    pub(crate) fn unordered(mut self) -> Self {
        self.unordered = true;
        self
    }

    /// Turns the ids counted so far into names (their decimal form): a later label showed the
    /// labels are names.
    fn ids_to_names(&mut self) -> Result<(), ErrorKind> {
        let dense = std::mem::take(&mut self.dense);
        let seen = std::mem::take(&mut self.seen);
        let sparse = std::mem::take(&mut self.sparse);
        let ids = dense
            .into_iter()
            .zip(seen)
            .enumerate()
            .filter(|(_, (_, seen))| *seen)
            .map(|(id, (count, _))| (id as u64, count))
            .chain(sparse);
        for (id, count) in ids {
            self.check_room()?;
            self.names.insert(id.to_string().into_bytes().into(), count);
        }
        self.kind = Kind::Names;
        Ok(())
    }

    /// Counts `n` samples of the label written as `field` (surrounding whitespace ignored).
    pub(crate) fn add_field(&mut self, field: &[u8], n: u64) -> Result<(), ErrorKind> {
        let field = field.trim_ascii();
        if field.is_empty() {
            return Err(ErrorKind::EmptyLabel);
        }
        if self.kind == Kind::Names {
            return self.add_name(field, n);
        }
        match parse(field) {
            Parsed::Id(id) => self.add_id(id, n),
            Parsed::Negative(_) | Parsed::TooLarge if self.binary => Err(not_binary(field)),
            Parsed::Negative(value) => Err(ErrorKind::NegativeClass { value }),
            Parsed::TooLarge => Err(not_an_integer(field)),
            Parsed::Name(name) => {
                if self.binary {
                    Err(not_binary(name))
                } else if self.kind == Kind::Ids && !(self.unordered && self.classes.is_none()) {
                    Err(not_an_integer(name))
                } else if self.classes.is_some() {
                    Err(ErrorKind::NamedClasses {
                        name: String::from_utf8_lossy(name).into_owned(),
                    })
                } else {
                    if self.kind == Kind::Ids {
                        self.ids_to_names()?;
                    }
                    self.kind = Kind::Names;
                    self.add_name(name, n)
                }
            }
        }
    }

    /// Counts `n` samples of an integer label (a JSON number, an NPY element); in a file of
    /// names it is the name written in decimal.
    pub(crate) fn add_int(&mut self, id: u64, n: u64) -> Result<(), ErrorKind> {
        if self.kind == Kind::Names {
            return self.add_name(id.to_string().as_bytes(), n);
        }
        self.add_id(id, n)
    }

    /// The error for a negative integer label: `-1` is a name in a file of names.
    pub(crate) fn add_negative(&mut self, value: i64, n: u64) -> Result<(), ErrorKind> {
        if self.kind == Kind::Names {
            return self.add_name(value.to_string().as_bytes(), n);
        }
        if self.binary {
            return Err(ErrorKind::NotBinary {
                value: value.to_string(),
            });
        }
        Err(ErrorKind::NegativeClass { value })
    }

    fn add_id(&mut self, id: u64, n: u64) -> Result<(), ErrorKind> {
        if self.binary && id > 1 {
            return Err(ErrorKind::NotBinary {
                value: id.to_string(),
            });
        }
        if let Some(classes) = self.classes
            && id >= classes as u64
        {
            return Err(ErrorKind::ClassOutOfRange { id, classes });
        }
        self.kind = Kind::Ids;
        self.rows = self.rows.saturating_add(n);
        if id < DENSE_IDS {
            let i = id as usize;
            if i >= self.dense.len() {
                self.dense.resize(i + 1, 0);
                self.seen.resize(i + 1, false);
            }
            if let (Some(count), Some(seen)) = (self.dense.get_mut(i), self.seen.get_mut(i)) {
                *count = count.saturating_add(n);
                *seen = true;
            }
        } else if let Some(count) = self.sparse.get_mut(&id) {
            *count = count.saturating_add(n);
        } else {
            self.check_room()?;
            self.sparse.insert(id, n);
        }
        Ok(())
    }

    fn add_name(&mut self, name: &[u8], n: u64) -> Result<(), ErrorKind> {
        self.rows = self.rows.saturating_add(n);
        if let Some(count) = self.names.get_mut(name) {
            *count = count.saturating_add(n);
            return Ok(());
        }
        if std::str::from_utf8(name).is_err() {
            return Err(ErrorKind::NotUtf8);
        }
        self.check_room()?;
        self.names.insert(name.into(), n);
        Ok(())
    }

    fn check_room(&self) -> Result<(), ErrorKind> {
        if self.names.len() + self.sparse.len() >= self.limit {
            return Err(ErrorKind::TooManyClasses { limit: self.limit });
        }
        Ok(())
    }

    /// The counts, over `0..classes` when a class count was declared (`0..2` when binary).
    ///
    /// [`ErrorKind::Empty`] when no label was counted.
    pub(crate) fn finish(self) -> Result<ClassCounts, ErrorKind> {
        if self.rows == 0 {
            return Err(ErrorKind::Empty);
        }
        let dense = self
            .dense
            .into_iter()
            .zip(self.seen)
            .enumerate()
            .filter(|(_, (_, seen))| *seen)
            .map(|(id, (count, _))| (ClassLabel::Id(id as u64), count));
        let sparse = self
            .sparse
            .into_iter()
            .map(|(id, count)| (ClassLabel::Id(id), count));
        let names = self.names.into_iter().map(|(name, count)| {
            let name = String::from_utf8_lossy(&name).into_owned();
            (ClassLabel::Name(name), count)
        });
        let counts = ClassCounts::from_pairs(dense.chain(sparse).chain(names));
        let declared = if self.binary { Some(2) } else { self.classes };
        match declared {
            Some(classes) => counts
                .with_declared_classes(classes)
                .map_err(crate::error::StatsError::into_kind),
            None => Ok(counts),
        }
    }
}

fn not_binary(field: &[u8]) -> ErrorKind {
    ErrorKind::NotBinary {
        value: String::from_utf8_lossy(field).into_owned(),
    }
}

fn not_an_integer(field: &[u8]) -> ErrorKind {
    ErrorKind::NotAnInteger {
        value: String::from_utf8_lossy(field).into_owned(),
    }
}

/// Whether a label field (surrounding whitespace ignored) is an integer, which makes it a class
/// id unless the labels are names.
#[cfg(any(feature = "parquet", feature = "arrow"))]
pub(crate) fn is_integer(field: &[u8]) -> bool {
    !matches!(parse(field.trim_ascii()), Parsed::Name(_))
}

/// Digits are an id, `-` and digits a negative id; anything else is a name.
fn parse(field: &[u8]) -> Parsed<'_> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, field),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Parsed::Name(field);
    }
    let mut value: u64 = 0;
    for &d in digits {
        let Some(next) = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        else {
            return Parsed::TooLarge;
        };
        value = next;
    }
    if !negative {
        return Parsed::Id(value);
    }
    match i64::try_from(value) {
        Ok(0) => Parsed::Id(0),
        Ok(v) => Parsed::Negative(-v),
        Err(_) => Parsed::TooLarge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(
        fields: &[&str],
        classes: Option<usize>,
        binary: bool,
    ) -> Result<Vec<(String, u64)>, ErrorKind> {
        let mut t = Tally::new(classes, binary);
        for f in fields {
            t.add_field(f.as_bytes(), 1)?;
        }
        Ok(t.finish()?
            .iter()
            .map(|(l, c)| (l.to_string(), c))
            .collect())
    }

    #[test]
    fn ids_and_names() {
        let r = tally(&["2", " 0", "2 ", "007"], None, false).unwrap();
        assert_eq!(r, [("0".into(), 1), ("2".into(), 2), ("7".into(), 1)]);
        let r = tally(&["cat", "3", "-1", "cat"], None, false).unwrap();
        assert_eq!(r, [("-1".into(), 1), ("3".into(), 1), ("cat".into(), 2)]);
        let r = tally(&["70000", "5", "70000"], None, false).unwrap();
        assert_eq!(r, [("5".into(), 1), ("70000".into(), 2)]);
    }

    #[test]
    fn first_label_decides() {
        assert!(matches!(
            tally(&["1", "cat"], None, false),
            Err(ErrorKind::NotAnInteger { value }) if value == "cat"
        ));
        assert!(matches!(
            tally(&["-3"], None, false),
            Err(ErrorKind::NegativeClass { value: -3 })
        ));
        assert!(matches!(
            tally(&["99999999999999999999"], None, false),
            Err(ErrorKind::NotAnInteger { .. })
        ));
        assert!(matches!(
            tally(&[" "], None, false),
            Err(ErrorKind::EmptyLabel)
        ));
        assert!(matches!(tally(&[], None, false), Err(ErrorKind::Empty)));
    }

    #[test]
    fn declared_and_binary() {
        let r = tally(&["1"], Some(3), false).unwrap();
        assert_eq!(r, [("0".into(), 0), ("1".into(), 1), ("2".into(), 0)]);
        assert!(matches!(
            tally(&["3"], Some(3), false),
            Err(ErrorKind::ClassOutOfRange { id: 3, classes: 3 })
        ));
        assert!(matches!(
            tally(&["cat"], Some(3), false),
            Err(ErrorKind::NamedClasses { .. })
        ));
        let r = tally(&["1", "1"], None, true).unwrap();
        assert_eq!(r, [("0".into(), 0), ("1".into(), 2)]);
        for bad in ["2", "-1", "yes"] {
            assert!(matches!(
                tally(&[bad], None, true),
                Err(ErrorKind::NotBinary { value }) if value == bad
            ));
        }
    }

    #[test]
    fn too_many_classes_stops_the_count() {
        for labels in [["a", "b", "c", "a"], ["70000", "70001", "70002", "70000"]] {
            let mut t = Tally::new(None, false);
            t.limit = 2;
            t.add_field(labels[0].as_bytes(), 1).unwrap();
            t.add_field(labels[1].as_bytes(), 1).unwrap();
            assert!(matches!(
                t.add_field(labels[2].as_bytes(), 1),
                Err(ErrorKind::TooManyClasses { limit: 2 })
            ));
            t.add_field(labels[3].as_bytes(), 1).unwrap();
        }
    }

    #[test]
    fn zero_counts_are_kept_as_classes() {
        let mut t = Tally::new(None, false);
        t.add_field(b"0", 0).unwrap();
        t.add_field(b"1", 5).unwrap();
        let c = t.finish().unwrap();
        assert_eq!(c.counts(), [0, 5]);
    }
}
