//! Throughput of `read_labels` on 10-million-row files (CSV, text, NPY, JSON array), generated
//! into a temporary directory that is removed afterwards. Run: `cargo bench -p lossfit-stats`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use lossfit_stats::{LabelStats, ReadOptions, read_labels};

const ROWS: u64 = 10_000_000;
const CLASSES: u64 = 10;

/// Writes one of the benchmark files.
type Generate = fn(&Path);

/// A skewed but deterministic label sequence: class `c` has weight `c + 1`.
fn label(i: u64) -> u64 {
    let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40; // scrambled, 24 bits
    let bucket = x % (CLASSES * (CLASSES + 1) / 2);
    (0..CLASSES)
        .scan(0, |acc, c| {
            *acc += c + 1;
            Some((c, *acc))
        })
        .find(|&(_, upto)| bucket < upto)
        .map_or(0, |(c, _)| c)
}

fn write_file(path: &Path, write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).expect("create"));
    write(&mut out).expect("write");
    out.flush().expect("flush");
}

fn csv(path: &Path) {
    write_file(path, |out| {
        writeln!(out, "id,label")?;
        for i in 0..ROWS {
            writeln!(out, "{i},{}", label(i))?;
        }
        Ok(())
    });
}

fn text(path: &Path) {
    write_file(path, |out| {
        for i in 0..ROWS {
            writeln!(out, "{}", label(i))?;
        }
        Ok(())
    });
}

fn json_array(path: &Path) {
    write_file(path, |out| {
        out.write_all(b"[")?;
        for i in 0..ROWS {
            if i > 0 {
                out.write_all(b",")?;
            }
            write!(out, "{}", label(i))?;
        }
        out.write_all(b"]\n")
    });
}

fn npy(path: &Path) {
    write_file(path, |out| {
        let mut header =
            format!("{{'descr': '<i8', 'fortran_order': False, 'shape': ({ROWS},), }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        out.write_all(b"\x93NUMPY\x01\x00")?;
        out.write_all(
            &u16::try_from(header.len())
                .expect("short header")
                .to_le_bytes(),
        )?;
        out.write_all(header.as_bytes())?;
        for i in 0..ROWS {
            out.write_all(&(label(i) as i64).to_le_bytes())?;
        }
        Ok(())
    });
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then only smoke-run.
    let full = std::env::args().any(|a| a == "--bench");
    if !full {
        println!("read_labels bench: run with `cargo bench -p lossfit-stats`");
        return;
    }
    let dir =
        TempDir(std::env::temp_dir().join(format!("lossfit-stats-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).expect("temp dir");
    let files: [(&str, Generate); 4] = [
        ("labels.csv", csv),
        ("labels.txt", text),
        ("labels.npy", npy),
        ("labels.json", json_array),
    ];
    println!("read_labels, {ROWS} rows, {CLASSES} classes (best of 3 reads)");
    for (name, generate) in files {
        let path = dir.0.join(name);
        generate(&path);
        let bytes = std::fs::metadata(&path).expect("metadata").len();
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let start = Instant::now();
            let stats = read_labels(&path, &ReadOptions::default()).expect("read");
            let secs = start.elapsed().as_secs_f64();
            best = best.min(secs);
            let LabelStats::MultiClass(counts) = stats else {
                panic!("multi-class")
            };
            assert_eq!(counts.total(), ROWS);
            assert_eq!(counts.len(), CLASSES as usize);
        }
        println!(
            "{name:<12} {:>7.1} MB  {best:>6.3} s  {:>6.1} M rows/s  {:>7.1} MB/s",
            bytes as f64 / 1e6,
            ROWS as f64 / best / 1e6,
            bytes as f64 / best / 1e6,
        );
        let _ = std::fs::remove_file(&path);
    }
}
