//! Serving a simulator's router on a loopback listener, with the request log and the
//! fault injection wrapped around it.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::controls::{Controls, Fault, RecordedRequest};
use crate::SimulatorCore;

/// A running server; the server stops when this is dropped.
///
/// [`ServerTask::take_down`] and [`ServerTask::bring_up`] simulate a provider outage: while
/// down, the port is closed, so a client's connection is refused (nothing is sent), as
/// when a provider's load balancer is gone.
#[derive(Debug)]
pub struct ServerTask {
    addr: SocketAddr,
    app: Router,
    running: std::sync::Mutex<Option<Running>>,
}

#[derive(Debug)]
struct Running {
    handle: JoinHandle<()>,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Drop for ServerTask {
    fn drop(&mut self) {
        if let Some(running) = self.lock().take() {
            running.handle.abort();
        }
    }
}

impl ServerTask {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn spawn(app: Router, listener: TcpListener) -> Running {
        let (shutdown, mut signal) = tokio::sync::watch::channel(false);
        let handle = tokio::spawn(async move {
            let stopped = async move {
                let _ = signal.wait_for(|down| *down).await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!(%error, "simulator server stopped");
            }
        });
        Running { handle, shutdown }
    }

    /// Whether the server is up.
    pub fn is_up(&self) -> bool {
        self.lock().is_some()
    }

    /// Closes the port and every idle connection; requests in flight finish first (up to
    /// a second). Until [`ServerTask::bring_up`], connections are refused.
    pub async fn take_down(&self) {
        let Some(running) = self.lock().take() else {
            return;
        };
        let _ = running.shutdown.send(true);
        let mut handle = running.handle;
        if tokio::time::timeout(std::time::Duration::from_secs(1), &mut handle)
            .await
            .is_err()
        {
            handle.abort();
        }
        // The closed keep-alive connections reach the clients' connection pools as a FIN;
        // give their tasks a moment to see it, so that the next request connects afresh
        // (and is refused) instead of being written into a connection already closed,
        // which would make its outcome unknown rather than "never sent".
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    /// Opens the same port again after [`ServerTask::take_down`], with the simulator's
    /// state as it was.
    pub async fn bring_up(&self) -> std::io::Result<()> {
        if self.is_up() {
            return Ok(());
        }
        let listener = TcpListener::bind(self.addr).await?;
        let running = Self::spawn(self.app.clone(), listener);
        *self.lock() = Some(running);
        Ok(())
    }
}

/// Binds `addr`, serves `router` there with the controls' middleware and returns the core.
pub(crate) async fn serve(
    addr: SocketAddr,
    router: Router,
    controls: Controls,
) -> std::io::Result<SimulatorCore> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let app = router.layer(middleware::from_fn_with_state(
        controls.clone(),
        apply_controls,
    ));
    let running = ServerTask::spawn(app.clone(), listener);
    Ok(SimulatorCore {
        base_url: format!("http://{local}"),
        controls,
        server: ServerTask {
            addr: local,
            app,
            running: std::sync::Mutex::new(Some(running)),
        },
    })
}

async fn apply_controls(
    State(controls): State<Controls>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    if path == crate::approval::CONTROL_PATH && method == "POST" {
        let query = request.uri().query().unwrap_or_default();
        return match crate::approval::control(&controls.approval, query) {
            Ok(text) => (StatusCode::OK, text).into_response(),
            Err(problem) => (StatusCode::BAD_REQUEST, format!("{problem}\n")).into_response(),
        };
    }
    controls.requests.record(RecordedRequest {
        method: method.clone(),
        path: path.clone(),
        query: request.uri().query().map(str::to_owned),
    });
    let Some(fault) = controls.faults.take(&method, &path) else {
        return next.run(request).await;
    };
    match fault {
        Fault::Delay(duration) => {
            tokio::time::sleep(duration).await;
            next.run(request).await
        }
        Fault::TimeoutBeforeProcessing(duration) => {
            tokio::time::sleep(duration).await;
            dropped_connection()
        }
        Fault::HtmlServerError(status) => html_error(status),
        Fault::DelayAfterProcessing(duration) => {
            let response = next.run(request).await;
            tokio::time::sleep(duration).await;
            response
        }
        Fault::DropAfterProcessing => {
            let _ = next.run(request).await;
            dropped_connection()
        }
        Fault::HtmlServerErrorAfterProcessing(status) => {
            let _ = next.run(request).await;
            html_error(status)
        }
        Fault::MalformedJson => {
            let _ = next.run(request).await;
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                "{\"status\": \"success\", <<not json>>",
            )
                .into_response()
        }
        Fault::TruncatedJson => {
            let response = next.run(request).await;
            let (mut parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(half))
        }
        Fault::UndocumentedStatus(word) => {
            let response = next.run(request).await;
            replace_status(response, serde_json::Value::String(word)).await
        }
        Fault::WrongTypedStatus => {
            let response = next.run(request).await;
            replace_status(response, serde_json::Value::from(7)).await
        }
        Fault::Redirect => {
            let _ = next.run(request).await;
            (StatusCode::FOUND, [(header::LOCATION, REDIRECT_TARGET)], "").into_response()
        }
    }
}

/// Where [`Fault::Redirect`] sends the client: a loopback path no simulator serves, so a
/// client that followed it would not find the answer there either.
pub(crate) const REDIRECT_TARGET: &str = "/moved-elsewhere";

/// Replaces the provider's status field(s) in a JSON answer by `value`, keeping the rest
/// of the answer and its HTTP status. An answer that is not a JSON object is left as it is.
async fn replace_status(response: Response, value: serde_json::Value) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    replace_status_fields(&mut json, &value);
    let out = serde_json::to_vec(&json).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// Where each provider keeps its status: Paytrek and PayTR at the top (`status`, or
/// Paytrek's `succeeded` in answers without `status`), Craftgate inside `data` (`paymentStatus` for payments, `status` for refunds and others).
fn replace_status_fields(json: &mut serde_json::Value, value: &serde_json::Value) {
    let Some(object) = json.as_object_mut() else {
        return;
    };
    if let Some(status) = object.get_mut("status") {
        *status = value.clone();
    } else if let Some(succeeded) = object.get_mut("succeeded") {
        // Paytrek's capture, cancel and refund answers carry no `status`: their outcome
        // field is the boolean `succeeded`, so that is the field to make undocumented.
        *succeeded = value.clone();
    }
    if let Some(data) = object.get_mut("data").and_then(|d| d.as_object_mut()) {
        for field in ["paymentStatus", "status"] {
            if let Some(status) = data.get_mut(field) {
                *status = value.clone();
            }
        }
    }
}

fn html_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let page = format!(
        "<html><head><title>{status}</title></head><body><h1>{status}</h1><hr><center>nginx</center></body></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}

/// A response whose body fails on the first read: hyper aborts the connection, so the
/// client sees the connection drop without a complete answer.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated connection drop",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, "512")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn top_level_status_is_replaced() {
        let mut body = json!({ "status": "success", "msg": "Ödeme Başarılı." });
        replace_status_fields(&mut body, &json!("teleported"));
        assert_eq!(
            body,
            json!({ "status": "teleported", "msg": "Ödeme Başarılı." })
        );
    }

    #[test]
    fn paytrek_succeeded_is_replaced_only_without_status() {
        let mut settle = json!({ "sale_token": "t", "succeeded": true });
        replace_status_fields(&mut settle, &json!("teleported"));
        assert_eq!(
            settle,
            json!({ "sale_token": "t", "succeeded": "teleported" })
        );
        let mut sale = json!({ "status": "Paid", "succeeded": true });
        replace_status_fields(&mut sale, &json!(7));
        assert_eq!(sale, json!({ "status": 7, "succeeded": true }));
    }

    #[test]
    fn craftgate_data_statuses_are_replaced() {
        let mut body = json!({ "data": { "id": 1, "paymentStatus": "SUCCESS" } });
        replace_status_fields(&mut body, &json!(7));
        assert_eq!(body, json!({ "data": { "id": 1, "paymentStatus": 7 } }));
        let mut refund = json!({ "data": { "id": 2, "status": "SUCCESS" } });
        replace_status_fields(&mut refund, &json!("teleported"));
        assert_eq!(
            refund,
            json!({ "data": { "id": 2, "status": "teleported" } })
        );
    }

    #[test]
    fn answers_without_status_are_untouched() {
        let mut body = json!({ "data": { "cardToken": "t" } });
        replace_status_fields(&mut body, &json!(7));
        assert_eq!(body, json!({ "data": { "cardToken": "t" } }));
        let mut list = json!([{ "status": "success" }]);
        replace_status_fields(&mut list, &json!(7));
        assert_eq!(list, json!([{ "status": "success" }]));
    }

    #[tokio::test]
    async fn faults_change_a_real_answer() {
        let router = Router::new().route(
            "/pay",
            axum::routing::post(|| async {
                axum::Json(json!({ "status": "success", "id": "p1" }))
            }),
        );
        let controls = Controls::default();
        let core = serve(
            "127.0.0.1:0".parse().expect("addr"),
            router,
            controls.clone(),
        )
        .await
        .expect("serve");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let url = format!("{}/pay", core.base_url);

        controls
            .faults
            .inject_on("/pay", Fault::UndocumentedStatus("teleported".into()));
        let answer = client.post(&url).send().await.expect("send");
        assert_eq!(answer.status(), StatusCode::OK);
        let body: serde_json::Value = answer.json().await.expect("json");
        assert_eq!(body, json!({ "status": "teleported", "id": "p1" }));

        controls.faults.inject(Fault::WrongTypedStatus);
        let body: serde_json::Value = client
            .post(&url)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(body, json!({ "status": 7, "id": "p1" }));

        controls.faults.inject(Fault::Redirect);
        let answer = client.post(&url).send().await.expect("send");
        assert_eq!(answer.status(), StatusCode::FOUND);
        assert_eq!(
            answer
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
            Some(REDIRECT_TARGET)
        );
        assert_eq!(controls.faults.pending(), 0);
        assert_eq!(controls.requests.count_path("/pay"), 3);
    }
}
