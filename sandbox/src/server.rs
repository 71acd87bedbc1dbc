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
#[derive(Debug)]
pub struct ServerTask {
    handle: JoinHandle<()>,
}

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.handle.abort();
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
    let handle = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "simulator server stopped");
        }
    });
    Ok(SimulatorCore {
        base_url: format!("http://{local}"),
        controls,
        server: ServerTask { handle },
    })
}

async fn apply_controls(
    State(controls): State<Controls>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
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
