//! A real HTTP receiver for the delivery tests, on its own socket: it records every
//! request (headers, body, arrival) and answers from a script — the next planned answer, or
//! the default one — so a test can make a destination fail, slow down or recover.

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::Value;
use tokio::{sync::Notify, time::Instant};

/// Longest wait for requests to arrive.
pub const WAIT: Duration = Duration::from_secs(20);

/// One answer the receiver gives.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<&'static str>,
}

impl Answer {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            retry_after: None,
        }
    }
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
    pub at: Instant,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Script {
    planned: VecDeque<Answer>,
    fallback: Option<Answer>,
    received: Vec<Received>,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    script: Arc<Mutex<Script>>,
    arrived: Arc<Notify>,
}

impl Receiver {
    /// Starts a receiver answering `fallback` to every request not planned otherwise.
    pub async fn start(fallback: Answer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let receiver = Self {
            addr: listener.local_addr().expect("addr"),
            script: Arc::new(Mutex::new(Script {
                fallback: Some(fallback),
                ..Script::default()
            })),
            arrived: Arc::new(Notify::new()),
        };
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        receiver
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The next requests get `answers`, in order.
    pub fn plan(&self, answers: impl IntoIterator<Item = Answer>) {
        self.script.lock().expect("script").planned.extend(answers);
    }

    /// Requests beyond the plan get `answer`.
    pub fn answer_all(&self, answer: Answer) {
        self.script.lock().expect("script").fallback = Some(answer);
    }

    pub fn received(&self) -> Vec<Received> {
        self.script.lock().expect("script").received.clone()
    }

    /// Waits until at least `n` requests arrived; all of them.
    pub async fn until(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + WAIT;
        loop {
            let notified = self.arrived.notified();
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(
                tokio::time::timeout_at(deadline, notified).await.is_ok(),
                "{} of {n} requests arrived in {WAIT:?}",
                received.len()
            );
        }
    }
}

async fn answer(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let answer = {
        let mut script = receiver.script.lock().expect("script");
        script.received.push(Received {
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            at: Instant::now(),
        });
        script
            .planned
            .pop_front()
            .or_else(|| script.fallback.clone())
            .unwrap_or(Answer::status(200))
    };
    receiver.arrived.notify_waiters();
    let status = StatusCode::from_u16(answer.status).expect("status");
    match answer.retry_after {
        Some(after) => (status, [("retry-after", after)], "planned").into_response(),
        None => (status, "planned").into_response(),
    }
}
