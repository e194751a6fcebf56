//! Arrow IPC label columns: the files `datasets`' `save_to_disk` writes (`data-00000-of-00004.arrow`
//! streams beside `state.json` and `dataset_info.json`), and Arrow IPC files (Feather v2).
//!
//! Only the label column is decoded (a projection); a file is read one record batch at a time, so
//! memory follows the largest batch (`datasets` writes 1,000 rows per batch), never the row
//! count. Files are read in parallel and their counts merged in order. Class names come from the
//! `ClassLabel` feature: the `huggingface` metadata of the schema, else `dataset_info.json`.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_ipc::reader::{FileReader, StreamReader};
use arrow_schema::{ArrowError, DataType, SchemaRef};

use super::columnar::{self, Counts, DatasetNames, Shape};
use crate::counts::LabelStats;
use crate::error::{ErrorKind, StatsError};
use crate::format::ReadOptions;

/// The magic bytes an Arrow IPC file (not a stream) starts with.
const FILE_MAGIC: &[u8; 6] = b"ARROW1";

/// Reads the label column of `files` (one file, or the files of one dataset).
pub(super) fn read(
    files: &[PathBuf],
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    let first = files.first().ok_or(ErrorKind::Empty)?;
    let (schema, _) = open(first, None).map_err(|e| e.with_path(first))?;
    let fields: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let index = columnar::choose_column(&fields, options).map_err(|e| e.with_path(first))?;
    let name = fields[index].clone();
    let shape = shape(schema.field(index).data_type(), &name).map_err(|e| e.with_path(first))?;
    columnar::check_shape(shape, &name, options).map_err(|e| e.with_path(first))?;
    let names = schema
        .metadata()
        .get("huggingface")
        .and_then(|m| columnar::huggingface_features(m))
        .and_then(|features| columnar::class_label_names(&features, &name))
        .or_else(|| dataset_info_names(first, &name));
    let counts = columnar::count_in_parallel(
        files,
        |path| std::fs::metadata(path).map_or(0, |m| m.len()),
        |path| {
            count_file(path, &name, shape).map_err(|e| e.with_path(path).with_column(name.clone()))
        },
        progress,
    )?;
    let located = |e: StatsError| match files {
        [one] => e.with_path(one).with_column(name.clone()),
        _ => e.with_column(name.clone()),
    };
    match shape {
        Shape::Single => columnar::single_label(&counts, options, names),
        Shape::List => columnar::multi_label(&counts, options, names),
    }
    .map_err(located)
}

/// A file's batches: an IPC file when it starts with `ARROW1`, else a stream.
enum Batches {
    File(FileReader<BufReader<File>>),
    Stream(StreamReader<BufReader<File>>),
}

impl Iterator for Batches {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::File(r) => r.next(),
            Self::Stream(r) => r.next(),
        }
    }
}

/// Opens a file, decoding only the column at `projection` (all columns when `None`).
fn open(path: &Path, projection: Option<usize>) -> Result<(SchemaRef, Batches), StatsError> {
    let mut file = File::open(path).map_err(ErrorKind::Io)?;
    let mut magic = [0u8; 6];
    let is_file = file.read_exact(&mut magic).is_ok() && &magic == FILE_MAGIC;
    file.seek(SeekFrom::Start(0)).map_err(ErrorKind::Io)?;
    let projection = projection.map(|i| vec![i]);
    let batches = guarded(|| {
        if is_file {
            FileReader::try_new_buffered(file, projection).map(Batches::File)
        } else {
            StreamReader::try_new_buffered(file, projection).map(Batches::Stream)
        }
        .map_err(|e| StatsError::new(bad(&e)))
    })?;
    let schema = match &batches {
        Batches::File(r) => r.schema(),
        Batches::Stream(r) => r.schema(),
    };
    Ok((schema, batches))
}

fn bad(err: &ArrowError) -> ErrorKind {
    ErrorKind::BadArrow {
        message: err.to_string(),
    }
}

/// Runs a call into the Arrow crates, turning a panic on a malformed file into an error (a
/// caller of a label reader must never be brought down by a file).
fn guarded<T>(call: impl FnOnce() -> Result<T, StatsError>) -> Result<T, StatsError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|_| {
        Err(ErrorKind::BadArrow {
            message: "the Arrow reader failed on malformed data".to_string(),
        }
        .into())
    })
}

/// Counts the column `name` of one file.
fn count_file(path: &Path, name: &str, shape: Shape) -> Result<Counts, StatsError> {
    let (schema, _) = open(path, None)?;
    let index = schema
        .index_of(name)
        .map_err(|_| ErrorKind::MissingColumn {
            column: name.to_string(),
            available: schema.fields().iter().map(|f| f.name().clone()).collect(),
        })?;
    if self::shape(schema.field(index).data_type(), name)? != shape {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "column `{name}` has another type here than in the first file; the files of one \
                 dataset share a schema, so give the files of one dataset (or one split)"
            ),
        }
        .into());
    }
    let (_, mut batches) = open(path, Some(index))?;
    let mut counts = Counts::default();
    // Decoding a batch is where a malformed file is met: inside the guard, as is the count.
    while let Some(batch) = guarded(|| Ok::<_, StatsError>(batches.next()))? {
        let batch = batch.map_err(|e| bad(&e))?;
        guarded(|| add_column(batch.column(0).as_ref(), name, shape, &mut counts))?;
    }
    Ok(counts)
}

/// Whether a column's type holds one label per row or a list of them.
fn shape(data_type: &DataType, name: &str) -> Result<Shape, StatsError> {
    let wrong = |found: String| -> StatsError {
        ErrorKind::ColumnType {
            column: name.to_string(),
            found,
        }
        .into()
    };
    match data_type {
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            if label_type(item.data_type()) {
                Ok(Shape::List)
            } else {
                Err(wrong(format!("lists of {}", item.data_type())))
            }
        }
        t if label_type(t) => Ok(Shape::Single),
        t => Err(wrong(format!("{t} values"))),
    }
}

/// Whether a type holds class ids or names.
fn label_type(data_type: &DataType) -> bool {
    match data_type {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Boolean
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => label_type(values),
        _ => false,
    }
}

/// Counts a batch's label column.
fn add_column(
    array: &dyn Array,
    name: &str,
    shape: Shape,
    counts: &mut Counts,
) -> Result<(), StatsError> {
    match shape {
        Shape::Single => {
            if array.null_count() > 0 {
                counts.add_nulls(array.null_count() as u64);
                return Ok(());
            }
            add_values(array, name, counts)
        }
        Shape::List => {
            counts.add_rows(array.len() as u64);
            let values = match array.data_type() {
                DataType::List(_) => {
                    let list = array.as_list::<i32>();
                    let offsets = list.value_offsets();
                    let (start, end) = (offsets[0] as usize, offsets[offsets.len() - 1] as usize);
                    list.values().slice(start, end - start)
                }
                DataType::LargeList(_) => {
                    let list = array.as_list::<i64>();
                    let offsets = list.value_offsets();
                    let (start, end) = (offsets[0] as usize, offsets[offsets.len() - 1] as usize);
                    list.values().slice(start, end - start)
                }
                _ => {
                    let list = array.as_fixed_size_list();
                    let size = list.value_length() as usize;
                    list.values().slice(list.offset() * size, list.len() * size)
                }
            };
            if values.null_count() > 0 {
                counts.add_nulls(values.null_count() as u64);
                return Ok(());
            }
            add_values(values.as_ref(), name, counts)
        }
    }
}

/// Counts every value of a flat array without nulls.
fn add_values(array: &dyn Array, name: &str, counts: &mut Counts) -> Result<(), StatsError> {
    macro_rules! ints {
        ($t:ty, $wide:expr) => {{
            for &v in array.as_primitive::<$t>().values().iter() {
                counts.add_int($wide(v), 1)?;
            }
        }};
    }
    match array.data_type() {
        DataType::Int8 => ints!(Int8Type, i128::from),
        DataType::Int16 => ints!(Int16Type, i128::from),
        DataType::Int32 => ints!(Int32Type, i128::from),
        DataType::Int64 => ints!(Int64Type, i128::from),
        DataType::UInt8 => ints!(UInt8Type, i128::from),
        DataType::UInt16 => ints!(UInt16Type, i128::from),
        DataType::UInt32 => ints!(UInt32Type, i128::from),
        DataType::UInt64 => ints!(UInt64Type, i128::from),
        DataType::Boolean => {
            let bools = array.as_boolean();
            let ones = bools.true_count() as u64;
            let zeros = bools.len() as u64 - ones;
            for (value, n) in [(0, zeros), (1, ones)] {
                if n > 0 {
                    counts.add_int(value, n)?;
                }
            }
        }
        DataType::Utf8 => {
            for v in array.as_string::<i32>().iter().flatten() {
                counts.add_str(v.as_bytes(), 1)?;
            }
        }
        DataType::LargeUtf8 => {
            for v in array.as_string::<i64>().iter().flatten() {
                counts.add_str(v.as_bytes(), 1)?;
            }
        }
        DataType::Utf8View => {
            for v in array.as_string_view().iter().flatten() {
                counts.add_str(v.as_bytes(), 1)?;
            }
        }
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let values = dict.values();
            let mut uses = vec![0u64; values.len()];
            for key in dict.normalized_keys() {
                if let Some(slot) = uses.get_mut(key) {
                    *slot += 1;
                }
            }
            for (i, &n) in uses.iter().enumerate() {
                if n > 0 {
                    add_one(values.as_ref(), i, n, name, counts)?;
                }
            }
        }
        other => {
            return Err(ErrorKind::ColumnType {
                column: name.to_string(),
                found: format!("{other} values"),
            }
            .into());
        }
    }
    Ok(())
}

/// Counts `n` rows of the value at `i` of a dictionary's values.
fn add_one(
    values: &dyn Array,
    i: usize,
    n: u64,
    name: &str,
    counts: &mut Counts,
) -> Result<(), StatsError> {
    if values.is_null(i) {
        return Err(ErrorKind::NullLabel { count: n }.into());
    }
    macro_rules! int {
        ($t:ty) => {
            i128::from(values.as_primitive::<$t>().value(i))
        };
    }
    let value = match values.data_type() {
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Boolean => i128::from(values.as_boolean().value(i)),
        DataType::Utf8 => {
            return Ok(counts.add_str(values.as_string::<i32>().value(i).as_bytes(), n)?);
        }
        DataType::LargeUtf8 => {
            return Ok(counts.add_str(values.as_string::<i64>().value(i).as_bytes(), n)?);
        }
        DataType::Utf8View => {
            return Ok(counts.add_str(values.as_string_view().value(i).as_bytes(), n)?);
        }
        other => {
            return Err(ErrorKind::ColumnType {
                column: name.to_string(),
                found: format!("dictionaries of {other}"),
            }
            .into());
        }
    };
    Ok(counts.add_int(value, n)?)
}

/// The class names of `column` in `dataset_info.json` beside the file (`save_to_disk` output).
fn dataset_info_names(file: &Path, column: &str) -> DatasetNames {
    let info = file.parent()?.join("dataset_info.json");
    let text = std::fs::read_to_string(info).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    columnar::class_label_names(value.get("features")?, column)
}
