//! Transactional e-mail through Amazon SES. Mail goes out after the write it
//! reports on and never fails the request: a failure is logged and dropped.

use std::time::Duration;

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::config::MailConfig;
use crate::domain::users::User;

#[derive(Clone, Debug)]
pub struct Mailer {
    client: aws_sdk_sesv2::Client,
    config: MailConfig,
}

/// One message, in text and HTML.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mailer {
    pub fn new(client: aws_sdk_sesv2::Client, config: MailConfig) -> Self {
        Self { client, config }
    }

    /// Base URL of the web app, for the links in mails.
    pub fn frontend_url(&self) -> &str {
        &self.config.frontend_url
    }

    /// Sends, waiting at most a few seconds; never returns an error, tells
    /// whether SES took the message.
    pub async fn send(&self, mail: Mail) -> bool {
        let content = |data: &str| Content::builder().data(data).charset("UTF-8").build();
        let (Ok(subject), Ok(text), Ok(html)) = (
            content(&mail.subject),
            content(&mail.text),
            content(&mail.html),
        ) else {
            tracing::error!("could not build e-mail content");
            return false;
        };
        let message = Message::builder()
            .subject(subject)
            .body(Body::builder().text(text).html(html).build())
            .build();
        let request = self
            .client
            .send_email()
            .from_email_address(&self.config.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().simple(message).build())
            .send();
        match tokio::time::timeout(Duration::from_secs(4), request).await {
            Ok(Ok(_)) => {
                tracing::info!(subject = %mail.subject, "e-mail sent");
                true
            }
            Ok(Err(err)) => {
                tracing::warn!(error = ?err, "e-mail not sent");
                false
            }
            Err(_) => {
                tracing::warn!("e-mail not sent: SES timed out");
                false
            }
        }
    }
}

/// The messages (French, like the product's users).
pub mod templates {
    use super::*;

    fn html_page(paragraphs: &[String]) -> String {
        let body: String = paragraphs
            .iter()
            .map(|p| format!("<p>{}</p>", escape(p)))
            .collect();
        format!("<!doctype html><html><body>{body}</body></html>")
    }

    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    fn mail(to: &str, subject: &str, paragraphs: Vec<String>) -> Mail {
        Mail {
            to: to.to_string(),
            subject: subject.to_string(),
            text: paragraphs.join("\n\n"),
            html: html_page(&paragraphs),
        }
    }

    pub fn welcome(user: &User, frontend_url: &str) -> Mail {
        mail(
            &user.email,
            "Bienvenue sur AutoTrack+ !",
            vec![
                format!("Bonjour {},", user.greeting_name()),
                "Votre compte AutoTrack+ est créé. Ajoutez vos véhicules, suivez leur entretien, \
                 recevez des rappels avant chaque échéance et gardez vos papiers au même endroit."
                    .to_string(),
                format!("Connectez-vous : {frontend_url}/auth/login"),
                format!("Adresse du compte : {}", user.email),
            ],
        )
    }

    pub fn verification_code(user: &User, code: &str) -> Mail {
        mail(
            &user.email,
            "Votre code de vérification AutoTrack+",
            vec![
                format!("Bonjour {},", user.greeting_name()),
                format!("Votre code de vérification : {code}"),
                "Ce code expire dans 10 minutes. Si vous n'avez rien demandé, ignorez ce message."
                    .to_string(),
            ],
        )
    }

    pub fn password_reset(user: &User, link: &str) -> Mail {
        mail(
            &user.email,
            "Réinitialisation de votre mot de passe AutoTrack+",
            vec![
                format!("Bonjour {},", user.greeting_name()),
                format!("Pour choisir un nouveau mot de passe, ouvrez ce lien : {link}"),
                "Le lien expire dans 1 heure et ne sert qu'une fois. Si vous n'avez rien demandé, \
                 ignorez ce message : votre mot de passe reste inchangé."
                    .to_string(),
            ],
        )
    }

    pub fn password_changed(user: &User) -> Mail {
        mail(
            &user.email,
            "Votre mot de passe a été changé",
            vec![
                format!("Bonjour {},", user.greeting_name()),
                "Le mot de passe de votre compte AutoTrack+ vient d'être changé et vos sessions \
                 ont été fermées."
                    .to_string(),
                "Si ce n'était pas vous, réinitialisez votre mot de passe tout de suite et \
                 contactez le support."
                    .to_string(),
            ],
        )
    }

    /// To the address an account just left: the owner learns of the change
    /// even if someone else made it.
    pub fn email_changed(user: &User, old_address: &str, new_address: &str) -> Mail {
        mail(
            old_address,
            "Votre adresse e-mail a été changée",
            vec![
                format!("Bonjour {},", user.greeting_name()),
                format!(
                    "L'adresse de connexion de votre compte AutoTrack+ est désormais {new_address}. \
                     Ce message est envoyé à l'ancienne adresse, {old_address}."
                ),
                "Si ce n'était pas vous, réinitialisez votre mot de passe tout de suite et \
                 contactez le support."
                    .to_string(),
            ],
        )
    }

    /// A reminder or planned maintenance coming up (the in-app notice, by mail).
    pub fn maintenance_reminder(user: &User, title: &str, message: &str, link: &str) -> Mail {
        mail(
            &user.email,
            title,
            vec![
                format!("Bonjour {},", user.greeting_name()),
                message.to_string(),
                format!("Voir le détail : {link}"),
                "Vous recevez ce message parce que les rappels d'entretien par e-mail sont \
                 activés dans vos préférences AutoTrack+."
                    .to_string(),
            ],
        )
    }

    /// A subscription's payment failed (Stripe's `invoice.payment_failed`).
    pub fn payment_failed(user: &User, plan_name: &str, link: &str) -> Mail {
        mail(
            &user.email,
            "Le paiement de votre abonnement a échoué",
            vec![
                format!("Bonjour {},", user.greeting_name()),
                format!(
                    "Le paiement de votre abonnement {plan_name} n'a pas abouti. Votre formule \
                     reste active quelques jours : mettez à jour votre moyen de paiement pour la \
                     conserver."
                ),
                format!("Gérer l'abonnement : {link}"),
            ],
        )
    }
}
