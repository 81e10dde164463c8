#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Rough throughput probe: `cargo run --release --example throughput [pattern]`.
//! Prints build times for large literal sets and matching speed in ns/byte.
use rampart_automaton::{Automaton, PatternSet, TaggedMatcher};
use std::time::Instant;

fn main() {
    let apps = [
        "dashboard",
        "visualization",
        "canvas",
        "maps",
        "ml",
        "apm",
        "uptime",
        "siem",
        "fleet",
        "osquery",
    ];
    let mut names = Vec::new();
    for i in 0..5000 {
        let app = apps[i % apps.len()];
        names.push(match i % 4 {
            0 => format!("saved_object:{app}-{i}/get"),
            1 => format!("ui:{app}/show{i}"),
            2 => format!("api:{app}_{i}"),
            _ => format!("app:{app}/{i}"),
        });
    }
    let mut set = PatternSet::new(&names).unwrap();
    for round in 0..3 {
        let t = Instant::now();
        set = PatternSet::new(&names).unwrap();
        println!(
            "PatternSet 5000 literals (round {round}): {:?}",
            t.elapsed()
        );
    }
    let t = Instant::now();
    let a = set.to_automaton().unwrap();
    println!("to_automaton: {:?} states={}", t.elapsed(), a.state_count());
    let t = Instant::now();
    let b = Automaton::from_patterns(&names).unwrap();
    println!(
        "from_patterns literals: {:?} states={}",
        t.elapsed(),
        b.state_count()
    );
    let mut with_wild = names.clone();
    with_wild.push("saved_object:*/get".into());
    with_wild.push("/api:(ml|apm)_1.*/".into());
    let t = Instant::now();
    let c = Automaton::from_patterns(&with_wild).unwrap();
    println!(
        "from_patterns mixed (one determinization): {:?} states={}",
        t.elapsed(),
        c.state_count()
    );

    let d = Automaton::from_pattern(
        &std::env::args()
            .nth(1)
            .unwrap_or("/~(([.]|ilm-history-).*)/".into()),
    )
    .unwrap();
    let text: String = "logs-abcdefghij-2024.01.01-".repeat(40);
    let iters = 200_000;
    let t = Instant::now();
    let mut hits = 0;
    for _ in 0..iters {
        if d.matches(std::hint::black_box(&text)) {
            hits += 1;
        }
    }
    let el = t.elapsed();
    println!(
        "match: {:.3} ns/byte (hits {hits})",
        el.as_nanos() as f64 / (iters as f64 * text.len() as f64)
    );
    let t = Instant::now();
    let mut hits = 0;
    for n in &names {
        if set.matches(n) {
            hits += 1;
        }
    }
    println!("set.matches 5000: {:?} hits={hits}", t.elapsed());
    let parts: Vec<(u32, PatternSet)> = (0..50)
        .map(|i| {
            (
                i,
                PatternSet::new([
                    format!("logs-{i}-*"),
                    format!("/metrics-{i}[a-z]+/"),
                    format!("idx-{i}"),
                ])
                .unwrap(),
            )
        })
        .collect();
    let t = Instant::now();
    let m = TaggedMatcher::new(parts).unwrap();
    println!(
        "tagged build 50 parts: {:?} combined={}",
        t.elapsed(),
        m.is_combined()
    );
    let t = Instant::now();
    let mut n = 0;
    for i in 0..100_000u32 {
        n += m.matching_tags(&format!("metrics-{}abc", i % 60)).len();
    }
    println!("tagged 100k lookups: {:?} n={n}", t.elapsed());
    let t = Instant::now();
    let r = Automaton::from_pattern("/(a|b)*a(a|b){40}/");
    println!("pathological: {:?} {:?}", t.elapsed(), r.err());
}
