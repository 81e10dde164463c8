//! Turning a privilege definition into Kibana action strings (section b.2 and f.1).

use crate::features::{AlertingKind, Grants};

pub const LOGIN: &str = "login:";

const SAVED_OBJECT_READ_OPS: [&str; 5] = [
    "bulk_get",
    "get",
    "find",
    "open_point_in_time",
    "close_point_in_time",
];
const SAVED_OBJECT_WRITE_OPS: [&str; 7] = [
    "create",
    "bulk_create",
    "update",
    "bulk_update",
    "delete",
    "bulk_delete",
    "share_to_space",
];
const RULE_READ_OPS: [&str; 6] = [
    "get",
    "getRuleState",
    "getAlertSummary",
    "getExecutionLog",
    "getExecutionErrors",
    "find",
];
const RULE_WRITE_OPS: [&str; 11] = [
    "create",
    "delete",
    "update",
    "updateApiKey",
    "enable",
    "disable",
    "muteAll",
    "unmuteAll",
    "muteAlert",
    "unmuteAlert",
    "snooze",
];
const ALERT_READ_OPS: [&str; 2] = ["get", "find"];
const ALERT_WRITE_OPS: [&str; 1] = ["update"];

/// Cases operation group → operations.
fn cases_ops(group: &str) -> &'static [&'static str] {
    match group {
        "create" => &["createCase", "createComment"],
        "read" => &[
            "getCase",
            "getComment",
            "getTags",
            "getReporters",
            "getUserActions",
            "findConfigurations",
        ],
        "update" => &["updateCase", "updateComment"],
        "delete" => &["deleteCase", "deleteComment"],
        "push" => &["pushCase"],
        "settings" => &["createConfiguration", "updateConfiguration"],
        "createComment" => &["createComment"],
        "reopenCase" => &["reopenCase"],
        "assign" => &["assignCase"],
        _ => &[],
    }
}

pub fn app(id: &str) -> String {
    format!("app:{id}")
}

pub fn ui(feature_or_bucket: &str, capability: &str) -> String {
    format!("ui:{feature_or_bucket}/{capability}")
}

pub fn api(tag: &str) -> String {
    format!("api:{tag}")
}

pub fn saved_object(kind: &str, op: &str) -> String {
    format!("saved_object:{kind}/{op}")
}

/// Appends without duplicates, keeping first-seen order.
#[derive(Debug, Default, Clone)]
pub struct ActionList {
    actions: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl ActionList {
    pub fn push(&mut self, action: String) {
        if self.seen.insert(action.clone()) {
            self.actions.push(action);
        }
    }

    pub fn extend(&mut self, actions: impl IntoIterator<Item = String>) {
        for a in actions {
            self.push(a);
        }
    }

    pub fn into_vec(self) -> Vec<String> {
        self.actions
    }
}

fn alerting_actions(out: &mut ActionList, kind: &str, k: &AlertingKind, consumer: &str) {
    let (read_ops, write_ops): (&[&str], &[&str]) = if kind == "rule" {
        (&RULE_READ_OPS, &RULE_WRITE_OPS)
    } else {
        (&ALERT_READ_OPS, &ALERT_WRITE_OPS)
    };
    for rule_type in &k.all {
        for op in read_ops.iter().chain(write_ops) {
            out.push(format!("alerting:{rule_type}/{consumer}/{kind}/{op}"));
        }
    }
    for rule_type in &k.read {
        for op in read_ops {
            out.push(format!("alerting:{rule_type}/{consumer}/{kind}/{op}"));
        }
    }
}

/// The actions of one privilege definition of feature `feature_id` (without `login:`).
pub fn grants_actions(feature_id: &str, g: &Grants, out: &mut ActionList) {
    out.extend(g.api.iter().map(|t| api(t)));
    for a in &g.app {
        out.push(app(a));
        out.push(ui("navLinks", a));
    }
    out.extend(g.catalogue.iter().map(|c| ui("catalogue", c)));
    for (section, ids) in &g.management {
        out.extend(ids.iter().map(|i| format!("ui:management/{section}/{i}")));
    }
    for t in &g.saved_object.all {
        for op in SAVED_OBJECT_READ_OPS.iter().chain(&SAVED_OBJECT_WRITE_OPS) {
            out.push(saved_object(t, op));
        }
    }
    for t in &g.saved_object.read {
        for op in SAVED_OBJECT_READ_OPS {
            out.push(saved_object(t, op));
        }
    }
    out.extend(g.ui.iter().map(|c| ui(feature_id, c)));
    alerting_actions(out, "rule", &g.alerting.rule, feature_id);
    alerting_actions(out, "alert", &g.alerting.alert, feature_id);
    for (group, owners) in &g.cases {
        for owner in owners {
            for op in cases_ops(group) {
                out.push(format!("cases:{owner}/{op}"));
            }
        }
    }
}
