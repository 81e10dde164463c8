//! Server-side sessions of the web UI: a random id in an HttpOnly, SameSite=Strict cookie maps
//! to the user it authenticated, a per-session CSRF token, and two deadlines (idle and absolute).
//!
//! The session keeps only the username and realm, never credentials: every request re-reads the
//! user through the realm chain (cached per store revision), so a disabled or deleted user, or a
//! changed role list, takes effect at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::authn::RealmRef;

/// Cookie carrying the session id.
pub const COOKIE_NAME: &str = "rampart_sid";
/// Header carrying the session's CSRF token on every write.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Kibana's defaults: 8 hours idle, 30 days absolute.
const DEFAULT_IDLE: Duration = Duration::from_secs(8 * 3600);
const DEFAULT_LIFESPAN: Duration = Duration::from_secs(30 * 24 * 3600);

/// One logged-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub realm: RealmRef,
    pub csrf_token: String,
    last_seen: Instant,
    expires: Instant,
}

/// All live sessions of this node (in memory: a restart logs everyone out).
#[derive(Debug)]
pub struct SessionStore {
    sessions: Mutex<HashMap<String, Session>>,
    idle: Duration,
    lifespan: Duration,
}

impl Default for SessionStore {
    fn default() -> Self {
        SessionStore::new(DEFAULT_IDLE, DEFAULT_LIFESPAN)
    }
}

/// 32 random bytes, hex: unguessable ids and tokens.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Comparison whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl SessionStore {
    pub fn new(idle: Duration, lifespan: Duration) -> Self {
        SessionStore {
            sessions: Mutex::new(HashMap::new()),
            idle,
            lifespan,
        }
    }

    /// Deadlines from `xpack.security.session.idleTimeout` / `.lifespan` (seconds or a
    /// `<n>s|m|h|d` duration); invalid values fall back to the defaults.
    pub fn from_settings(settings: &crate::settings::Settings) -> Self {
        let read = |name: &str, default: Duration| {
            settings
                .get(name)
                .and_then(parse_duration)
                .unwrap_or(default)
        };
        SessionStore::new(
            read("xpack.security.session.idleTimeout", DEFAULT_IDLE),
            read("xpack.security.session.lifespan", DEFAULT_LIFESPAN),
        )
    }

    /// Seconds until an unused session expires (the cookie's Max-Age).
    pub fn idle_seconds(&self) -> u64 {
        self.idle.as_secs()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A poisoned map only means another request panicked mid-update; the map itself is
        // still a valid set of sessions.
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Start a session; returns its id and the session.
    pub fn create(&self, username: &str, realm: RealmRef, now: Instant) -> (String, Session) {
        let id = random_token();
        let session = Session {
            username: username.to_string(),
            realm,
            csrf_token: random_token(),
            last_seen: now,
            expires: now + self.lifespan,
        };
        let mut map = self.lock();
        map.retain(|_, s| !self.expired(s, now));
        map.insert(id.clone(), session.clone());
        (id, session)
    }

    fn expired(&self, s: &Session, now: Instant) -> bool {
        now >= s.expires || now.saturating_duration_since(s.last_seen) >= self.idle
    }

    /// The live session with this id, refreshing its idle deadline; expired ones are dropped.
    pub fn touch(&self, id: &str, now: Instant) -> Option<Session> {
        let mut map = self.lock();
        let expired = self.expired(map.get(id)?, now);
        if expired {
            map.remove(id);
            return None;
        }
        let s = map.get_mut(id)?;
        s.last_seen = now;
        Some(s.clone())
    }

    /// End a session (logout, or its user can no longer log in).
    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }
}

fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().ok()?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(factor).map(Duration::from_secs)
}

/// The session id from a `Cookie` header.
pub fn session_id(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn realm() -> RealmRef {
        RealmRef::new("default_native", "native")
    }

    #[test]
    fn sessions_expire_when_idle_and_at_their_lifespan() {
        let store = SessionStore::new(Duration::from_secs(10), Duration::from_secs(25));
        let t0 = Instant::now();
        let (id, s) = store.create("alice", realm(), t0);
        assert_eq!(s.username, "alice");
        assert!(store.touch(&id, t0 + Duration::from_secs(9)).is_some());
        assert!(store.touch(&id, t0 + Duration::from_secs(18)).is_some());
        // Used within the idle window every time, but past the absolute lifespan.
        assert!(store.touch(&id, t0 + Duration::from_secs(26)).is_none());
        let (id2, _) = store.create("bob", realm(), t0);
        assert!(store.touch(&id2, t0 + Duration::from_secs(11)).is_none());
    }

    #[test]
    fn ids_and_tokens_are_distinct_and_removal_ends_a_session() {
        let store = SessionStore::default();
        let now = Instant::now();
        let (a, sa) = store.create("alice", realm(), now);
        let (b, sb) = store.create("alice", realm(), now);
        assert_ne!(a, b);
        assert_ne!(sa.csrf_token, sb.csrf_token);
        assert_eq!(a.len(), 64);
        store.remove(&a);
        assert!(store.touch(&a, now).is_none());
        assert!(store.touch(&b, now).is_some());
    }

    #[test]
    fn durations_and_cookies_parse() {
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1d"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("1w"), None);
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            axum::http::HeaderValue::from_static("a=1; rampart_sid=abc; b=2"),
        );
        assert_eq!(session_id(&h).as_deref(), Some("abc"));
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
