//! Plan gating by quota (issue 15, spec 13.2.6): every answered message
//! counts one against the month's allowance of the caller's plan; beyond
//! it, the spec's 403 naming the plan to move to (with the machine-readable
//! fields of every plan limit). `diagnostic/` is Premium's.

use serde_json::Value;
use shared::domain::plans::{limit_reached, ASSISTANT_MESSAGES_PER_MONTH, PREMIUM, STANDARD};
use shared::domain::users::User;
use shared::store::billing::{Usage, USAGE_LIMIT};
use shared::store::WriteError;
use shared::{time, Error, Result};

use crate::AssistantState;

pub const STANDARD_REQUIRED: &str = "📦 Cette fonctionnalité nécessite au minimum le plan Standard (9.99€/mois). Mettez à niveau votre abonnement pour y accéder.";
pub const PREMIUM_REQUIRED: &str = "⭐ Cette fonctionnalité nécessite le plan Premium (19.99€/mois). Mettez à niveau votre abonnement pour y accéder.";

/// The 403 of a caller whose month's allowance is used up.
pub fn exhausted(user: &User) -> Error {
    let error = limit_reached(
        ASSISTANT_MESSAGES_PER_MONTH,
        |l| l.assistant_messages_per_month,
        user.plan.as_ref(),
    );
    match error {
        Error::Body { status, mut body } => {
            let detail = match body["upgrade_plan"]["tier"].as_str() {
                Some(STANDARD) => Some(STANDARD_REQUIRED),
                Some(PREMIUM) => Some(PREMIUM_REQUIRED),
                _ => None,
            };
            if let Some(detail) = detail {
                body["limit_detail"] = body["detail"].clone();
                body["detail"] = Value::from(detail);
            }
            Error::Body { status, body }
        }
        other => other,
    }
}

/// `diagnostic/`: Premium (the plan's `ai_diagnostic`), checked before
/// the body is read.
pub fn require_diagnostic(user: &User) -> Result<()> {
    if user.limits().ai_diagnostic {
        Ok(())
    } else {
        Err(Error::Forbidden(PREMIUM_REQUIRED.into()))
    }
}

/// Counts one answered message that is stored nowhere else (the
/// assistant actions): 403 at the allowance.
pub async fn count_one(state: &AssistantState, user: &User) -> Result<()> {
    let write = state.store.billing().tx_use(
        &user.id,
        Usage::AssistantMessages,
        user.limits().assistant_messages_per_month,
        &time::now(),
    )?;
    match state.store.transact(vec![write]).await {
        Ok(()) => Ok(()),
        Err(WriteError::Conditions(f)) if f.has(USAGE_LIMIT) => Err(exhausted(user)),
        Err(e) => Err(e.into()),
    }
}
