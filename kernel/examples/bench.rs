//! The kernel's own benchmark: the same workloads as `make bench-engines`, called straight from
//! Rust, so the cost of reaching the kernel through napi or WebAssembly shows against it.
//!
//! `bench` (run by `make bench-kernel`, release profile, the workspace's pinned flags): every
//! workload is called once to warm up, then timed `reps` times; a sample that would take under
//! 2 ms repeats the call in a loop and divides, so timer resolution does not count. Every answer is
//! checked against fixtures/vectors.json. Median and min are printed in ns per call and written
//! to bench/results/kernel-latest.json.
//!
//! `bench sample "WORKLOAD NAME"`: one warm-up call and one such sample of that workload, printed
//! as JSON. bench/engines.ts runs it as the "rust" row inside its rotation, so pure Rust and the
//! engines are measured in the same rounds, under the same load from other processes.

// The crate's rust-version (1.63) is for the library, which wasm/ builds with Debian's Rust 1.63;
// this example only ever runs under rustup's stable toolchain, so black_box (1.66) is fine here.
#![allow(clippy::incompatible_msrv)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const MIN_SAMPLE: Duration = Duration::from_millis(2);

struct Workload {
    name: String,
    reps: usize,
    run: Box<dyn Fn() -> String>,
    expected: String,
}

fn main() {
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/fixtures/vectors.json"))
            .expect("read fixtures/vectors.json"),
    )
    .expect("fixtures/vectors.json is JSON");
    let primes: BTreeMap<u64, u64> = vectors["primes"]
        .as_array()
        .expect("primes array")
        .iter()
        .map(|v| (v["limit"].as_u64().unwrap(), v["count"].as_u64().unwrap()))
        .collect();
    let digests: BTreeMap<u64, String> = vectors["sha256_chain"]
        .as_array()
        .expect("sha256_chain array")
        .iter()
        .map(|v| {
            (
                v["rounds"].as_u64().unwrap(),
                v["digest"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let hex = |d: [u8; 32]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();

    let mut workloads = vec![Workload {
        name: "default: prime_limit=500000 + hash_rounds=1000000".into(),
        reps: 15,
        run: Box::new(move || {
            let count = kernel::sieve_count(black_box(500_000));
            format!(
                "{count} {}",
                hex(kernel::sha256_chain(black_box(1_000_000)))
            )
        }),
        expected: format!("{} {}", primes[&500_000], digests[&1_000_000]),
    }];
    for rounds in [1_000u64, 10_000, 100_000, 1_000_000, 10_000_000] {
        workloads.push(Workload {
            name: format!("sha256_chain rounds={rounds}"),
            reps: if rounds >= 10_000_000 { 3 } else { 11 },
            run: Box::new(move || hex(kernel::sha256_chain(black_box(rounds)))),
            expected: digests[&rounds].clone(),
        });
    }
    for limit in [10_000u64, 100_000, 1_000_000, 10_000_000, 100_000_000] {
        workloads.push(Workload {
            name: format!("sieve_count limit={limit}"),
            reps: if limit >= 100_000_000 { 5 } else { 11 },
            run: Box::new(move || kernel::sieve_count(black_box(limit)).to_string()),
            expected: primes[&limit].to_string(),
        });
    }

    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, name] = args.as_slice() {
        assert_eq!(cmd, "sample", "usage: bench [sample WORKLOAD]");
        let w = workloads
            .iter()
            .find(|w| &w.name == name)
            .unwrap_or_else(|| panic!("no workload named {name:?}"));
        let (calls, samples) = measure(w, 1);
        let (wall, cpu) = samples[0];
        println!(
            "{}",
            json!({ "workload": w.name, "calls_per_sample": calls, "ns_per_call": wall, "cpu_ns_per_call": cpu })
        );
        return;
    }

    println!("kernel bench: pure Rust, no JS. Each workload: 1 warm-up call, then `reps` samples;");
    println!("samples under 2 ms loop the call and divide. Every answer checked against fixtures/vectors.json.");
    println!(
        "CPU time is this thread's (CLOCK_THREAD_CPUTIME_ID): other processes do not inflate it."
    );
    println!(
        "{:<52} {:>5} {:>16} {:>16} {:>16}",
        "workload", "reps", "median ns/call", "min ns/call", "median cpu ns"
    );
    let mut results = Vec::new();
    for w in &workloads {
        let (calls_per_sample, samples) = measure(w, w.reps);
        let mut wall: Vec<f64> = samples.iter().map(|s| s.0).collect();
        let mut cpu: Vec<f64> = samples.iter().map(|s| s.1).collect();
        let (median, min, cpu_median) = (median(&mut wall), wall[0], median(&mut cpu));
        println!(
            "{:<52} {:>5} {:>16.0} {:>16.0} {:>16.0}",
            w.name, w.reps, median, min, cpu_median
        );
        results.push(json!({
            "workload": w.name, "reps": w.reps, "calls_per_sample": calls_per_sample,
            "median_ns": median, "min_ns": min, "median_cpu_ns": cpu_median,
        }));
    }

    let dir = format!("{ROOT}/bench/results");
    std::fs::create_dir_all(&dir).expect("create bench/results");
    let report = json!({
        "bench": "kernel",
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "target_features": target_features(),
        "results": results,
    });
    let path = format!("{dir}/kernel-latest.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap() + "\n")
        .expect("write results");
    println!("wrote bench/results/kernel-latest.json");
}

/// One warm-up call, then `reps` samples: the calls per sample, and each sample's wall-clock ns
/// per call with its CPU ns per call (wall-clock where the OS does not report CPU time).
fn measure(w: &Workload, reps: usize) -> (usize, Vec<(f64, f64)>) {
    let start = Instant::now();
    assert_eq!((w.run)(), w.expected, "{}: wrong answer", w.name);
    let once = start.elapsed();
    let calls_per_sample = if once >= MIN_SAMPLE {
        1
    } else {
        (MIN_SAMPLE.as_nanos() / once.as_nanos().max(1)) as usize + 1
    };
    let samples = (0..reps)
        .map(|_| {
            let cpu_start = thread_cpu_ns();
            let start = Instant::now();
            for _ in 0..calls_per_sample {
                assert_eq!((w.run)(), w.expected, "{}: wrong answer", w.name);
            }
            let wall = start.elapsed().as_nanos() as f64;
            let cpu = match (cpu_start, thread_cpu_ns()) {
                (Some(a), Some(b)) => (b - a) as f64,
                _ => wall,
            };
            (
                wall / calls_per_sample as f64,
                cpu / calls_per_sample as f64,
            )
        })
        .collect();
    (calls_per_sample, samples)
}

/// Sorts `xs` and returns its median (the mean of the middle two for an even count).
fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

/// Time this thread has run on a CPU, in ns: unlike wall-clock time, it does not grow while other
/// processes on a shared machine hold the CPU.
fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call, and
    // clock_gettime writes nothing else.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

/// The speed-relevant target features this binary was compiled with (from the pinned rustflags).
fn target_features() -> Vec<&'static str> {
    let mut features = Vec::new();
    if cfg!(target_feature = "popcnt") {
        features.push("popcnt");
    }
    if cfg!(target_feature = "sse4.2") {
        features.push("sse4.2");
    }
    if cfg!(target_feature = "avx2") {
        features.push("avx2");
    }
    if cfg!(target_feature = "sha") {
        features.push("sha");
    }
    features
}
