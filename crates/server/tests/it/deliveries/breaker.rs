//! The circuit breaker: it opens after the threshold of consecutive failures, queues what
//! arrives meanwhile (nothing is sent, nothing dropped), probes once after the cooldown,
//! and on success closes and flushes the queue in event order; a reset closes it by hand.
//! One dead destination does not hold up another.

use serde_json::{json, Value};

use super::{
    id,
    receiver::{Answer, Receiver},
};
use crate::helpers::{pageview, spawn_app, TestApp};

async fn circuit(app: &TestApp, destination: &str) -> Value {
    app.get(
        &format!("/v1/destinations/{destination}/circuit"),
        &app.keys.admin,
    )
    .await
    .json()
    .await
    .expect("json")
}

#[tokio::test]
async fn the_breaker_opens_queues_probes_and_flushes_in_order_while_others_flow() {
    let app = spawn_app().await;
    let dead = Receiver::start(Answer::status(503)).await;
    let healthy = Receiver::start(Answer::status(200)).await;
    let broken = id(&app
        .destination(
            &dead.url(),
            json!({"retry_max_attempts": 10, "retry_intervals": [30],
                   "circuit_breaker": {"failure_threshold": 2, "cooldown": 1.0}}),
        )
        .await);
    let fine = id(&app.destination(&healthy.url(), json!({})).await);
    app.connection("*", &broken, json!([])).await;
    app.connection("*", &fine, json!([])).await;
    assert_eq!(circuit(&app, &broken).await["state"], "closed");

    let post = |visitor: String| {
        let app = &app;
        async move {
            assert_eq!(
                app.post_events(&app.keys.server, &pageview(&visitor))
                    .await
                    .status(),
                202
            );
        }
    };
    post("v0".into()).await;
    post("v1".into()).await;
    dead.until(2).await;
    app.attempts_until(&format!("destination_id={broken}&status=failed"), |a| {
        a.len() == 2
    })
    .await;
    let open = circuit(&app, &broken).await;
    assert_eq!(open["state"], "open", "{open}");
    assert_eq!(open["consecutive_failures"], 2);
    assert!(open["opened_at"].is_string());

    for n in 2..5 {
        post(format!("v{n}")).await;
    }
    healthy.until(5).await;
    let queued = circuit(&app, &broken).await;
    assert_eq!(queued["state"], "open");
    assert_eq!(
        queued["queued"], 5,
        "the two retries and three new deliveries wait: {queued}"
    );
    assert_eq!(
        dead.received().len(),
        2,
        "nothing is sent while the circuit is open"
    );

    dead.answer_all(Answer::status(200));
    // The probe goes after the cooldown (1 s); it succeeds, the queue flushes.
    let flushed = dead.until(5).await;
    let visitors: Vec<String> = flushed[2..]
        .iter()
        .map(|r| {
            r.json()["visitorId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        visitors,
        ["v2", "v3", "v4"],
        "new deliveries in event order"
    );
    let closed = circuit(&app, &broken).await;
    assert_eq!(closed["state"], "closed", "{closed}");
    assert_eq!(closed["consecutive_failures"], 0);
    app.stop().await;
}

#[tokio::test]
async fn a_reset_closes_an_open_circuit() {
    let app = spawn_app().await;
    let dead = Receiver::start(Answer::status(500)).await;
    let destination = id(&app
        .destination(
            &dead.url(),
            json!({"retry_max_attempts": 1,
                   "circuit_breaker": {"failure_threshold": 1, "cooldown": 3600}}),
        )
        .await);
    app.connection("*", &destination, json!([])).await;
    assert_eq!(
        app.post_events(&app.keys.server, &pageview("v1"))
            .await
            .status(),
        202
    );
    dead.until(1).await;
    app.attempts_until(
        &format!("destination_id={destination}&status=failed"),
        |a| a.len() == 1,
    )
    .await;
    assert_eq!(circuit(&app, &destination).await["state"], "open");
    dead.answer_all(Answer::status(200));
    assert_eq!(
        app.post_events(&app.keys.server, &pageview("v2"))
            .await
            .status(),
        202
    );
    let reset: Value = app
        .client
        .post(app.url(&format!("/v1/destinations/{destination}/circuit/reset")))
        .header("x-api-key", &app.keys.admin)
        .send()
        .await
        .expect("reset")
        .json()
        .await
        .expect("json");
    assert_eq!(reset["state"], "closed");
    let second = dead.until(2).await.remove(1);
    assert_eq!(second.json()["visitorId"], "v2");
    app.stop().await;
}
