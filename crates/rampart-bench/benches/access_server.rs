//! The server's who-can-reach path with its cached analysis index: a node with 2k native
//! roles and 2k native users (plus the built-in ones); `cached` asks twice the same store
//! revision (the index is reused: key check + query), `rebuilt` writes a role first so every
//! ask rebuilds the index.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_core::analysis::Target;
use rampart_server::api::access::who_answer;
use rampart_server::settings::Settings;
use rampart_server::startup::{NodeConfig, build_state};
use rampart_store::UserRecord;
use serde_json::json;

const ROLES: usize = 2_000;
const USERS: usize = 2_000;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let config = NodeConfig {
        data_dir: dir.path().join("data"),
        config_dir: None,
        settings: Settings::default(),
        elastic_password: Some("bench-password".into()),
    };
    let (state, _) = build_state(&config).unwrap();
    let roles: Vec<(String, serde_json::Value)> = (0..ROLES)
        .map(|i| {
            (
                format!("role-{i}"),
                json!({"cluster": if i % 100 == 0 { vec!["monitor"] } else { vec![] },
                       "indices": [{"names": [format!("idx-{i}-*"), format!("team-{}", i / 10)],
                                    "privileges": ["read"]}]}),
            )
        })
        .collect();
    state.store.put_roles(&roles).unwrap();
    for u in 0..USERS {
        state
            .store
            .put_user(&UserRecord {
                username: format!("user-{u}"),
                password_hash: String::new(),
                roles: vec![
                    format!("role-{}", u % ROLES),
                    format!("role-{}", (u * 7) % ROLES),
                ],
                full_name: None,
                email: None,
                metadata: Default::default(),
                enabled: true,
            })
            .unwrap();
    }
    let target = || Target::Index {
        name: "team-42".into(),
        privilege: "read".into(),
    };
    let mut g = c.benchmark_group("access_server");
    g.sample_size(10);
    g.bench_function("who/cached", |b| {
        b.iter(|| who_answer(&state, target(), None).unwrap())
    });
    let mut n = 0u64;
    g.bench_function("who/rebuilt-after-a-write", |b| {
        b.iter(|| {
            n += 1;
            let doc = json!({"indices": [{"names": [format!("x-{n}")], "privileges": ["read"]}]});
            state.store.put_role("churn", &doc).unwrap();
            who_answer(&state, target(), None).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
