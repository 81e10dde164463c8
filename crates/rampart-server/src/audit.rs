//! The audit trail: one JSON object per line in Elasticsearch's logfile audit format, with
//! include/exclude event filters. Secrets (passwords, API-key secrets, tokens) never appear.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde_json::{Map, Value, json};

use crate::authn::{Authentication, Credential};
use crate::http::Req;
use crate::settings::Settings;

/// Event types of the logfile audit trail that Rampart emits.
pub const EVENT_TYPES: [&str; 7] = [
    "authentication_success",
    "authentication_failed",
    "access_granted",
    "access_denied",
    "run_as_granted",
    "run_as_denied",
    "tampered_request",
];

/// Where audit events go.
#[derive(Debug)]
pub struct AuditLog {
    sink: Option<Mutex<File>>,
    include: Vec<String>,
    exclude: Vec<String>,
    ignore_users: Vec<String>,
}

impl AuditLog {
    /// A disabled audit log.
    pub fn disabled() -> Self {
        AuditLog {
            sink: None,
            include: Vec::new(),
            exclude: Vec::new(),
            ignore_users: Vec::new(),
        }
    }

    /// Configure from settings (`xpack.security.audit.*`), writing to `<logs>/rampart_audit.json`.
    pub fn from_settings(settings: &Settings, logs_dir: &Path) -> std::io::Result<Self> {
        let enabled = settings
            .get_bool("xpack.security.audit.enabled", false)
            .unwrap_or(false);
        if !enabled {
            return Ok(Self::disabled());
        }
        std::fs::create_dir_all(logs_dir)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(logs_dir.join("rampart_audit.json"))?;
        Ok(AuditLog {
            sink: Some(Mutex::new(file)),
            include: settings.get_list("xpack.security.audit.logfile.events.include"),
            exclude: settings.get_list("xpack.security.audit.logfile.events.exclude"),
            ignore_users: settings
                .get_list("xpack.security.audit.logfile.events.ignore_filters.default.users"),
        })
    }

    fn wanted(&self, event: &str) -> bool {
        let included =
            self.include.is_empty() || self.include.iter().any(|e| e == event || e == "_all");
        included && !self.exclude.iter().any(|e| e == event)
    }

    fn write(&self, event: &str, auth: Option<&Authentication>, action: Option<&str>, req: &Req) {
        let Some(sink) = &self.sink else {
            return;
        };
        if !self.wanted(event) {
            return;
        }
        if let Some(a) = auth {
            if self.ignore_users.iter().any(|u| u == &a.user.username) {
                return;
            }
        }
        let mut m = Map::new();
        m.insert("type".into(), json!("audit"));
        m.insert(
            "@timestamp".into(),
            json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        );
        m.insert("event.type".into(), json!("rest"));
        m.insert("event.action".into(), json!(event));
        if let Some(a) = auth {
            m.insert("user.name".into(), json!(a.user.username));
            m.insert("user.realm".into(), json!(a.authentication_realm.name));
            if let Some(r) = &a.run_as {
                m.insert("user.run_as.name".into(), json!(r.username));
                m.insert("user.run_as.realm".into(), json!(a.lookup_realm.name));
            }
            m.insert(
                "authentication.type".into(),
                json!(a.authentication_type().to_uppercase()),
            );
            if let Credential::ApiKey(k) = &a.credential {
                m.insert("apikey.id".into(), json!(k.id));
                if let Some(n) = &k.name {
                    m.insert("apikey.name".into(), json!(n));
                }
            }
        }
        if let Some(action) = action {
            m.insert("action".into(), json!(action));
        }
        m.insert("http.request.method".into(), json!(req.method.as_str()));
        m.insert("url.path".into(), json!(req.path));
        if let Some((_, q)) = req.uri.split_once('?') {
            m.insert("url.query".into(), json!(q));
        }
        let line = Value::Object(m).to_string();
        if let Ok(mut f) = sink.lock() {
            if let Err(e) = writeln!(f, "{line}") {
                tracing::error!(error = %e, "cannot write the audit log");
            }
        }
    }

    pub fn authentication_success(&self, auth: &Authentication, req: &Req) {
        self.write("authentication_success", Some(auth), None, req);
    }
    pub fn authentication_failed(&self, req: &Req) {
        self.write("authentication_failed", None, None, req);
    }
    pub fn access_granted(&self, auth: &Authentication, action: &str, req: &Req) {
        self.write("access_granted", Some(auth), Some(action), req);
    }
    pub fn access_denied(&self, auth: &Authentication, action: &str, req: &Req) {
        self.write("access_denied", Some(auth), Some(action), req);
    }
    pub fn run_as_granted(&self, auth: &Authentication, action: &str, req: &Req) {
        self.write("run_as_granted", Some(auth), Some(action), req);
    }
    pub fn run_as_denied(&self, auth: &Authentication, action: &str, req: &Req) {
        self.write("run_as_denied", Some(auth), Some(action), req);
    }
}
