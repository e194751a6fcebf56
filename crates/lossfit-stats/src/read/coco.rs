//! COCO annotation files (`instances_train2017.json`): the number of annotations of each
//! category, with the names and the class order from `categories`.
//!
//! ```text
//! {"images": [...],
//!  "annotations": [{"id": 1, "image_id": 9, "category_id": 18, "bbox": [...], ...}, ...],
//!  "categories": [{"id": 1, "name": "person", "supercategory": "person"}, ...]}
//! ```
//! The file is streamed: `images` and every annotation field but `category_id` are skipped
//! without being held, and annotations are counted as they are read, so memory stays constant in
//! the number of annotations (it grows with the number of categories only). The classes are the
//! categories sorted by id, named by `name` (COCO's ids have gaps: index `i` is the `i`-th
//! category, as detection libraries map them); a category without annotations is kept with count
//! 0, an annotation whose `category_id` is not listed is an error.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::counts::{ClassCounts, ClassLabel, LabelStats};
use crate::error::{ErrorKind, StatsError};
use crate::format::ReadOptions;

/// The top-level keys of a COCO file: a `.json` object whose first key is one of them is read
/// as COCO rather than as counts.
pub(crate) const KEYS: [&str; 5] = ["info", "licenses", "images", "annotations", "categories"];

pub(super) fn read(reader: impl Read, options: &ReadOptions) -> Result<LabelStats, StatsError> {
    super::single_label_only(options, "COCO annotations")?;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let file = FileSeed
        .deserialize(&mut de)
        .and_then(|file| de.end().map(|()| file))
        .map_err(json_error)?;
    let Some(categories) = file.categories else {
        return Err(ErrorKind::BadJson {
            message: "a COCO file without `categories`: the class names and order come from it"
                .to_string(),
        }
        .into());
    };
    let mut by_id: BTreeMap<u64, String> = BTreeMap::new();
    for category in categories {
        if let Some(name) = by_id.insert(category.id, category.name.clone()) {
            return Err(ErrorKind::BadJson {
                message: format!(
                    "category id {} is listed twice (`{name}` and `{}`)",
                    category.id, category.name
                ),
            }
            .into());
        }
    }
    if let Some((&id, _)) = file.counts.iter().find(|(id, _)| !by_id.contains_key(id)) {
        return Err(ErrorKind::BadJson {
            message: format!(
                "an annotation has category_id {id}, which `categories` does not list"
            ),
        }
        .into());
    }
    if file.annotations == 0 {
        return Err(ErrorKind::Empty.into());
    }
    let names: Vec<String> = by_id.values().cloned().collect();
    let pairs = by_id.iter().map(|(id, name)| {
        (
            ClassLabel::from(name.as_str()),
            file.counts.get(id).copied().unwrap_or(0),
        )
    });
    super::check_class_count(options, names.len())?;
    Ok(LabelStats::MultiClass(
        ClassCounts::from_pairs(pairs).with_class_names(&names)?,
    ))
}

/// What the file holds that counts.
#[derive(Default)]
struct File {
    categories: Option<Vec<Category>>,
    /// Annotations per category id.
    counts: BTreeMap<u64, u64>,
    annotations: u64,
}

#[derive(Deserialize)]
struct Category {
    id: u64,
    name: String,
}

/// One annotation: only its category is read (serde skips the other fields).
#[derive(Deserialize)]
struct Annotation {
    category_id: u64,
}

struct FileSeed;

impl<'de> DeserializeSeed<'de> for FileSeed {
    type Value = File;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<File, D::Error> {
        deserializer.deserialize_map(FileVisitor)
    }
}

struct FileVisitor;

impl<'de> Visitor<'de> for FileVisitor {
    type Value = File;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a COCO object with `annotations` and `categories`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<File, A::Error> {
        let mut file = File::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "annotations" => {
                    let (counts, n) = map.next_value_seed(AnnotationsSeed)?;
                    for (id, count) in counts {
                        *file.counts.entry(id).or_default() += count;
                    }
                    file.annotations += n;
                }
                "categories" => file.categories = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(file)
    }
}

/// The `annotations` array, counted element by element.
struct AnnotationsSeed;

impl<'de> DeserializeSeed<'de> for AnnotationsSeed {
    type Value = (BTreeMap<u64, u64>, u64);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for AnnotationsSeed {
    type Value = (BTreeMap<u64, u64>, u64);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of annotations with a `category_id` each")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut counts = BTreeMap::new();
        let mut n = 0u64;
        while let Some(annotation) = seq.next_element::<Annotation>()? {
            *counts.entry(annotation.category_id).or_default() += 1;
            n += 1;
        }
        Ok((counts, n))
    }
}

/// A parser error at its line.
fn json_error(err: serde_json::Error) -> StatsError {
    if err.is_io() {
        return ErrorKind::Io(std::io::Error::from(err)).into();
    }
    let line = err.line() as u64;
    let kind = ErrorKind::BadJson {
        message: format!("not a COCO annotation file: {err}"),
    };
    let err = StatsError::new(kind);
    if line > 0 { err.with_line(line) } else { err }
}
