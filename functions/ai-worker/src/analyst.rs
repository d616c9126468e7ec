//! One analysis: the model's answer when a key is configured and it gives
//! a usable one, else the offline analysis (code table and rules) with the
//! same structure. It never fails: a model that is down, slow, refusing
//! or answering nonsense costs the owner the model's prose, not the answer.

use shared::domain::diagnosis::{code_facts, complaint_codes, offline, Diagnosis};
use shared::domain::dtc::CodeTable;

use crate::context::Context;
use crate::prompt;
use crate::AiState;

pub async fn diagnose(state: &AiState, ctx: &Context) -> Diagnosis {
    let table = CodeTable::embedded();
    let complaint = ctx.complaint();
    let Some(model) = &state.model else {
        return offline(&complaint, table);
    };
    let facts = code_facts(&complaint_codes(&complaint), table);
    let turns = prompt::turns(ctx, &facts);
    let answer = model
        .structured(
            &turns,
            prompt::SCHEMA_NAME,
            prompt::schema(),
            prompt::MAX_TOKENS,
        )
        .await
        .map_err(|e| e.to_string())
        .and_then(|value| prompt::parse(value, facts));
    match answer {
        Ok(diagnosis) => diagnosis,
        Err(reason) => {
            // Ids only: the reason never quotes the report.
            tracing::warn!(diagnostic = %ctx.diagnostic.id, %reason, "the model's answer was not used; answering offline");
            offline(&complaint, table)
        }
    }
}
