//! Run-as authorization (section 9): the AUTHENTICATING subject's role must allow the target.

use super::decision::{Decision, Denial, Reason};
use super::message;
use super::subject::Subject;
use super::{EffectiveRole, side_reasons};

impl EffectiveRole {
    /// Whether this (authenticating) role may run as `target`. `target_exists` is false when no
    /// realm knows the user: that is denied the same way, so existence is not leaked.
    pub fn authorize_run_as(
        &self,
        subject: &Subject,
        action: &str,
        target: &str,
        target_exists: bool,
    ) -> Decision {
        let mut reasons = Vec::new();
        let mut ok = target_exists;
        for (i, side) in self.side_iter().enumerate() {
            if !ok {
                break;
            }
            match &side.run_as {
                Some(p) if p.value.matches(target) => reasons.extend(side_reasons(
                    i,
                    vec![Reason::RunAs {
                        target: target.to_string(),
                        patterns: p.value.patterns().to_vec(),
                        roles: p.roles.clone(),
                    }],
                )),
                _ => ok = false,
            }
        }
        if ok {
            return Decision::Allowed { reasons };
        }
        // The message names the authenticating user, not the run-as target.
        let mut authenticating = subject.clone();
        authenticating.run_as = None;
        Decision::Denied(Denial {
            action: action.to_string(),
            message: message::run_as_denied(action, &authenticating, self, target),
            granted_by: Vec::new(),
            indices: Vec::new(),
            restricted_indices: Vec::new(),
        })
    }
}
