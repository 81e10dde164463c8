//! Password hashes in Elasticsearch's formats, verified in constant time.
//!
//! bcrypt (`$2a$`/`$2b$`/`$2y$`, the default, cost 10) and PBKDF2
//! (`{PBKDF2}<iterations>$<salt>$<hash>`, HMAC-SHA512, as ES writes it).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use thiserror::Error;

/// A hashing algorithm setting (`xpack.security.authc.password_hashing.algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Bcrypt { cost: u32 },
    Pbkdf2 { iterations: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HashError {
    #[error("unsupported password hashing algorithm [{0}]")]
    Unsupported(String),
    #[error("failed to hash password: {0}")]
    Hash(String),
}

impl Algorithm {
    /// Parse the ES setting value: `bcrypt`, `bcrypt4`..`bcrypt14`, `pbkdf2`, `pbkdf2_<n>`.
    pub fn parse(name: &str) -> Result<Self, HashError> {
        let lower = name.to_ascii_lowercase();
        if lower == "bcrypt" {
            return Ok(Algorithm::Bcrypt { cost: 10 });
        }
        if let Some(cost) = lower
            .strip_prefix("bcrypt")
            .and_then(|c| c.parse::<u32>().ok())
        {
            if (4..=31).contains(&cost) {
                return Ok(Algorithm::Bcrypt { cost });
            }
        }
        if lower == "pbkdf2" {
            return Ok(Algorithm::Pbkdf2 { iterations: 10_000 });
        }
        if let Some(n) = lower
            .strip_prefix("pbkdf2_")
            .and_then(|c| c.parse::<u32>().ok())
        {
            if n >= 1000 && n % 1000 == 0 {
                return Ok(Algorithm::Pbkdf2 { iterations: n });
            }
        }
        Err(HashError::Unsupported(name.to_string()))
    }

    /// Hash a password.
    pub fn hash(self, password: &str) -> Result<String, HashError> {
        match self {
            Algorithm::Bcrypt { cost } => {
                bcrypt::hash(password, cost).map_err(|e| HashError::Hash(e.to_string()))
            }
            Algorithm::Pbkdf2 { iterations } => {
                let mut salt = [0u8; 32];
                rand::fill(&mut salt);
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<sha2::Sha512>(
                    password.as_bytes(),
                    &salt,
                    iterations,
                    &mut out,
                );
                Ok(format!(
                    "{{PBKDF2}}{iterations}${}${}",
                    STANDARD.encode(salt),
                    STANDARD.encode(out)
                ))
            }
        }
    }
}

/// Verify a password against a stored hash of any supported format.
pub fn verify(password: &str, hash: &str) -> bool {
    if hash.starts_with("$2") {
        return bcrypt::verify(password, hash).unwrap_or(false);
    }
    if let Some(rest) = hash.strip_prefix("{PBKDF2}") {
        let mut parts = rest.split('$');
        let (Some(iter), Some(salt), Some(expected), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let (Ok(iterations), Ok(salt), Ok(expected)) = (
            iter.parse::<u32>(),
            STANDARD.decode(salt),
            STANDARD.decode(expected),
        ) else {
            return false;
        };
        let mut out = vec![0u8; expected.len()];
        pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), &salt, iterations, &mut out);
        return constant_time_eq(&out, &expected);
    }
    false
}

/// Compare secrets without leaking where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_and_pbkdf2_round_trip() {
        for alg in [
            Algorithm::Bcrypt { cost: 4 },
            Algorithm::Pbkdf2 { iterations: 1000 },
        ] {
            let h = alg.hash("s3cret-password").unwrap();
            assert!(verify("s3cret-password", &h), "{h}");
            assert!(!verify("wrong", &h));
        }
    }

    #[test]
    fn algorithm_names() {
        assert_eq!(
            Algorithm::parse("bcrypt").unwrap(),
            Algorithm::Bcrypt { cost: 10 }
        );
        assert_eq!(
            Algorithm::parse("BCRYPT12").unwrap(),
            Algorithm::Bcrypt { cost: 12 }
        );
        assert_eq!(
            Algorithm::parse("pbkdf2_50000").unwrap(),
            Algorithm::Pbkdf2 { iterations: 50_000 }
        );
        assert!(Algorithm::parse("md5").is_err());
        assert!(!verify("x", "garbage"));
    }
}
