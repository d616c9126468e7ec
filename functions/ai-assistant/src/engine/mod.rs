//! The assistant's answers (issue 15, "Answers grounded in the owner's
//! data"): the model with tools that read only the caller's data when a
//! key is configured, the offline assistant otherwise or whenever the model
//! fails. Only the store can make an answer fail.

pub mod data;
pub mod offline;
pub mod prompt;
pub mod tools;

use serde_json::{json, Value};
use shared::ai::{self, AiError, OpenAi};
use shared::domain::assistant::{bounded, ANSWER_MAX, ROLE_ASSISTANT, ROLE_USER};
use shared::domain::dtc;
use shared::domain::users::User;
use shared::store::Store;

use crate::AssistantState;
use data::Facts;

/// Model calls one answer makes at most (tool rounds included).
pub const MAX_ROUNDS: usize = 3;
/// Tool calls of one model round that are run (the others are answered
/// with an error text).
pub const MAX_CALLS_PER_ROUND: usize = 5;
/// Characters of history sent to the model (the newest turns kept).
pub const HISTORY_BUDGET: usize = 6_000;
/// What `Reply::source` says when the offline assistant answered.
pub const SOURCE_OFFLINE: &str = "offline";
/// What the actions' variants say when the model answered (`Reply::source`
/// names the model itself).
pub const SOURCE_MODEL: &str = "openai";

/// One earlier turn of the conversation (already validated: role is
/// "user" or "assistant").
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    pub role: String,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub text: String,
    /// `SOURCE_OFFLINE`, or the model's name (`OPENAI_MODEL`).
    pub source: String,
    pub offline: bool,
}

impl Reply {
    fn offline(text: String) -> Reply {
        Reply {
            text: bounded(&text, ANSWER_MAX),
            source: SOURCE_OFFLINE.into(),
            offline: true,
        }
    }

    fn model(text: String, name: &str) -> Reply {
        Reply {
            text: bounded(text.trim(), ANSWER_MAX),
            source: name.to_string(),
            offline: false,
        }
    }
}

/// The caller's data, read on first use (once per answer).
struct Lazy<'a> {
    store: &'a Store,
    owner_id: &'a str,
    facts: Option<Facts>,
}

impl<'a> Lazy<'a> {
    fn new(store: &'a Store, user: &'a User) -> Self {
        Lazy {
            store,
            owner_id: &user.id,
            facts: None,
        }
    }

    async fn get(&mut self) -> shared::Result<&Facts> {
        if self.facts.is_none() {
            self.facts = Some(Facts::read(self.store, self.owner_id).await?);
        }
        Ok(self.facts.get_or_insert_with(Facts::default))
    }
}

/// The newest turns of `history` within `budget` characters, as model
/// turns (oldest first); a turn that does not fit ends the history.
pub fn trimmed_history(history: &[Turn], budget: usize) -> Vec<ai::Turn> {
    let mut kept = Vec::new();
    let mut used = 0;
    for turn in history.iter().rev() {
        let size = turn.content.chars().count();
        if used + size > budget {
            break;
        }
        used += size;
        match turn.role.as_str() {
            ROLE_USER => kept.push(ai::Turn::User(turn.content.clone())),
            ROLE_ASSISTANT => kept.push(ai::Turn::Assistant {
                content: Some(turn.content.clone()),
                tool_calls: Vec::new(),
            }),
            // Validated by the caller; anything else is never sent.
            _ => {}
        }
    }
    kept.reverse();
    kept
}

/// Why the model's part ended without an answer (logged, then offline).
#[derive(Debug)]
enum Failure {
    Model(AiError),
    Empty,
    TooManyRounds,
    /// The rounds together outlasted `MODEL_BUDGET`.
    OutOfTime,
}

impl Failure {
    fn kind(&self) -> &'static str {
        match self {
            Failure::Model(AiError::Timeout) => "timeout",
            Failure::Model(AiError::Unavailable(_)) => "unavailable",
            Failure::Model(AiError::Refused(_)) => "refused",
            Failure::Model(AiError::Malformed(_)) => "malformed",
            Failure::Empty => "empty",
            Failure::TooManyRounds => "too_many_rounds",
            Failure::OutOfTime => "out_of_time",
        }
    }
}

/// How long the model's rounds may take together: the offline answer and
/// the writes still fit in the function's deadline (25 s) whatever the
/// model's configured timeouts.
pub const MODEL_BUDGET: std::time::Duration = std::time::Duration::from_secs(18);

async fn within_budget(
    rounds: impl std::future::Future<Output = shared::Result<Result<String, Failure>>>,
) -> shared::Result<Result<String, Failure>> {
    tokio::time::timeout(MODEL_BUDGET, rounds)
        .await
        .unwrap_or(Ok(Err(Failure::OutOfTime)))
}

/// The model with the tools: at most `MAX_ROUNDS` calls. `Ok(Err(_))`: the
/// model gave no usable answer; `Err`: the store failed.
async fn converse(
    model: &OpenAi,
    facts: &mut Lazy<'_>,
    system: String,
    history: &[Turn],
    user_text: String,
) -> shared::Result<Result<String, Failure>> {
    let tools = tools::definitions();
    let mut turns = vec![ai::Turn::System(system)];
    turns.extend(trimmed_history(history, HISTORY_BUDGET));
    turns.push(ai::Turn::User(user_text));
    for round in 1..=MAX_ROUNDS {
        let answer = match model.chat(&turns, &tools, prompt::MAX_TOKENS).await {
            Ok(answer) => answer,
            Err(error) => return Ok(Err(Failure::Model(error))),
        };
        if answer.tool_calls.is_empty() {
            let text = answer.content.unwrap_or_default();
            return Ok(if text.trim().is_empty() {
                Err(Failure::Empty)
            } else {
                Ok(text)
            });
        }
        if round == MAX_ROUNDS {
            break;
        }
        let mut results = Vec::with_capacity(answer.tool_calls.len());
        for (index, call) in answer.tool_calls.iter().enumerate() {
            let content = if index < MAX_CALLS_PER_ROUND {
                let facts = facts.get().await?;
                tools::run(facts, &call.name, &call.arguments)
            } else {
                json!({"error": "too many tool calls in one turn"}).to_string()
            };
            tracing::debug!(tool = %call.name, "assistant tool call");
            results.push(ai::Turn::Tool {
                call_id: call.id.clone(),
                content,
            });
        }
        turns.push(ai::Turn::Assistant {
            content: answer.content,
            tool_calls: answer.tool_calls,
        });
        turns.extend(results);
    }
    Ok(Err(Failure::TooManyRounds))
}

fn log_fallback(what: &str, failure: &Failure) {
    tracing::warn!(
        action = what,
        kind = failure.kind(),
        "the model gave no answer: the offline assistant answers"
    );
}

/// Answers `question` for `user`, with `history` (oldest first). Errors
/// only for the store.
pub async fn answer(
    state: &AssistantState,
    user: &User,
    history: &[Turn],
    question: &str,
) -> shared::Result<Reply> {
    let mut facts = Lazy::new(&state.store, user);
    if let Some(model) = &state.model {
        let system = prompt::assistant(shared::time::now());
        match within_budget(converse(
            model,
            &mut facts,
            system,
            history,
            question.to_string(),
        ))
        .await?
        {
            Ok(text) => return Ok(Reply::model(text, model.model())),
            Err(failure) => log_fallback("answer", &failure),
        }
    }
    let facts = facts.get().await?;
    Ok(Reply::offline(offline::answer(facts, question)))
}

/// Lines of a numbered or bulleted list (spec 13.2.9's parsing): at most 5.
pub fn list_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = [
                "1.", "2.", "3.", "4.", "5.", "1)", "2)", "3)", "4)", "5)", "-", "•",
            ]
            .iter()
            .find_map(|prefix| line.strip_prefix(prefix))?;
            let rest = rest.trim();
            (!rest.is_empty()).then(|| bounded(rest, 500))
        })
        .take(5)
        .collect()
}

/// Up to 5 preventive-maintenance suggestions (spec 13.2.9).
pub async fn maintenance_suggestions(
    state: &AssistantState,
    _user: &User,
    make: &str,
    model: &str,
    year: i64,
    mileage: i64,
) -> shared::Result<Vec<String>> {
    Ok(suggestions(state, make, model, year, mileage).await.0)
}

/// The suggestions and what gave them (`SOURCE_OFFLINE` or `SOURCE_MODEL`).
pub async fn suggestions(
    state: &AssistantState,
    make: &str,
    model: &str,
    year: i64,
    mileage: i64,
) -> (Vec<String>, &'static str) {
    if let Some(client) = &state.model {
        let turns = [
            ai::Turn::System(prompt::SUGGESTIONS.into()),
            ai::Turn::User(prompt::suggestions_request(
                &bounded(make, 100),
                &bounded(model, 100),
                year,
                mileage,
            )),
        ];
        match client.chat(&turns, &[], prompt::MAX_TOKENS).await {
            Ok(answer) => {
                let lines = list_lines(answer.content.as_deref().unwrap_or_default());
                if !lines.is_empty() {
                    return (lines, SOURCE_MODEL);
                }
                log_fallback("suggestions", &Failure::Empty);
            }
            Err(error) => log_fallback("suggestions", &Failure::Model(error)),
        }
    }
    let this_year = chrono::Datelike::year(&shared::time::now()) as i64;
    (
        offline::suggestions(year, mileage, this_year),
        SOURCE_OFFLINE,
    )
}

/// The model's text read as spec 13.2.10 says: from the first `{` to the
/// last `}` as JSON, each key defaulted.
pub fn parse_diagnostic(text: &str) -> Value {
    let (Some(start), Some(end)) = (text.find('{'), text.rfind('}')) else {
        return json!({
            "diagnosis": text,
            "urgency": "medium",
            "estimatedCost": "À déterminer",
            "recommendations": ["Consulter un mécanicien pour un diagnostic précis"],
        });
    };
    let parsed = (start < end)
        .then(|| serde_json::from_str::<Value>(&text[start..=end]).ok())
        .flatten()
        .filter(Value::is_object);
    let Some(parsed) = parsed else {
        return json!({
            "diagnosis": text,
            "urgency": "medium",
            "estimatedCost": "À déterminer",
            "recommendations": ["Consulter un mécanicien"],
        });
    };
    let field = |key: &str, default: Value| parsed.get(key).cloned().unwrap_or(default);
    json!({
        "diagnosis": field("diagnosis", json!("Diagnostic non disponible")),
        "urgency": field("urgency", json!("medium")),
        "estimatedCost": field("estimatedCost", json!("À déterminer")),
        "recommendations": field("recommendations", json!(["Consulter un mécanicien"])),
    })
}

/// A diagnostic `{diagnosis, urgency, estimatedCost, recommendations}`
/// (spec 13.2.10) for `vehicle` ("<year> <make> <model>").
pub async fn diagnostic(
    state: &AssistantState,
    _user: &User,
    vehicle: &str,
    symptoms: &str,
) -> shared::Result<Value> {
    Ok(diagnosis(state, vehicle, symptoms).await.0)
}

/// The diagnostic and what gave it.
pub async fn diagnosis(
    state: &AssistantState,
    vehicle: &str,
    symptoms: &str,
) -> (Value, &'static str) {
    if let Some(client) = &state.model {
        let codes: Vec<Value> = dtc::find_codes(symptoms)
            .iter()
            .take(5)
            .map(|c| tools::fault_code(c))
            .collect();
        let request = json!({
            "vehicle": bounded(vehicle, 200),
            "symptoms": bounded(symptoms, 4_000),
            "fault_code_facts": codes,
        });
        let turns = [
            ai::Turn::System(prompt::DIAGNOSTIC.into()),
            ai::Turn::User(request.to_string()),
        ];
        match client.chat(&turns, &[], prompt::MAX_TOKENS).await {
            Ok(answer) => match answer.content.filter(|t| !t.trim().is_empty()) {
                Some(text) => return (parse_diagnostic(&bounded(&text, ANSWER_MAX)), SOURCE_MODEL),
                None => log_fallback("diagnostic", &Failure::Empty),
            },
            Err(error) => log_fallback("diagnostic", &Failure::Model(error)),
        }
    }
    (offline::diagnostic(symptoms), SOURCE_OFFLINE)
}

/// An answer to a maintenance question about `vehicle` (spec 13.2.11),
/// with the tools when the model answers.
pub async fn maintenance_ask(
    state: &AssistantState,
    user: &User,
    vehicle: &str,
    question: &str,
    history: &[Turn],
) -> shared::Result<Reply> {
    let mut facts = Lazy::new(&state.store, user);
    if let Some(model) = &state.model {
        let system = prompt::maintenance(shared::time::now());
        let text = format!(
            "Véhicule: {}\nQuestion: {}",
            bounded(vehicle, 200),
            question
        );
        match within_budget(converse(model, &mut facts, system, history, text)).await? {
            Ok(text) => return Ok(Reply::model(text, model.model())),
            Err(failure) => log_fallback("maintenance_ask", &failure),
        }
    }
    let facts = facts.get().await?;
    Ok(Reply::offline(offline::maintenance_answer(
        facts, vehicle, question,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: &str, content: &str) -> Turn {
        Turn {
            role: role.into(),
            content: content.into(),
        }
    }

    #[test]
    fn history_keeps_the_newest_within_the_budget() {
        let history = vec![
            turn("user", &"a".repeat(50)),
            turn("assistant", &"b".repeat(30)),
            turn("user", &"c".repeat(20)),
        ];
        let kept = trimmed_history(&history, 60);
        assert_eq!(
            kept,
            vec![
                ai::Turn::Assistant {
                    content: Some("b".repeat(30)),
                    tool_calls: vec![]
                },
                ai::Turn::User("c".repeat(20)),
            ]
        );
        assert!(trimmed_history(&history, 10).is_empty());
        assert_eq!(trimmed_history(&history, 1_000).len(), 3);
    }

    #[test]
    fn lists_and_diagnostics_are_parsed_as_the_spec_says() {
        let lines =
            list_lines("Voici :\n1. Vidange\n2) Freins\n- Pneus\n• \n3. Filtre\n4. A\n5. B");
        assert_eq!(lines, vec!["Vidange", "Freins", "Pneus", "Filtre", "A"]);
        let d =
            parse_diagnostic("Résultat : {\"diagnosis\": \"Bougie\", \"urgency\": \"low\"} fin");
        assert_eq!(d["diagnosis"], "Bougie");
        assert_eq!(d["estimatedCost"], "À déterminer");
        assert_eq!(d["recommendations"], json!(["Consulter un mécanicien"]));
        let d = parse_diagnostic("pas de JSON");
        assert_eq!(d["diagnosis"], "pas de JSON");
        assert_eq!(
            d["recommendations"],
            json!(["Consulter un mécanicien pour un diagnostic précis"])
        );
        let d = parse_diagnostic("{ broken");
        assert_eq!(
            d["recommendations"],
            json!(["Consulter un mécanicien pour un diagnostic précis"])
        );
        let d = parse_diagnostic("{ broken }");
        assert_eq!(d["recommendations"], json!(["Consulter un mécanicien"]));
    }
}
