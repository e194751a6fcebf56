"""Driver of `cargo xtask bench labels`: losslint against DuckDB counting a Parquet label column.

Writes (once, reused when there) ROWS rows in SHARDS Parquet shards with DuckDB's own writer:
an `id` BIGINT and a `label` BIGINT of 10 classes with a 512:1 imbalance (class c holds 2^c of
every 1023 rows). Then, per thread count, times in interleaved rounds (the order alternating):

- DuckDB: `SELECT label, count(*) FROM '<dir>/*.parquet' GROUP BY label`, in this process on one
  connection with `SET threads = N` (Python and the import are not timed);
- losslint: `losslint stats --format json '<dir>/*.parquet'` as a whole process
  (RAYON_NUM_THREADS=N; process start and output included). Its peak RSS is measured in one more,
  untimed run under `/usr/bin/time -f %M` (a child forked from this process would count the
  pages it shares with DuckDB's).

Both must report the same counts. Prints one line per round and a markdown summary (also written
to OUT/summary.md with the raw runs in OUT/runs.json).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import duckdb


def generate(directory, rows, shards):
    marker = os.path.join(directory, f".complete-{rows}-{shards}")
    if os.path.exists(marker):
        return
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))
    con = duckdb.connect()
    per = rows // shards
    started = time.perf_counter()
    for shard in range(shards):
        lo = shard * per
        hi = rows if shard == shards - 1 else lo + per
        path = os.path.join(directory, f"train-{shard:05d}-of-{shards:05d}.parquet")
        con.execute(
            f"""COPY (SELECT i AS id,
                             floor(log2((hash(i) % 1023) + 1))::BIGINT AS label
                      FROM range({lo}, {hi}) t(i))
                TO '{path}' (FORMAT parquet)"""
        )
    open(marker, "w").close()
    size = sum(os.path.getsize(os.path.join(directory, f)) for f in os.listdir(directory))
    print(f"wrote {rows:,} rows in {shards} shards ({size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - started:.1f} s", flush=True)


def duckdb_counts(con, pattern):
    started = time.perf_counter()
    rows = con.execute(f"SELECT label, count(*) FROM '{pattern}' GROUP BY label").fetchall()
    return time.perf_counter() - started, {int(label): n for label, n in rows}


def losslint_counts(binary, pattern, threads):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    started = time.perf_counter()
    out = subprocess.run([binary, "stats", "--format", "json", pattern], env=env,
                         capture_output=True, check=True)
    elapsed = time.perf_counter() - started
    report = json.loads(out.stdout)[0]
    return elapsed, {int(c["label"]): c["count"] for c in report["classes"]}


def peak_rss(binary, pattern, threads):
    """losslint's peak RSS in KiB, from GNU time in a separate run."""
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "stats", "--format", "json", pattern],
                         env=env, capture_output=True, check=True, text=True)
    return int(out.stderr.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--losslint", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    generate(args.data, args.rows, args.shards)
    pattern = os.path.join(args.data, "*.parquet")
    os.makedirs(args.out, exist_ok=True)
    results = []
    for threads in [int(t) for t in args.threads.split(",")]:
        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")
        # Warm-up: the page cache, DuckDB's first query, the binary.
        _, expected = duckdb_counts(con, pattern)
        _, got = losslint_counts(args.losslint, pattern, threads)
        if got != expected:
            sys.exit(f"counts differ: losslint {got} vs DuckDB {expected}")
        times = {"duckdb": [], "losslint": []}
        for round_ in range(args.runs):
            order = ["duckdb", "losslint"] if round_ % 2 == 0 else ["losslint", "duckdb"]
            for who in order:
                if who == "duckdb":
                    elapsed, counts = duckdb_counts(con, pattern)
                else:
                    elapsed, counts = losslint_counts(args.losslint, pattern, threads)
                if counts != expected:
                    sys.exit(f"{who} counted {counts}, expected {expected}")
                times[who].append(elapsed)
            print(f"threads {threads} round {round_ + 1}: DuckDB {times['duckdb'][-1]:.3f} s, "
                  f"losslint {times['losslint'][-1]:.3f} s", flush=True)
        results.append({"threads": threads, "times": times, "peak_rss_kib": peak_rss(args.losslint, pattern, threads)})
    peak_kb = max(r["peak_rss_kib"] for r in results)

    lines = [
        f"Counting a {args.rows:,}-row BIGINT label column in {args.shards} Parquet shards "
        f"(DuckDB {duckdb.__version__}'s writer; 10 classes, 512:1), {args.runs} interleaved rounds",
        "",
        "| threads | DuckDB median (min) | losslint median (min) | DuckDB / losslint |",
        "|---|---|---|---|",
    ]
    for r in results:
        d, l = r["times"]["duckdb"], r["times"]["losslint"]
        lines.append(
            f"| {r['threads']} | {statistics.median(d):.3f} s ({min(d):.3f}) | "
            f"{statistics.median(l):.3f} s ({min(l):.3f}) | "
            f"{statistics.median(d) / statistics.median(l):.2f}x |"
        )
    lines += ["", "losslint peak RSS (GNU time): " + ", ".join(
        f"{r['peak_rss_kib'] / 1024:.1f} MiB at {r['threads']} thread(s)" for r in results)]
    summary = "\n".join(lines)
    print("\n" + summary)
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(summary + "\n")
    with open(os.path.join(args.out, "runs.json"), "w") as f:
        json.dump({"results": results, "peak_rss_kib": peak_kb, "rows": args.rows,
                   "shards": args.shards, "duckdb": duckdb.__version__}, f, indent=1)


if __name__ == "__main__":
    main()
