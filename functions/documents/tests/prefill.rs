//! A maintenance recorded from an analysed invoice.

mod common;

use common::{spawn, Docs};
use serde_json::{json, Value};
use shared::domain::documents::status;

/// Marks the document analysed as the worker would, with `data`.
async fn analysed(docs: &Docs, owner: &str, id: &str, data: Value) {
    let store = docs.app.state.store.documents();
    let before = store.get(owner, id).await.unwrap().unwrap();
    let mut after = before.clone();
    after.analysis_status = status::DONE.into();
    after.is_analyzed = true;
    after.analysis_data = data;
    store.save(&before, &mut after, Vec::new()).await.unwrap();
}

fn invoice_data() -> Value {
    json!({
        "status": "success",
        "document_type": "invoice",
        "structured_data": {"total_amount": "189.90", "date": "2026-03-14"},
        "suggested_maintenance": {
            "service_date": "2026-03-14",
            "cost": "189.90",
            "mileage": 45_000,
            "service_type": "Vidange",
            "services": ["Vidange", "Freins"],
            "garage_name": "GARAGE DUPONT",
            "invoice_number": "2026-0142"
        }
    })
}

#[tokio::test]
async fn an_analysed_invoice_records_one_maintenance_with_its_figures() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("prefill").await;
    let car = docs.app.store_vehicle(&user.id, "Peugeot", 40_000).await;
    let id = docs
        .pdf(&token, "Facture vidange", &[("vehicle", &car.id)])
        .await;
    let path = format!("/api/documents/{id}/create_maintenance/");
    // Not analysed yet.
    let res = docs.app.post(&path).bearer(&token).send().await;
    assert_eq!(res.status, 400);
    assert!(res.body["error"]
        .as_str()
        .unwrap()
        .starts_with("Only an analysed invoice"));
    analysed(&docs, &user.id, &id, invoice_data()).await;
    let res = docs.app.post(&path).bearer(&token).send().await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["cost"], "189.90");
    assert_eq!(res.body["mileage"], 45_000);
    assert_eq!(res.body["service_type"], "Vidange");
    assert_eq!(res.body["status"], "COMPLETED");
    assert!(res.body["service_date"]
        .as_str()
        .unwrap()
        .starts_with("2026-03-14"));
    assert!(res.body["description"]
        .as_str()
        .unwrap()
        .contains("2026-0142"));
    assert_eq!(res.body["document"], id.as_str());
    let maintenance_id = res.body["id"].as_str().unwrap().to_string();
    // The odometer rule: the vehicle takes the higher reading.
    let vehicle = docs.app.stored_vehicle(&user.id, &car.id).await;
    assert_eq!((vehicle.mileage, vehicle.maintenances_count), (45_000, 1));
    let detail = docs
        .app
        .get(&format!("/api/documents/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.body["maintenance"], maintenance_id.as_str());
    // Once only.
    let again = docs.app.post(&path).bearer(&token).send().await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["maintenance"], maintenance_id.as_str());
    // Once that record is deleted, the invoice can make another.
    let store = &docs.app.state.store;
    let record = store
        .fleet(
            &user.id,
            shared::store::fleet::FleetParts {
                maintenances: true,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .maintenances
        .remove(0);
    let vehicle = docs.app.stored_vehicle(&user.id, &car.id).await;
    store
        .maintenances()
        .delete(&record, Some(&vehicle), Vec::new())
        .await
        .unwrap();
    let res = docs
        .app
        .post(
            "/api/documents/{id}/create-maintenance/"
                .replace("{id}", &id)
                .as_str(),
        )
        .bearer(&token)
        .json(json!({"cost": "150.00", "service_type": "Révision"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        (res.body["cost"].as_str(), res.body["service_type"].as_str()),
        (Some("150.00"), Some("Révision"))
    );
}

#[tokio::test]
async fn overrides_follow_the_maintenance_rules_and_documents_stay_private() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("rules").await;
    let loose = docs.pdf(&token, "Facture sans véhicule", &[]).await;
    analysed(&docs, &user.id, &loose, invoice_data()).await;
    let path = format!("/api/documents/{loose}/create_maintenance/");
    let res = docs.app.post(&path).bearer(&token).send().await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"vehicle": ["This field is required."]}));
    let car = docs.app.store_vehicle(&user.id, "Renault", 1).await;
    let res = docs
        .app
        .post(&path)
        .bearer(&token)
        .json(json!({"vehicle": car.id, "cost": "-1"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"cost": ["Cost cannot be negative"]}));
    let (other, _) = docs.app.signed_in_user("other").await;
    let theirs = docs.app.store_vehicle(&other.id, "Fiat", 1).await;
    let res = docs
        .app
        .post(&path)
        .bearer(&token)
        .json(json!({"vehicle": theirs.id}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["vehicle"].is_array());
    // A type that is not an invoice.
    let insurance = docs
        .pdf(&token, "Assurance", &[("document_type", "insurance")])
        .await;
    analysed(
        &docs,
        &user.id,
        &insurance,
        json!({"document_type": "insurance"}),
    )
    .await;
    let res = docs
        .app
        .post(&format!("/api/documents/{insurance}/create_maintenance/"))
        .bearer(&token)
        .json(json!({"vehicle": car.id}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    // Another user's document.
    let (_, intruder) = docs.app.signed_in_user("intruder").await;
    let res = docs
        .app
        .post(&path)
        .bearer(&intruder)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 404);
    let res = docs
        .app
        .post(&path)
        .bearer(&token)
        .json(json!({"vehicle": car.id}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["vehicle"], car.id.as_str());
}
