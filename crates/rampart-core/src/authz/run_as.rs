//! Run-as authorization (section 9): the AUTHENTICATING subject's role must allow the target.

use super::EffectiveRole;
use super::decision::{Decision, Reason};
use super::denial::Denial;
use super::grants::limited_by;
use super::subject::Subject;

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
                Some(p) if p.value.matches(target) => reasons.push(limited_by(
                    i,
                    Reason::RunAs {
                        target: target.to_string(),
                        patterns: p.value.patterns().to_vec(),
                        roles: p.roles.clone(),
                    },
                )),
                _ => ok = false,
            }
        }
        if ok {
            return Decision::allowed(reasons);
        }
        // The message names the authenticating user, not the run-as target.
        Decision::denied(Denial::run_as(subject, self, action, target))
    }
}
