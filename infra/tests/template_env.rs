//! Each deployed function gets the environment its state reads, and
//! nothing else: a required variable missing from `template.yaml` would stop
//! the cold start, and a secret given to a function that never reads it is
//! one more place it can leak from. The variables come from the states
//! themselves (`shared::state::variables`), so the check follows the code.

use std::collections::BTreeMap;

use serde_yaml::Value as Yaml;
use shared::config::Need;
use shared::state::{variables, FunctionState};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Set for every function by the platform, read by the runtime, not a state.
const PLATFORM: &[&str] = &["RUST_LOG"];

/// The functions that check tokens, the only ones given the signing secret.
const SIGNING_SECRET_TO: &[&str] = &[
    "UsersFunction",
    "VehiclesFunction",
    "MaintenancesFunction",
    "NotificationsFunction",
    "GaragesFunction",
    "DocumentsFunction",
    "DiagnosticsFunction",
    "PlansFunction",
    "SubscriptionsFunction",
    "StripeWebhookFunction",
    "AiAssistantFunction",
    "SettingsFunction",
    "HealthFunction",
];

/// The functions that call the model, the only ones given its key.
const OPENAI_KEY_TO: &[&str] = &["AiWorkerFunction", "AiAssistantFunction"];

type Variables = Vec<(&'static str, Need)>;

fn of<S: FunctionState>() -> Variables {
    variables::<S>()
}

/// Every function of the template and the variables its state reads.
fn functions() -> Vec<(&'static str, Variables)> {
    vec![
        ("UsersFunction", of::<users::UsersState>()),
        ("VehiclesFunction", of::<vehicles::VehiclesState>()),
        (
            "MaintenancesFunction",
            of::<maintenances::MaintenancesState>(),
        ),
        (
            "NotificationsFunction",
            of::<notifications::NotificationsState>(),
        ),
        ("GaragesFunction", of::<garages::GaragesState>()),
        ("DocumentsFunction", of::<documents::DocumentsState>()),
        ("OcrWorkerFunction", of::<ocr_worker::OcrState>()),
        ("DiagnosticsFunction", of::<diagnostics::DiagnosticsState>()),
        ("AiWorkerFunction", of::<ai_worker::AiState>()),
        ("PlansFunction", of::<plans::PlansState>()),
        (
            "SubscriptionsFunction",
            of::<subscriptions::SubscriptionsState>(),
        ),
        (
            "StripeWebhookFunction",
            of::<stripe_webhook::WebhookState>(),
        ),
        ("AiAssistantFunction", of::<ai_assistant::AssistantState>()),
        ("SettingsFunction", of::<settings::SettingsState>()),
        ("HealthFunction", of::<health::HealthState>()),
        ("RemindersFunction", of::<reminders::RemindersState>()),
        // No state: the document and the page are compiled in.
        ("DocsFunction", Vec::new()),
    ]
}

fn template() -> Yaml {
    serde_yaml::from_str(&std::fs::read_to_string(format!("{ROOT}/template.yaml")).unwrap())
        .unwrap()
}

/// A function's variables as deployed: the Globals' merged with its own.
fn deployed(template: &Yaml, function: &str) -> BTreeMap<String, String> {
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    let own = &template["Resources"][function]["Properties"]["Environment"]["Variables"];
    [globals, own]
        .into_iter()
        .filter_map(Yaml::as_mapping)
        .flat_map(|variables| variables.iter())
        .map(|(name, value)| {
            let name = name.as_str().unwrap().to_string();
            (name, serde_yaml::to_string(value).unwrap())
        })
        .collect()
}

/// A value CloudFormation resolves from a secret store.
fn is_secret(value: &str) -> bool {
    value.contains("{{resolve:secretsmanager:") || value.contains("{{resolve:ssm-secure:")
}

#[test]
fn every_function_of_the_template_is_checked() {
    let template = template();
    let mut in_template: Vec<&str> = template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(name, _)| name.as_str().unwrap())
        .collect();
    in_template.sort();
    let mut checked: Vec<&str> = functions().into_iter().map(|(name, _)| name).collect();
    checked.sort();
    assert_eq!(in_template, checked);
}

#[test]
fn every_function_gets_the_variables_its_state_requires() {
    let template = template();
    for (function, variables) in functions() {
        let deployed = deployed(&template, function);
        for (name, need) in variables {
            if need == Need::Required {
                assert!(
                    deployed.contains_key(name),
                    "{function} needs {name}; template.yaml does not give it"
                );
            }
        }
    }
}

#[test]
fn no_function_gets_a_variable_its_state_does_not_read() {
    let template = template();
    for (function, variables) in functions() {
        for (name, value) in deployed(&template, function) {
            let read = variables.iter().any(|(v, _)| *v == name);
            let kind = if is_secret(&value) {
                "secret"
            } else {
                "variable"
            };
            assert!(
                read || PLATFORM.contains(&name.as_str()),
                "{function} is given the {kind} {name}, which its state never reads"
            );
        }
    }
}

#[test]
fn the_signing_secret_goes_only_to_the_functions_that_check_tokens() {
    let template = template();
    for (function, variables) in functions() {
        let reads = variables.iter().any(|(v, _)| *v == "JWT_SECRET");
        assert_eq!(
            reads,
            SIGNING_SECRET_TO.contains(&function),
            "{function}: reads JWT_SECRET = {reads}"
        );
        let given = deployed(&template, function).get("JWT_SECRET").cloned();
        assert_eq!(given.is_some(), reads, "{function}: given JWT_SECRET");
        if let Some(value) = given {
            assert!(
                is_secret(&value),
                "{function}: JWT_SECRET is not resolved from a secret store"
            );
        }
    }
    assert!(
        !deployed(&template, "RemindersFunction").contains_key("JWT_SECRET"),
        "the reminders run checks no tokens"
    );
}

/// The model's key reaches the AI worker and the assistant only, from a
/// secret store.
#[test]
fn the_openai_key_goes_only_to_the_ai_functions() {
    let template = template();
    for (function, variables) in functions() {
        let reads = variables.iter().any(|(v, _)| *v == "OPENAI_API_KEY");
        assert_eq!(reads, OPENAI_KEY_TO.contains(&function), "{function}");
        let given = deployed(&template, function).get("OPENAI_API_KEY").cloned();
        assert_eq!(given.is_some(), reads, "{function}: given OPENAI_API_KEY");
        if let Some(value) = given {
            assert!(
                is_secret(&value),
                "{function}: the key is not a secret reference"
            );
        }
    }
}

/// The Stripe API key reaches the subscriptions function only, and the
/// webhook's signing secrets the webhook function only, each from a secret
/// store. (The subscriptions function also reads `STRIPE_WEBHOOK_SECRET`,
/// for its local simulator's signatures: a deployment never runs the
/// simulator, so never gives it.)
#[test]
fn the_stripe_secrets_go_only_to_their_functions() {
    let template = template();
    for (secret, to) in [
        ("STRIPE_SECRET_KEY", "SubscriptionsFunction"),
        ("STRIPE_WEBHOOK_SECRET", "StripeWebhookFunction"),
    ] {
        for (function, variables) in functions() {
            let reads = variables.iter().any(|(v, _)| *v == secret);
            assert!(function != to || reads, "{function} never reads {secret}");
            let given = deployed(&template, function).get(secret).cloned();
            assert_eq!(
                given.is_some(),
                function == to,
                "{function}: given {secret}"
            );
            if let Some(value) = given {
                assert!(
                    is_secret(&value),
                    "{function}: {secret} is not a secret reference"
                );
            }
        }
    }
}

/// The checkout simulator gives plans away without a payment: `make dev`
/// and the tests switch it on, a deployment never does.
#[test]
fn no_deployed_function_runs_the_checkout_simulator() {
    let template = template();
    let reads: Vec<&str> = functions()
        .into_iter()
        .filter(|(_, variables)| variables.iter().any(|(v, _)| *v == "STRIPE_SIMULATOR"))
        .map(|(function, _)| function)
        .collect();
    assert_eq!(reads, ["SubscriptionsFunction"]);
    for (function, _) in functions() {
        assert!(
            !deployed(&template, function).contains_key("STRIPE_SIMULATOR"),
            "{function} is given STRIPE_SIMULATOR"
        );
    }
}

/// The assistant waits for a model: its own request deadline
/// (`ai_assistant::ANSWER_DEADLINE`) must end before its Lambda timeout,
/// which API Gateway's 30 s integration limit bounds; and its model calls
/// (`engine::MAX_ROUNDS` rounds of `OPENAI_ATTEMPTS` attempts of
/// `OPENAI_TIMEOUT_SECONDS` each) must end before the deadline, leaving
/// time for the store and the offline answer.
#[test]
fn the_assistants_model_calls_fit_its_deadline_and_its_timeout() {
    let template = template();
    let function = &template["Resources"]["AiAssistantFunction"]["Properties"];
    let timeout = function["Timeout"]
        .as_u64()
        .expect("the assistant has a Timeout of its own");
    let deadline = ai_assistant::ANSWER_DEADLINE.as_secs();
    assert!(
        deadline + 2 <= timeout,
        "the {deadline} s deadline leaves too little of the {timeout} s Lambda timeout"
    );
    assert!(
        timeout < 30,
        "API Gateway gives up at 30 s, before {timeout} s"
    );
    let number = |name: &str| -> u64 {
        let value = &function["Environment"]["Variables"][name];
        value
            .as_u64()
            .or_else(|| value.as_str().and_then(|v| v.parse().ok()))
            .unwrap_or_else(|| panic!("AiAssistantFunction sets no numeric {name}"))
    };
    let worst = ai_assistant::engine::MAX_ROUNDS as u64
        * number("OPENAI_ATTEMPTS")
        * number("OPENAI_TIMEOUT_SECONDS");
    assert!(
        worst + 3 <= deadline,
        "the model calls may take {worst} s of the {deadline} s deadline"
    );
}

/// Region and credentials come from Lambda itself (shared::config::aws);
/// they are reserved names a template may not set, and every function
/// with AWS components reads them at cold start.
#[test]
fn the_platform_variables_are_left_to_lambda() {
    let template = template();
    for (function, _) in functions() {
        for (name, _) in deployed(&template, function) {
            assert!(
                !shared::config::LAMBDA_SETS.contains(&name.as_str()),
                "{function} sets {name}, which Lambda reserves and sets itself"
            );
        }
    }
    let mut env = shared::config::Env::from_lookup(|_| None);
    shared::config::AwsConfig::read(&mut env);
    let read: Vec<&str> = env.variables().iter().map(|(name, _)| *name).collect();
    for name in shared::config::LAMBDA_SETS {
        assert!(read.contains(name), "the AWS section does not read {name}");
    }
}
