//! Users: the entity, its public representation (spec 2.1), e-mail
//! normalisation and the password rules (spec 1.4).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::time;

/// A user as stored. The password hash and the security counters never leave
/// the server; `to_json` gives the public representation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    /// As typed, with the domain lower-cased.
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub roles: Value,
    #[serde(default)]
    pub email_verified: bool,
    pub is_active: bool,
    #[serde(default)]
    pub is_staff: bool,
    #[serde(default)]
    pub is_superuser: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_customer_id: Option<String>,
    /// argon2id PHC string, or a `pbkdf2_sha256$...` hash migrated from the
    /// system we replace (rehashed at the next login).
    pub password: String,
    /// Bumped by logout, password change and reset: tokens carrying an older
    /// value are refused.
    #[serde(default)]
    pub token_version: u64,
    /// Consecutive failed logins since the last success or lock.
    #[serde(default)]
    pub failed_logins: u32,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub locked_until: Option<DateTime<Utc>>,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub reset_requested_at: Option<DateTime<Utc>>,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_login: Option<DateTime<Utc>>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-locking version of the profile.
    #[serde(default)]
    pub version: u64,
    /// The plan held (written by the billing transactions only); none:
    /// the Free tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<crate::domain::plans::PlanGrant>,
}

impl User {
    /// The limits of the plan held (Free's without one).
    pub fn limits(&self) -> crate::domain::plans::Limits {
        self.plan
            .as_ref()
            .map_or(crate::domain::plans::Limits::FREE, |g| g.limits())
    }

    /// A new, active, unverified account with the `user` role.
    pub fn new(
        email: &str,
        first_name: String,
        last_name: String,
        password_hash: String,
        now: DateTime<Utc>,
    ) -> Self {
        User {
            id: uuid::Uuid::now_v7().to_string(),
            email: normalize_email(email),
            first_name,
            last_name,
            phone_number: None,
            roles: json!(["user"]),
            email_verified: false,
            is_active: true,
            is_staff: false,
            is_superuser: false,
            stripe_customer_id: None,
            password: password_hash,
            token_version: 0,
            failed_logins: 0,
            locked_until: None,
            reset_requested_at: None,
            last_login: None,
            created_at: now,
            updated_at: now,
            version: 0,
            plan: None,
        }
    }

    /// The representation every endpoint returns (spec 2.1).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "phone_number": self.phone_number,
            "roles": self.roles,
            "email_verified": self.email_verified,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }

    /// The key that makes addresses unique regardless of case.
    pub fn email_key(&self) -> String {
        email_key(&self.email)
    }

    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// Greeting name used in e-mails.
    pub fn greeting_name(&self) -> &str {
        if self.first_name.is_empty() {
            &self.email
        } else {
            &self.first_name
        }
    }
}

/// The address as stored for display: domain lower-cased, local part kept.
pub fn normalize_email(email: &str) -> String {
    match email.trim().rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => email.trim().to_string(),
    }
}

/// The uniqueness and lookup key: the whole address lower-cased, so that
/// `Jean@Mail.fr` and `jean@mail.fr` are one account.
pub fn email_key(email: &str) -> String {
    normalize_email(email).to_lowercase()
}

/// Failed logins in a row before the account is locked for a while.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// How long a lock lasts.
pub const LOGIN_LOCK_SECONDS: i64 = 15 * 60;

pub const MIN_PASSWORD_LEN: usize = 8;

/// Everything wrong with a new password, reported together.
pub fn password_problems(password: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if password.chars().count() < MIN_PASSWORD_LEN {
        problems.push(format!(
            "This password is too short. It must contain at least {MIN_PASSWORD_LEN} characters."
        ));
    }
    if is_common_password(password) {
        problems.push("This password is too common.".to_string());
    }
    if !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
        problems.push("This password is entirely numeric.".to_string());
    }
    problems
}

fn is_common_password(password: &str) -> bool {
    let lowered = password.to_lowercase();
    COMMON_PASSWORDS.binary_search(&lowered.as_str()).is_ok()
}

/// Passwords people pick most often (sorted, lower-case). A short list on
/// purpose: it catches the obvious choices without shipping a dictionary.
const COMMON_PASSWORDS: &[&str] = &[
    "000000",
    "00000000",
    "1111",
    "111111",
    "11111111",
    "112233",
    "121212",
    "123123",
    "123123123",
    "1234",
    "12345",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "123qwe",
    "131313",
    "1q2w3e",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "1qaz2wsx",
    "222222",
    "654321",
    "666666",
    "696969",
    "7777777",
    "888888",
    "987654321",
    "aa123456",
    "abc123",
    "abcd1234",
    "access",
    "admin",
    "admin123",
    "administrator",
    "azerty",
    "azerty123",
    "azertyuiop",
    "baseball",
    "batman",
    "bienvenue",
    "bonjour",
    "charlie",
    "chocolate",
    "dragon",
    "football",
    "freedom",
    "hello",
    "hello123",
    "iloveyou",
    "jordan23",
    "letmein",
    "liverpool",
    "login",
    "loulou",
    "master",
    "michael",
    "monkey",
    "motdepasse",
    "mustang",
    "passw0rd",
    "password",
    "password1",
    "password123",
    "princess",
    "qazwsx",
    "qwerty",
    "qwerty123",
    "qwertyuiop",
    "shadow",
    "soleil",
    "starwars",
    "sunshine",
    "superman",
    "trustno1",
    "welcome",
    "whatever",
    "zaq12wsx",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_list_is_sorted_for_binary_search() {
        let mut sorted = COMMON_PASSWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, COMMON_PASSWORDS);
    }

    #[test]
    fn password_rules_are_reported_together() {
        assert_eq!(
            password_problems("1234567"),
            vec![
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ]
        );
        assert_eq!(
            password_problems("Password"),
            vec!["This password is too common."]
        );
        assert!(password_problems("a-long enough passphrase").is_empty());
    }

    #[test]
    fn only_the_just_replaced_token_is_in_the_rotation_grace() {
        let now = crate::time::now();
        let session = Session {
            id: "s".into(),
            user_id: "u".into(),
            refresh_jti: "current".into(),
            refresh_iat: Some(now.timestamp()),
            previous_jti: Some("previous".into()),
            rotated_at: Some(now.timestamp() - 10),
            ip_address: None,
            user_agent: None,
            is_active: true,
            expires_at: now.timestamp() + 60,
            created_at: now,
            updated_at: now,
        };
        assert!(session.in_rotation_grace("previous", now, 30));
        assert!(!session.in_rotation_grace("previous", now, 5), "too late");
        assert!(!session.in_rotation_grace("older", now, 30));
        assert!(!session.in_rotation_grace("current", now, 30));
        let never_rotated = Session {
            previous_jti: None,
            rotated_at: None,
            ..session
        };
        assert!(!never_rotated.in_rotation_grace("previous", now, 30));
    }

    #[test]
    fn emails_keep_local_case_for_display_but_compare_case_insensitively() {
        assert_eq!(
            normalize_email(" Jean.Dupont@Mail.FR "),
            "Jean.Dupont@mail.fr"
        );
        assert_eq!(email_key("Jean.Dupont@Mail.FR"), "jean.dupont@mail.fr");
    }
}

/// A login session: one chain of refresh tokens (spec 2.1 "Session").
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    /// `jti` of the one refresh token of this chain that may still be used.
    pub refresh_jti: String,
    /// `iat` of that token: with `refresh_jti`, `expires_at` and the ids, the
    /// current token can be signed again byte for byte (refresh grace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_iat: Option<i64>,
    /// The `jti` the last rotation replaced, and when (epoch seconds): a
    /// client that raced itself may still present it for a short while.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    pub is_active: bool,
    /// Epoch seconds; also the table's TTL attribute.
    pub expires_at: i64,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl Session {
    /// Active and not past its expiry (TTL deletes late, so we check).
    pub fn is_usable(&self, now: DateTime<Utc>) -> bool {
        self.is_active && self.expires_at > now.timestamp()
    }

    /// Whether `jti` is the token the last rotation replaced, presented
    /// within `grace_seconds` of that rotation: a concurrent refresh of the
    /// same client, not a stolen copy.
    pub fn in_rotation_grace(&self, jti: &str, now: DateTime<Utc>, grace_seconds: i64) -> bool {
        self.previous_jti.as_deref() == Some(jti)
            && self
                .rotated_at
                .is_some_and(|at| (0..=grace_seconds).contains(&(now.timestamp() - at)))
    }

    pub fn expires_at_time(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.expires_at, 0).unwrap_or_default()
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "is_active": self.is_active,
            "expires_at": time::format(&self.expires_at_time()),
            "created_at": time::format(&self.created_at),
        })
    }
}

/// A pending e-mail verification code.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EmailCode {
    pub user_id: String,
    /// Keyed digest of the code; the code itself is never stored.
    pub digest: String,
    #[serde(default)]
    pub attempts: u32,
    /// Epoch seconds of sending, for the resend cooldown.
    pub sent_at: i64,
    /// Epoch seconds; also the TTL attribute.
    pub expires_at: i64,
}

impl EmailCode {
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at > now.timestamp()
    }
}

/// How long after a rotation the replaced refresh token is still answered
/// (with the current one) instead of being treated as reuse.
pub const REFRESH_GRACE_SECONDS: i64 = 30;

/// Verification codes sent to one address per UTC day.
pub const MAX_CODES_PER_DAY: u32 = 10;
