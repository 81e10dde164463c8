#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The decision corpus: every case of `tests/corpus/decisions.yml` is run through the engine
//! and all mismatches are reported together, each with its case name.
//!
//! The YAML file is the test data (explicit cases, reviewed like code); this file only knows
//! how to turn one case into engine calls and compare the outcome.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rampart_core::authz::{
    ApiKeyRequest, ApplicationCheck, Authentication, ClusterRequest, Decision, EffectiveRole,
    IndexLookup, IndexRequest, Subject,
};
use rampart_core::builtin::BuiltinRoles;
use rampart_core::has_privileges::{HasPrivilegesRequest, has_privileges};
use rampart_core::permission::{
    ApplicationPrivilegeDescriptor, ApplicationPrivilegeStore, Permission, RestrictedIndices,
};
use rampart_core::role::{RoleContext, RoleDescriptor, parse_role, parse_roles_file};
use rampart_core::write::{BulkItem, WriteOp};
use serde::Deserialize;
use serde_json::{Map, Value};

const CORPUS: &str = include_str!("corpus/decisions.yml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusFile {
    #[serde(default)]
    application_privileges: Vec<StoredAppPrivilege>,
    #[serde(default)]
    roles: Map<String, Value>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredAppPrivilege {
    application: String,
    name: String,
    actions: Vec<String>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Realm {
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

fn file_realm() -> Realm {
    Realm {
        name: "file".into(),
        kind: "file".into(),
    }
}

/// The run-as target of the subject (its roles are the effective ones).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunAsTarget {
    user: String,
    #[serde(default)]
    roles: Vec<String>,
    realm: Option<Realm>,
    /// False when no realm knows the target.
    #[serde(default = "yes")]
    exists: bool,
}

/// The subject is an API key owned by `user`; the case's `roles` are the owner's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiKeySubject {
    id: String,
    /// Assigned role descriptors; empty → the key has the owner's permissions.
    #[serde(default)]
    role_descriptors: Map<String, Value>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    user: String,
    realm: Option<Realm>,
    /// How the subject authenticated when not a realm user: `token`, `anonymous`.
    authentication: Option<String>,
    service_account: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    run_as: Option<RunAsTarget>,
    api_key: Option<ApiKeySubject>,
    request: Request,
    expect: Expect,
    /// The exact denial (or error) message.
    message: Option<String>,
    /// Allowed index cases: the DLS/FLS access per requested name.
    access: Option<Vec<ExpectedAccess>>,
    /// has_privileges: the exact response body.
    response: Option<Value>,
    /// bulk: per item, `~` for "may execute" or the item failure.
    items: Option<Vec<Option<ExpectedItemFailure>>>,
    /// Asserts `metadata._deprecated` of every (built-in) role in `roles`.
    deprecated: Option<bool>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Expect {
    Allow,
    Deny,
    /// The request itself is rejected (has_privileges parse/validation errors).
    Error,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Request {
    cluster: Option<String>,
    api_key_request: Option<ApiKeyFacts>,
    applications: Option<Vec<String>>,
    profile_namespaces: Option<Vec<String>>,
    username: Option<String>,
    index: Option<IndexSpec>,
    run_as: Option<RunAsSpec>,
    application: Option<AppSpec>,
    has_privileges: Option<Value>,
    bulk: Option<Vec<BulkSpec>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ApiKeyFacts {
    #[serde(default)]
    ids: Vec<String>,
    username: Option<String>,
    realm_name: Option<String>,
    #[serde(default)]
    owner: bool,
    #[serde(default)]
    with_limited_by: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexSpec {
    action: String,
    #[serde(default)]
    names: Vec<String>,
    /// Whether the request type accepts data streams.
    #[serde(default = "yes")]
    data_streams: bool,
    /// Only the pre-check "does any group grant the action anywhere" (names = original ones).
    #[serde(default)]
    precheck: bool,
    /// Existing data streams with their backing indices.
    #[serde(default)]
    streams: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunAsSpec {
    target: String,
    action: String,
    #[serde(default = "yes")]
    exists: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppSpec {
    application: String,
    privilege: String,
    resource: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkSpec {
    index: String,
    op: String,
    concrete: Option<String>,
    #[serde(default = "yes")]
    exists: bool,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectedItemFailure {
    status: u16,
    #[serde(rename = "type")]
    es_type: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedAccess {
    name: String,
    /// Per side: `~` (unrestricted) or the OR-ed role queries.
    documents: Vec<Option<Vec<String>>>,
    /// Per side: `~` or the alternatives `{grant, except}`.
    #[serde(default)]
    fields: Option<Vec<Option<Vec<Value>>>>,
}

struct Streams(BTreeMap<String, Vec<String>>);

impl IndexLookup for Streams {
    fn parent_data_stream(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(_, backing)| backing.iter().any(|b| b == name))
            .map(|(ds, _)| ds.as_str())
    }
    fn is_data_stream(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

/// Everything a case is evaluated against.
struct World {
    custom: Vec<RoleDescriptor>,
    builtin: BuiltinRoles,
    store: ApplicationPrivilegeStore,
    restricted: RestrictedIndices,
    /// Compiled role sets (compiling the big built-in roles per case would dominate the run).
    compiled: RefCell<HashMap<Vec<String>, Arc<Permission>>>,
}

impl World {
    fn find(&self, name: &str) -> Option<&RoleDescriptor> {
        self.custom
            .iter()
            .find(|r| r.name == name)
            .or_else(|| self.builtin.get(name))
    }

    fn permission(&self, names: &[String]) -> Result<Arc<Permission>, String> {
        if let Some(p) = self.compiled.borrow().get(names) {
            return Ok(Arc::clone(p));
        }
        let p = Arc::new(self.compile(names)?);
        self.compiled
            .borrow_mut()
            .insert(names.to_vec(), Arc::clone(&p));
        Ok(p)
    }

    fn compile(&self, names: &[String]) -> Result<Permission, String> {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for n in names {
            match self.find(n) {
                Some(r) => found.push(r.clone()),
                None => missing.push(n.clone()),
            }
        }
        Permission::compile(&found, &missing, &self.store, &self.restricted)
            .map_err(|e| format!("compile {names:?}: {e}"))
    }

    fn descriptors(&self, bodies: &Map<String, Value>) -> Result<Permission, String> {
        let roles = bodies
            .iter()
            .map(|(n, b)| parse_role(n, b, RoleContext::ApiKey))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("api key role descriptors: {e}"))?;
        Permission::compile(&roles, &[], &self.store, &self.restricted)
            .map_err(|e| format!("compile api key role descriptors: {e}"))
    }
}

/// The outcome of one case, normalised for comparison.
#[derive(Debug, Default)]
struct Outcome {
    expect: Option<Expect>,
    message: Option<String>,
    access: Option<Vec<Value>>,
    response: Option<Value>,
    items: Option<Vec<Option<ExpectedItemFailure>>>,
}

fn from_decision(d: &Decision) -> Outcome {
    Outcome {
        expect: Some(if d.is_allowed() {
            Expect::Allow
        } else {
            Expect::Deny
        }),
        message: d.denial().map(|x| x.message().to_string()),
        ..Default::default()
    }
}

fn subject_of(case: &Case) -> Subject {
    let realm = case.realm.clone().unwrap_or_else(file_realm);
    let mut s = match &case.api_key {
        Some(k) => Subject::api_key(&k.id, &case.user, &realm.name, &realm.kind),
        None => Subject::user(&case.user, &realm.name, &realm.kind),
    };
    if let Some(sa) = &case.service_account {
        s.authentication = Authentication::ServiceAccount { name: sa.clone() };
    }
    match case.authentication.as_deref() {
        Some("token") => s.authentication = Authentication::Token,
        Some("anonymous") => s.authentication = Authentication::Anonymous,
        _ => {}
    }
    s
}

fn write_op(op: &str) -> Result<WriteOp, String> {
    Ok(match op {
        "index" => WriteOp::Index,
        "create" => WriteOp::Create,
        "update" => WriteOp::Update,
        "delete" => WriteOp::Delete,
        other => return Err(format!("unknown bulk op [{other}]")),
    })
}

fn run_case(world: &World, case: &Case) -> Result<Outcome, String> {
    let owner = world.permission(&case.roles)?;
    let authenticating = match &case.api_key {
        Some(k) if !k.role_descriptors.is_empty() => {
            EffectiveRole::limited(Arc::new(world.descriptors(&k.role_descriptors)?), owner)
        }
        _ => EffectiveRole::plain(owner),
    };
    let mut subject = subject_of(case);
    let r = &case.request;
    let action = r
        .cluster
        .clone()
        .or_else(|| r.index.as_ref().map(|i| i.action.clone()))
        .or_else(|| r.run_as.as_ref().map(|x| x.action.clone()))
        .unwrap_or_else(|| "cluster:admin/xpack/security/user/has_privileges".into());
    let role = match &case.run_as {
        Some(target) => {
            let d = authenticating.authorize_run_as(&subject, &action, &target.user, target.exists);
            if !d.is_allowed() {
                return Ok(from_decision(&d));
            }
            let realm = target.realm.clone().unwrap_or_else(file_realm);
            subject = subject.running_as(&target.user, &realm.name, &realm.kind);
            EffectiveRole::plain(world.permission(&target.roles)?)
        }
        None => authenticating.clone(),
    };
    let err = |e: &dyn std::fmt::Display| e.to_string();
    if let Some(action) = &r.cluster {
        let api_key = r.api_key_request.as_ref().map(|f| ApiKeyRequest {
            ids: f.ids.clone(),
            username: f.username.clone(),
            realm_name: f.realm_name.clone(),
            owner: f.owner,
            with_limited_by: f.with_limited_by,
            owner_filtered: false,
        });
        let req = ClusterRequest {
            api_key,
            applications: r.applications.as_deref(),
            profile_namespaces: r.profile_namespaces.as_deref(),
            roles: None,
            username: r.username.as_deref(),
        };
        let d = role
            .authorize_cluster(&subject, action, &req)
            .map_err(|e| err(&e))?;
        return Ok(from_decision(&d));
    }
    if let Some(spec) = &r.index {
        if spec.precheck {
            let d = role
                .authorize_index_action_anywhere(&subject, &spec.action, &spec.names)
                .map_err(|e| err(&e))?;
            return Ok(from_decision(&d));
        }
        let lookup = Streams(spec.streams.clone());
        let req = IndexRequest {
            action: &spec.action,
            names: &spec.names,
            data_streams: spec.data_streams,
            lookup: &lookup,
        };
        let d = role.authorize_index(&subject, &req).map_err(|e| err(&e))?;
        let mut out = from_decision(&d.decision);
        if d.is_allowed() {
            out.access = Some(
                d.access()
                    .iter()
                    .map(|a| serde_json::to_value(a).map_err(|e| err(&e)))
                    .collect::<Result<_, _>>()?,
            );
        }
        return Ok(out);
    }
    if let Some(spec) = &r.run_as {
        // The run-as question itself, asked of the authenticating role.
        let d = authenticating.authorize_run_as(&subject, &spec.action, &spec.target, spec.exists);
        return Ok(from_decision(&d));
    }
    if let Some(spec) = &r.application {
        let check = ApplicationCheck {
            application: &spec.application,
            privilege: &spec.privilege,
            resource: &spec.resource,
        };
        let ok = role
            .check_application(&check, &world.store)
            .map_err(|e| err(&e))?;
        return Ok(Outcome {
            expect: Some(if ok { Expect::Allow } else { Expect::Deny }),
            ..Default::default()
        });
    }
    if let Some(body) = &r.has_privileges {
        let user = subject.effective_user().to_string();
        let parsed = HasPrivilegesRequest::parse(&user, body)
            .and_then(|req| has_privileges(&role, &user, &req, &world.store));
        return Ok(match parsed {
            Ok(resp) => Outcome {
                expect: Some(if resp.has_all_requested() {
                    Expect::Allow
                } else {
                    Expect::Deny
                }),
                response: Some(resp.to_json()),
                ..Default::default()
            },
            Err(e) => Outcome {
                expect: Some(Expect::Error),
                message: Some(e.to_string()),
                ..Default::default()
            },
        });
    }
    if let Some(specs) = &r.bulk {
        let items = specs
            .iter()
            .map(|s| {
                Ok(BulkItem {
                    index: s.index.clone(),
                    // An existing target lands in itself unless the case names its write
                    // index (an alias's); a missing one is auto-created.
                    concrete: s
                        .concrete
                        .clone()
                        .or_else(|| s.exists.then(|| s.index.clone())),
                    op: write_op(&s.op)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let missing: HashSet<&str> = specs
            .iter()
            .filter(|s| !s.exists)
            .map(|s| s.index.as_str())
            .collect();
        let exists = |name: &str| !missing.contains(name);
        let lookup = Streams(BTreeMap::new());
        let d = role
            .authorize_bulk(&subject, &items, &lookup, &exists)
            .map_err(|e| err(&e))?;
        let mut out = from_decision(&d.request);
        out.items = Some(
            d.items
                .iter()
                .map(|i| {
                    i.as_ref().map(|f| ExpectedItemFailure {
                        status: f.status,
                        es_type: f.es_type.to_string(),
                        reason: f.reason.clone(),
                    })
                })
                .collect(),
        );
        return Ok(out);
    }
    Err("the case has no request".into())
}

/// The normalised form of an expected access entry (the engine's serialisation).
fn expected_access(a: &ExpectedAccess) -> Value {
    let sides = a.documents.len();
    let fields = a.fields.clone().unwrap_or_else(|| vec![None; sides]);
    let fields: Vec<Value> = fields
        .into_iter()
        .map(|side| {
            side.map_or(Value::Null, |alts| {
                Value::Array(
                    alts.into_iter()
                        .map(|mut fs| {
                            if let Some(o) = fs.as_object_mut() {
                                o.entry("grant").or_insert(Value::Null);
                                o.entry("except").or_insert(Value::Array(Vec::new()));
                            }
                            fs
                        })
                        .collect(),
                )
            })
        })
        .collect();
    serde_json::json!({
        "name": a.name,
        "documents": {"sides": a.documents},
        "fields": {"sides": fields},
    })
}

fn check_case(world: &World, case: &Case) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(want) = case.deprecated {
        for name in &case.roles {
            let got = world
                .find(name)
                .and_then(|r| r.metadata.get("_deprecated"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if got != want {
                problems.push(format!("role [{name}] deprecated: got {got}, want {want}"));
            }
        }
    }
    let out = match run_case(world, case) {
        Ok(o) => o,
        Err(e) => {
            problems.push(format!("error: {e}"));
            return problems;
        }
    };
    if out.expect != Some(case.expect) {
        problems.push(format!(
            "expected {:?}, got {:?} (message: {:?})",
            case.expect, out.expect, out.message
        ));
    }
    match (&case.message, &out.message) {
        (Some(want), Some(got)) if want != got => {
            problems.push(format!("message\n      want: {want}\n      got:  {got}"))
        }
        (Some(want), None) => problems.push(format!("no message; wanted: {want}")),
        (None, Some(_)) if case.expect == Expect::Deny && out.response.is_none() => {
            problems.push("denial cases must state the exact message".into())
        }
        _ => {}
    }
    if let Some(want) = &case.access {
        let want: Vec<Value> = want.iter().map(expected_access).collect();
        if out.access.as_ref() != Some(&want) {
            problems.push(format!(
                "access\n      want: {}\n      got:  {}",
                Value::Array(want),
                serde_json::to_string(&out.access).unwrap_or_default()
            ));
        }
    }
    if let Some(want) = &case.response {
        if out.response.as_ref() != Some(want) {
            problems.push(format!(
                "response\n      want: {want}\n      got:  {}",
                out.response.unwrap_or(Value::Null)
            ));
        }
    }
    if let Some(want) = &case.items {
        if out.items.as_ref() != Some(want) {
            problems.push(format!(
                "items\n      want: {want:?}\n      got:  {:?}",
                out.items
            ));
        }
    }
    problems
}

fn load_world(file: &CorpusFile) -> World {
    let roles_yml = serde_norway::to_string(&file.roles).expect("roles render as YAML");
    let parsed = parse_roles_file(&roles_yml).expect("corpus roles parse");
    assert!(
        parsed.invalid.is_empty(),
        "invalid corpus roles: {:?}",
        parsed.invalid
    );
    let store = ApplicationPrivilegeStore::new(file.application_privileges.iter().map(|p| {
        ApplicationPrivilegeDescriptor {
            application: p.application.clone(),
            name: p.name.clone(),
            actions: p.actions.clone(),
            metadata: Map::new(),
        }
    }));
    World {
        custom: parsed.roles,
        builtin: BuiltinRoles::load().expect("built-in roles load"),
        store,
        restricted: RestrictedIndices::builtin().expect("restricted indices compile"),
        compiled: RefCell::new(HashMap::new()),
    }
}

#[test]
fn decision_corpus() {
    let file: CorpusFile = serde_norway::from_str(CORPUS).expect("corpus parses");
    let world = load_world(&file);
    let mut seen = HashSet::new();
    let mut failures = Vec::new();
    for case in &file.cases {
        if !seen.insert(case.name.as_str()) {
            failures.push(format!("[{}] duplicate case name", case.name));
        }
        for p in check_case(&world, case) {
            failures.push(format!("[{}] {p}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n  {}",
        failures.len(),
        file.cases.len(),
        failures.join("\n  ")
    );
    assert!(file.cases.len() >= 200, "the corpus lost cases");
}
