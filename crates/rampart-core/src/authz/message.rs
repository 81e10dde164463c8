//! Elasticsearch's 403 denial messages (section 12.2/12.3 of the facts), exact text. Only
//! called when a denial's message is rendered, never while deciding.

use std::fmt::Write;

use super::EffectiveRole;
use super::subject::Subject;

/// `<who><run_as><roles>` of a denial message; `roles` is `None` when the subject kind shows
/// no roles.
fn subject_part(out: &mut String, subject: &Subject, roles: Option<&EffectiveRole>) {
    out.push_str(&subject.describe());
    if let Some(target) = &subject.run_as {
        let _ = write!(out, " run as [{target}]");
    }
    if let Some(role) = roles {
        roles_part(out, role.role_names(), role.missing_roles());
    }
}

/// ` with effective roles [a,b]` plus the missing-roles note.
fn roles_part(out: &mut String, names: &[String], missing: &[String]) {
    let _ = write!(out, " with effective roles [{}]", names.join(","));
    if !missing.is_empty() {
        let _ = write!(
            out,
            " (assigned roles [{}] were not found)",
            missing.join(",")
        );
    }
}

/// ` on indices [a] and restricted indices [x]` (empty when no names).
pub(crate) fn indices_context(indices: &[&str], restricted: &[&str]) -> String {
    match (indices.is_empty(), restricted.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(" on indices [{}]", indices.join(",")),
        (true, false) => format!(" on restricted indices [{}]", restricted.join(",")),
        (false, false) => format!(
            " on indices [{}] and restricted indices [{}]",
            indices.join(","),
            restricted.join(",")
        ),
    }
}

/// `, this action is granted by the <kind> privileges [p1,p2]` (empty when none grant it).
pub(crate) fn granted_by_part(kind: &str, privileges: &[&str]) -> String {
    if privileges.is_empty() {
        String::new()
    } else {
        format!(
            ", this action is granted by the {kind} privileges [{}]",
            privileges.join(",")
        )
    }
}

/// The index suffix: the data privileges, plus those that grant only with the `::failures`
/// selector when the request used it (`failure` is empty otherwise).
pub(crate) fn index_suffix(data: &[&str], failure: &[&str]) -> String {
    let failure_only: Vec<&str> = failure
        .iter()
        .copied()
        .filter(|p| !data.contains(p))
        .collect();
    if failure_only.is_empty() {
        granted_by_part("index", data)
    } else {
        format!(
            "{} for data access, or by [{}] for access with the [::failures] selector",
            granted_by_part("index", data),
            failure_only.join(",")
        )
    }
}

/// The full action-denial message.
pub(crate) fn action_denied(
    action: &str,
    who: &Subject,
    roles: Option<&EffectiveRole>,
    context: &str,
    suffix: &str,
) -> String {
    let mut out = format!("action [{action}] is unauthorized for ");
    subject_part(&mut out, who, roles);
    out.push_str(context);
    out.push_str(suffix);
    out
}

/// The run-as denial message (section 12.3): the AUTHENTICATING user (`who`, without run-as)
/// and its roles.
pub(crate) fn run_as_denied(
    action: &str,
    who: &Subject,
    roles: Option<&EffectiveRole>,
    target: &str,
) -> String {
    let mut out = format!("action [{action}] is unauthorized for ");
    subject_part(&mut out, who, roles);
    let _ = write!(
        out,
        ", because user [{}] is unauthorized to run as [{target}]",
        who.user
    );
    out
}
