//! Elasticsearch's 403 denial messages (section 12.2/12.3 of the facts), exact text.

use super::EffectiveRole;
use super::subject::Subject;

/// `<who><run_as><roles>` of a denial message.
pub(crate) fn subject_part(subject: &Subject, role: &EffectiveRole) -> String {
    let mut out = subject.describe();
    if let Some(target) = &subject.run_as {
        out.push_str(&format!(" run as [{target}]"));
    }
    if subject.shows_roles() {
        out.push_str(&roles_part(role.role_names(), role.missing_roles()));
    }
    out
}

/// ` with effective roles [a,b]` plus the missing-roles note.
pub(crate) fn roles_part(names: &[String], missing: &[String]) -> String {
    let mut out = format!(" with effective roles [{}]", names.join(","));
    if !missing.is_empty() {
        out.push_str(&format!(
            " (assigned roles [{}] were not found)",
            missing.join(",")
        ));
    }
    out
}

/// ` on indices [a] and restricted indices [x]` (empty when no names).
pub(crate) fn indices_context(indices: &[String], restricted: &[String]) -> String {
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

/// The full action-denial message.
pub(crate) fn action_denied(action: &str, who: &str, context: &str, suffix: &str) -> String {
    format!("action [{action}] is unauthorized for {who}{context}{suffix}")
}

/// The run-as denial message (section 12.3): the AUTHENTICATING user and its roles.
pub(crate) fn run_as_denied(
    action: &str,
    subject: &Subject,
    authenticating: &EffectiveRole,
    target: &str,
) -> String {
    let mut who = subject.describe();
    if subject.shows_roles() {
        who.push_str(&roles_part(
            authenticating.role_names(),
            authenticating.missing_roles(),
        ));
    }
    format!(
        "action [{action}] is unauthorized for {who}, because user [{}] is unauthorized to run as [{target}]",
        subject.user
    )
}
