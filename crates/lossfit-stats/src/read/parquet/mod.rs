//! Parquet label columns, one file or a set of shards (`data/train-00000-of-00042.parquet`).
//!
//! Only the label column's pages are read (the footer says where they are), one page at a time,
//! so memory does not grow with the row count. Each row group of each shard is one piece of
//! work; pieces run in parallel on rayon's pool and their counts are merged in file order.
//! Dictionary-encoded pages are counted without decoding ([`pages`]); other encodings, list
//! columns and booleans go through the `parquet` crate's column reader.

mod hybrid;
mod pages;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as Physical};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl, get_column_reader};
use parquet::data_type::DataType;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use parquet::file::serialized_reader::SerializedPageReader;
use parquet::schema::types::{ColumnDescPtr, SchemaDescriptor};

use super::columnar::{self, Counts, DatasetNames, Shape};
use crate::counts::LabelStats;
use crate::error::{ErrorKind, StatsError};
use crate::format::ReadOptions;

/// Values the general reader decodes at a time.
const BATCH: usize = 64 * 1024;

/// The label column of a file, as the readers need it.
#[derive(Clone, Debug)]
pub(super) struct Leaf {
    /// The column as the user names it (`label`, `meta.topic`).
    name: String,
    descr: ColumnDescPtr,
    physical: Physical,
    /// A `UINT_32` / `UINT_64` column.
    unsigned: bool,
    max_def: i16,
    /// A list column whose elements may be null (their definition level is `max_def - 1`).
    element_nullable: bool,
    shape: Shape,
}

/// One shard: its path, footer and the index of the label column's leaf.
#[derive(Debug)]
struct Shard {
    path: PathBuf,
    metadata: Arc<ParquetMetaData>,
    leaf: usize,
}

/// Reads the label column of `files` (one file, or the shards of one dataset).
pub(super) fn read(
    files: &[PathBuf],
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    let mut shards = Vec::with_capacity(files.len());
    let mut column: Option<(Leaf, DatasetNames)> = None;
    for path in files {
        let at = |e: StatsError| e.with_path(path);
        let metadata = footer(path).map_err(at)?;
        let schema = metadata.file_metadata().schema_descr();
        let index = match &column {
            None => {
                let (leaf, index) = choose_leaf(schema, options).map_err(at)?;
                columnar::check_shape(leaf.shape, &leaf.name, options).map_err(at)?;
                let names = dataset_names(&metadata, &leaf.name);
                column = Some((leaf, names));
                index
            }
            Some((first, _)) => same_leaf(schema, first).map_err(at)?,
        };
        shards.push(Shard {
            path: path.clone(),
            metadata,
            leaf: index,
        });
    }
    let Some((leaf, names)) = column else {
        return Err(ErrorKind::Empty.into());
    };
    let pieces: Vec<(usize, usize)> = shards
        .iter()
        .enumerate()
        .flat_map(|(s, shard)| (0..shard.metadata.num_row_groups()).map(move |g| (s, g)))
        .collect();
    let counts = columnar::count_in_parallel(
        &pieces,
        |&(s, g)| {
            let shard = &shards[s];
            u64::try_from(
                shard
                    .metadata
                    .row_group(g)
                    .column(shard.leaf)
                    .compressed_size(),
            )
            .unwrap_or(0)
        },
        |&(s, g)| {
            let shard = &shards[s];
            count_row_group(shard, g, &leaf)
                .map_err(|e| e.with_path(&shard.path).with_column(leaf.name.clone()))
        },
        progress,
    )?;
    let located = |e: StatsError| -> StatsError {
        match files {
            [one] => e.with_path(one).with_column(leaf.name.clone()),
            _ => e.with_column(leaf.name.clone()),
        }
    };
    match leaf.shape {
        Shape::Single => columnar::single_label(&counts, options, names),
        Shape::List => columnar::multi_label(&counts, options, names),
    }
    .map_err(located)
}

/// The file's footer.
fn footer(path: &Path) -> Result<Arc<ParquetMetaData>, StatsError> {
    let file = File::open(path).map_err(ErrorKind::Io)?;
    guarded(|| {
        ParquetMetaDataReader::new()
            .parse_and_finish(&file)
            .map_err(|e| bad(&e))
    })
    .map(Arc::new)
    .map_err(StatsError::new)
}

fn bad(err: &parquet::errors::ParquetError) -> ErrorKind {
    ErrorKind::BadParquet {
        message: err.to_string(),
    }
}

/// Runs a call into the `parquet` crate, turning a panic on a malformed file into an error: the
/// crate validates most of what it reads, but a caller of a label reader must never be brought
/// down by a file.
fn guarded<T, E: From<ErrorKind>>(call: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|_| {
        Err(ErrorKind::BadParquet {
            message: "the Parquet reader failed on malformed data".to_string(),
        }
        .into())
    })
}

/// Counts the label column of one row group.
fn count_row_group(shard: &Shard, group: usize, leaf: &Leaf) -> Result<Counts, StatsError> {
    let file = Arc::new(File::open(&shard.path).map_err(ErrorKind::Io)?);
    let row_group = shard.metadata.row_group(group);
    let chunk = row_group.column(shard.leaf);
    let rows = usize::try_from(row_group.num_rows()).unwrap_or(0);
    let page_reader = || {
        guarded(|| {
            SerializedPageReader::new(Arc::clone(&file), chunk, rows, None).map_err(|e| bad(&e))
        })
    };
    if leaf.shape == Shape::Single && leaf.physical != Physical::BOOLEAN {
        let mut pages = page_reader()?;
        let fast = guarded(|| pages::count(&mut pages, leaf))?;
        if let pages::Fast::Counted(counts) = fast {
            return Ok(counts);
        }
    }
    let pages = page_reader()?;
    let reader = get_column_reader(leaf.descr.clone(), Box::new(pages));
    guarded(|| general(reader, leaf))
}

/// Counts a column chunk with the `parquet` crate's column reader: every encoding, list
/// columns, booleans.
fn general(reader: ColumnReader, leaf: &Leaf) -> Result<Counts, StatsError> {
    let unsigned = leaf.unsigned;
    match reader {
        ColumnReader::BoolColumnReader(r) => {
            drain(r, leaf, |c, v: &bool| c.add_int(i128::from(*v), 1))
        }
        ColumnReader::Int32ColumnReader(r) => drain(r, leaf, |c, v: &i32| {
            c.add_int(widen(i64::from(*v), 32, unsigned), 1)
        }),
        ColumnReader::Int64ColumnReader(r) => {
            drain(r, leaf, |c, &v: &i64| c.add_int(widen(v, 64, unsigned), 1))
        }
        ColumnReader::ByteArrayColumnReader(r) => drain(r, leaf, |c, v| c.add_str(v.data(), 1)),
        _ => Err(ErrorKind::ColumnType {
            column: leaf.name.clone(),
            found: leaf.physical.to_string(),
        }
        .into()),
    }
}

/// An INT32 or INT64 value (`bits`) as the label it is: reinterpreted as unsigned for a
/// `UINT_32` / `UINT_64` column.
pub(super) fn widen(value: i64, bits: u32, unsigned: bool) -> i128 {
    if !unsigned {
        i128::from(value)
    } else if bits == 32 {
        i128::from(value as i32 as u32)
    } else {
        i128::from(value as u64)
    }
}

/// Reads every value of a column chunk into `counts`: flat columns count a label per row (a
/// null is an error), list columns a row per record and a positive per value.
fn drain<T: DataType>(
    mut reader: ColumnReaderImpl<T>,
    leaf: &Leaf,
    mut add: impl FnMut(&mut Counts, &T::T) -> Result<(), ErrorKind>,
) -> Result<Counts, StatsError> {
    let mut counts = Counts::default();
    let mut values: Vec<T::T> = Vec::with_capacity(BATCH);
    let mut def: Vec<i16> = Vec::with_capacity(BATCH);
    let mut rep: Vec<i16> = Vec::with_capacity(BATCH);
    loop {
        values.clear();
        def.clear();
        rep.clear();
        let (records, read, levels) = reader
            .read_records(BATCH, Some(&mut def), Some(&mut rep), &mut values)
            .map_err(|e| StatsError::new(bad(&e)))?;
        if records == 0 && read == 0 && levels == 0 {
            return Ok(counts);
        }
        match leaf.shape {
            Shape::Single => {
                if leaf.max_def > 0 && read < levels {
                    counts.add_nulls((levels - read) as u64);
                }
            }
            Shape::List => {
                counts.add_rows(records as u64);
                // A null or empty list is a row without labels; a null element is a null label.
                let nulls = def.iter().filter(|&&d| d == leaf.max_def - 1).count();
                if leaf.max_def > 0 && leaf.element_nullable {
                    counts.add_nulls(nulls as u64);
                }
            }
        }
        for value in &values {
            add(&mut counts, value)?;
        }
    }
}

/// The label column of a file: a top-level column (see [`columnar::choose_column`]) with one
/// leaf, or the leaf a dotted path names (`meta.topic`).
fn choose_leaf(
    schema: &SchemaDescriptor,
    options: &ReadOptions,
) -> Result<(Leaf, usize), StatsError> {
    let fields: Vec<String> = schema
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let dotted = options
        .column
        .as_deref()
        .filter(|c| c.contains('.') && !fields.iter().any(|f| f == *c));
    let index = if let Some(path) = dotted {
        (0..schema.num_columns())
            .find(|&i| user_path(schema.column(i).path().parts()) == path)
            .ok_or_else(|| ErrorKind::MissingColumn {
                column: path.to_string(),
                available: (0..schema.num_columns())
                    .map(|i| user_path(schema.column(i).path().parts()))
                    .collect(),
            })?
    } else {
        let top = columnar::choose_column(&fields, options)?;
        let leaves: Vec<usize> = (0..schema.num_columns())
            .filter(|&i| schema.get_column_root_idx(i) == top)
            .collect();
        match leaves[..] {
            [leaf] => leaf,
            _ => {
                return Err(ErrorKind::ColumnType {
                    column: fields[top].clone(),
                    found: format!(
                        "a struct (name one of its fields: {})",
                        leaves
                            .iter()
                            .take(4)
                            .map(|&i| format!("`{}`", user_path(schema.column(i).path().parts())))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
                .into());
            }
        }
    };
    let descr = schema.column(index);
    let name = match dotted {
        Some(path) => path.to_string(),
        None => fields[schema.get_column_root_idx(index)].clone(),
    };
    Ok((leaf(descr, name)?, index))
}

/// The same column in a later shard, with the same type.
fn same_leaf(schema: &SchemaDescriptor, first: &Leaf) -> Result<usize, StatsError> {
    let path = first.descr.path();
    let index = (0..schema.num_columns())
        .find(|&i| schema.column(i).path() == path)
        .ok_or_else(|| ErrorKind::MissingColumn {
            column: first.name.clone(),
            available: schema
                .root_schema()
                .get_fields()
                .iter()
                .map(|f| f.name().to_string())
                .collect(),
        })?;
    let descr = schema.column(index);
    if descr.physical_type() != first.physical
        || descr.max_rep_level() != first.descr.max_rep_level()
        || descr.max_def_level() != first.max_def
    {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "column `{}` has another type here than in the first shard; the shards of one \
                 dataset share a schema, so give the shards of one dataset (or one split)",
                first.name
            ),
        }
        .into());
    }
    Ok(index)
}

/// A leaf's path as a user writes it: without the `list` / `element` levels of a list column.
fn user_path(parts: &[String]) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        kept.push(&parts[i]);
        // `x.list.element` (and the older `x.list.item`, `x.bag.array_element`).
        if matches!(parts.get(i + 1).map(String::as_str), Some("list" | "bag"))
            && parts.get(i + 2).is_some()
        {
            i += 3;
        } else {
            i += 1;
        }
    }
    kept.join(".")
}

/// What the readers need to know of a leaf, or why it cannot hold labels.
fn leaf(descr: ColumnDescPtr, name: String) -> Result<Leaf, StatsError> {
    let physical = descr.physical_type();
    let logical = descr.logical_type_ref();
    let converted = descr.converted_type();
    let wrong = |found: String| -> StatsError {
        ErrorKind::ColumnType {
            column: name.clone(),
            found,
        }
        .into()
    };
    let not_a_label = matches!(
        logical,
        Some(
            LogicalType::Decimal { .. }
                | LogicalType::Date
                | LogicalType::Time { .. }
                | LogicalType::Timestamp { .. }
                | LogicalType::Json
                | LogicalType::Bson
                | LogicalType::Uuid
                | LogicalType::Float16
        )
    ) || matches!(
        converted,
        ConvertedType::DECIMAL
            | ConvertedType::DATE
            | ConvertedType::TIME_MILLIS
            | ConvertedType::TIME_MICROS
            | ConvertedType::TIMESTAMP_MILLIS
            | ConvertedType::TIMESTAMP_MICROS
            | ConvertedType::JSON
            | ConvertedType::BSON
            | ConvertedType::INTERVAL
    );
    match physical {
        Physical::FLOAT | Physical::DOUBLE => {
            return Err(wrong(format!("{physical} (floating-point numbers)")));
        }
        Physical::INT96 | Physical::FIXED_LEN_BYTE_ARRAY => {
            return Err(wrong(format!("{physical} values")));
        }
        _ if not_a_label => {
            let what = logical.map_or_else(|| converted.to_string(), |l| format!("{l:?}"));
            return Err(wrong(format!("{what} values")));
        }
        _ => {}
    }
    let unsigned = matches!(
        converted,
        ConvertedType::UINT_8
            | ConvertedType::UINT_16
            | ConvertedType::UINT_32
            | ConvertedType::UINT_64
    ) || matches!(logical, Some(LogicalType::Integer(int)) if !int.is_signed);
    let shape = match descr.max_rep_level() {
        0 => Shape::Single,
        1 => Shape::List,
        _ => return Err(wrong("lists of lists".to_string())),
    };
    let element_nullable = shape == Shape::List
        && descr.self_type().get_basic_info().repetition() == Repetition::OPTIONAL;
    Ok(Leaf {
        name,
        physical,
        unsigned,
        max_def: descr.max_def_level(),
        element_nullable,
        shape,
        descr,
    })
}

/// The class names `datasets` stored in the file's `huggingface` metadata for the column.
fn dataset_names(metadata: &ParquetMetaData, column: &str) -> DatasetNames {
    let value = metadata
        .file_metadata()
        .key_value_metadata()?
        .iter()
        .find(|kv| kv.key == "huggingface")?
        .value
        .as_deref()?;
    columnar::class_label_names(&columnar::huggingface_features(value)?, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/columnar")
    }

    /// Which path counted a column of the first row group: the page counter or the general
    /// reader (`None`: the page counter declined).
    fn fast_path(file: &str, column: &str) -> Option<Counts> {
        let path = fixture().join(file);
        let metadata = footer(&path).unwrap();
        let options = ReadOptions {
            column: Some(column.to_string()),
            ..ReadOptions::default()
        };
        let (leaf, index) = choose_leaf(metadata.file_metadata().schema_descr(), &options).unwrap();
        let file = Arc::new(File::open(&path).unwrap());
        let group = metadata.row_group(0);
        let rows = group.num_rows() as usize;
        let mut pages = SerializedPageReader::new(file, group.column(index), rows, None).unwrap();
        match pages::count(&mut pages, &leaf).unwrap() {
            pages::Fast::Counted(counts) => Some(counts),
            pages::Fast::Unsupported => None,
        }
    }

    #[test]
    fn dictionary_and_plain_pages_take_the_fast_path() {
        for file in ["encodings.parquet", "encodings_v2.parquet"] {
            for column in [
                "label",
                "plain",
                "int32",
                "u32",
                "name",
                "name_plain",
                "many",
                "meta.topic",
            ] {
                assert!(fast_path(file, column).is_some(), "{file} {column}");
            }
            for column in ["delta", "name_delta"] {
                assert!(fast_path(file, column).is_none(), "{file} {column}");
            }
        }
    }

    #[test]
    fn user_paths_drop_list_levels() {
        let parts = |p: &str| p.split('.').map(String::from).collect::<Vec<_>>();
        assert_eq!(user_path(&parts("tags.list.element")), "tags");
        assert_eq!(user_path(&parts("meta.topic")), "meta.topic");
        assert_eq!(user_path(&parts("a.list.item")), "a");
    }
}
