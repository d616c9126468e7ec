//! The mailer's section: the sender, and the web app the links in mails
//! point at (never the API's Host header).

use super::Env;

pub const DEFAULT_MAIL_FROM: &str = "noreply@autotrack.com";

#[derive(Clone, Debug)]
pub struct MailConfig {
    pub from: String,
    /// Base URL of the web front-end, without a trailing slash.
    pub frontend_url: String,
}

impl MailConfig {
    pub fn read(env: &mut Env) -> Self {
        let frontend_url = match env.required("FRONTEND_URL", "base URL of the web app") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                url.trim_end_matches('/').to_string()
            }
            Some(_) => {
                env.problem("FRONTEND_URL must start with http:// or https://".to_string());
                String::new()
            }
            None => String::new(),
        };
        Self {
            from: env
                .optional("MAIL_FROM")
                .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_string()),
            frontend_url,
        }
    }
}
