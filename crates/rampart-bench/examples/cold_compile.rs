//! The first compile in a fresh process: what a node pays for `kibana_system` + `kibana_admin`
//! before any of the engine's per-process caches (privilege lists, pattern sets, restricted
//! names) are warm. Criterion's `compile/kibana_system+kibana_admin` measures the warm case;
//! this prints the cold one, one line per phase, so it is run as a process per sample:
//!
//! `for i in 1 2 3 4 5; do cargo run --release -q -p rampart-bench --example cold_compile; done`
// A bench fixture: a failed setup should stop the run loudly; it never sees request input.
#![allow(clippy::expect_used)]

use std::time::Instant;

use rampart_bench::kibana::{kibana_privileges, load_features, total_actions};
use rampart_core::builtin::BuiltinRoles;
use rampart_core::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};

fn main() {
    let (features, _) = load_features();
    let privileges = kibana_privileges(&features);
    let actions = total_actions(&privileges);
    let roles = BuiltinRoles::load().expect("built-in roles load");
    let kibana: Vec<_> = ["kibana_system", "kibana_admin"]
        .iter()
        .map(|n| roles.get(n).cloned().expect("built-in role exists"))
        .collect();

    let started = Instant::now();
    let store = ApplicationPrivilegeStore::new(privileges);
    let restricted = RestrictedIndices::builtin().expect("restricted indices");
    let setup = started.elapsed();
    // Warm the per-process caches with a role that has no application privileges, to split
    // process start-up from the cost of Kibana's application privileges.
    let superuser = [roles
        .get("superuser")
        .cloned()
        .expect("built-in role exists")];
    let started = Instant::now();
    let warmup = Permission::compile(&superuser, &[], &store, &restricted).expect("compiles");
    let warmup_time = started.elapsed();
    // Kibana's application privileges alone: the first use of the stored privileges.
    let admin = [roles
        .get("kibana_admin")
        .cloned()
        .expect("built-in role exists")];
    let started = Instant::now();
    let admin_first = Permission::compile(&admin, &[], &store, &restricted).expect("compiles");
    let admin_time = started.elapsed();
    let started = Instant::now();
    let first = Permission::compile(&kibana, &[], &store, &restricted).expect("compiles");
    let cold = started.elapsed();
    let started = Instant::now();
    let second = Permission::compile(&kibana, &[], &store, &restricted).expect("compiles");
    let warm = started.elapsed();
    std::hint::black_box((warmup, admin_first, first, second));
    println!(
        "{actions} actions: store+restricted {:.2} ms, superuser first {:.2} ms, kibana_admin first {:.2} ms, kibana_system+kibana_admin first compile {:.2} ms, second compile {:.3} ms",
        setup.as_secs_f64() * 1e3,
        warmup_time.as_secs_f64() * 1e3,
        admin_time.as_secs_f64() * 1e3,
        cold.as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3
    );
}
