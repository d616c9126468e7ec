//! The diagnostics app on a table and an AI queue of its own.

#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::vehicles::Vehicle;
use shared::jobs::AiAnalysisJob;

pub type TestApp = testkit::TestApp<diagnostics::DiagnosticsState>;

pub struct Diag {
    pub app: TestApp,
    pub queue: String,
}

pub async fn spawn() -> Diag {
    let (queue, _) = testkit::documents::new_queue(None).await;
    let app = TestApp::spawn_with(diagnostics::router, |c| {
        c.ai_queue_url = Some(queue.clone());
    })
    .await;
    Diag { app, queue }
}

impl Diag {
    /// A signed-in owner with one vehicle.
    pub async fn owner(&self, name: &str) -> (String, String, Vehicle) {
        let (user, token) = self.app.signed_in_user(name).await;
        let vehicle = self.app.store_vehicle(&user.id, "Peugeot", 120_000).await;
        (user.id, token, vehicle)
    }

    /// Creates a diagnostic; the response.
    pub async fn create(&self, token: &str, body: Value) -> testkit::TestResponse {
        self.app
            .post("/api/diagnostics/")
            .bearer(token)
            .json(body)
            .send()
            .await
    }

    /// Creates a diagnostic of `vehicle` titled `title`; its id.
    pub async fn diagnostic(&self, token: &str, vehicle: &Vehicle, title: &str) -> String {
        let res = self
            .create(
                token,
                json!({"vehicle": vehicle.id, "title": title, "description": "Bruit au freinage"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        res.body["id"].as_str().unwrap().to_string()
    }

    /// The jobs waiting in the queue (taken out of it).
    pub async fn jobs(&self) -> Vec<AiAnalysisJob> {
        testkit::documents::drain_queue(&self.queue)
            .await
            .iter()
            .map(|body| shared::jobs::decode::<AiAnalysisJob>(body).expect("an analysis job"))
            .collect()
    }
}
