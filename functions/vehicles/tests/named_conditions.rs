//! A refused transaction names the conditions that failed, whatever their
//! position, and a single conditional write names its own.

use shared::store::{s, Expr, Item, WriteError};
type TestApp = testkit::TestApp<vehicles::VehiclesState>;

fn item(pk: &str) -> Item {
    Item::from([("pk".to_string(), s(pk)), ("sk".to_string(), s("X"))])
}

fn absent(name: &str) -> Expr {
    Expr::new()
        .condition("attribute_not_exists(pk)")
        .named(name)
}

#[tokio::test]
async fn a_refusal_reports_the_names_of_the_failed_conditions() {
    let app = TestApp::spawn(vehicles::router).await;
    let store = &app.state.store;
    store.put(item("TAKEN"), Expr::new()).await.unwrap();

    let mut tx = store.tx();
    tx.put(item("FREE"), absent("first_free"))
        .unwrap()
        .put(item("TAKEN"), absent("second_free"))
        .unwrap();
    match tx.commit().await {
        Err(WriteError::Conditions(failed)) => {
            assert!(failed.has("second_free"), "{failed}");
            assert!(!failed.has("first_free"), "{failed}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    match store.put(item("TAKEN"), absent("single")).await {
        Err(WriteError::Conditions(failed)) => assert_eq!(failed.names(), ["single"]),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
