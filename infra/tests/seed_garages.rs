//! The reference garages of `make dev` (infra/seed/garages.json) against
//! the emulator: a second load adds nothing, and the Paris garages are
//! found near Paris.

use std::collections::BTreeSet;

use shared::domain::geo::Position;
use shared::store::garages::count_scope;
use shared::store::{client, table, Store};

async fn fresh_store() -> Store {
    let sdk = testkit::emulator_sdk(&testkit::endpoint());
    let (dynamodb, calls) = client::dynamodb(&sdk);
    let name = format!("test-{}", uuid::Uuid::now_v7().simple());
    table::create(&dynamodb, &name).await.expect("create table");
    Store::new(dynamodb, name, calls)
}

#[tokio::test]
async fn loading_twice_stores_each_garage_and_review_once() {
    let store = fresh_store().await;
    let seed = infra::seed_garages::garages().expect("parse the seed file");
    assert_eq!(seed.len(), 24);
    let reviews: usize = seed.iter().map(|(_, r)| r.len()).sum();

    let first = infra::seed_garages::load(&store).await.expect("first load");
    assert_eq!(first, (24, reviews));
    let again = infra::seed_garages::load(&store)
        .await
        .expect("second load");
    assert_eq!(again, (0, 0));

    let directory = store.garages();
    assert_eq!(directory.count(count_scope::ALL).await.unwrap(), 24);
    for (garage, fields) in &seed {
        let stored = directory.get(&garage.id).await.unwrap().expect("stored");
        assert_eq!(stored.name, garage.name);
        assert_eq!(stored.created_by, None);
        assert_eq!(stored.rating_count, fields.len() as u64, "{}", garage.id);
        let ratings: u64 = fields.iter().map(|f| u64::from(f.rating)).sum();
        assert_eq!(stored.rating_sum, ratings, "{}", garage.id);
        for n in 1..=fields.len() {
            let author = infra::seed_garages::seed_reviewer(n);
            assert!(
                directory
                    .review_by(&author, &garage.id)
                    .await
                    .unwrap()
                    .is_some(),
                "review {n} of {}",
                garage.id
            );
        }
    }
}

#[tokio::test]
async fn the_paris_garages_are_near_paris() {
    let store = fresh_store().await;
    infra::seed_garages::load(&store).await.expect("load");
    let paris: BTreeSet<String> = infra::seed_garages::garages()
        .unwrap()
        .into_iter()
        .filter(|(g, _)| g.city.as_deref() == Some("Paris"))
        .map(|(g, _)| g.id)
        .collect();
    assert_eq!(paris.len(), 6);

    let centre = Position::new(48.8566, 2.3522).unwrap();
    let found = store.garages().near(centre, 10.0, 100).await.unwrap();
    let ids: BTreeSet<String> = found.iter().map(|n| n.garage_id.clone()).collect();
    assert_eq!(ids, paris);
    assert!(found
        .windows(2)
        .all(|w| w[0].distance_km <= w[1].distance_km));
    assert!(found.iter().all(|n| n.distance_km <= 5.0));
}
