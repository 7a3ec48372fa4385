//! Opening the WebSocket: the URL from the server's address and the token, the socket itself.

use super::Socket;
use crate::error::{SdkError, SdkResult};
use std::net::{IpAddr, SocketAddr};
use tokio::net::TcpSocket;
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Opens the WebSocket, from `local_addr` if one is given. Nagle is off: frames are small and
/// a delivery must not wait for the previous one's ACK.
pub(super) async fn open_socket(url: &str, local_addr: Option<IpAddr>) -> SdkResult<Socket> {
    let ws_error = |e: tokio_tungstenite::tungstenite::Error| SdkError::WebSocket(e.to_string());
    let Some(local) = local_addr else {
        let (socket, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
            .await
            .map_err(ws_error)?;
        return Ok(socket);
    };
    let request = url.into_client_request().map_err(ws_error)?;
    let (Some(host), Some("ws")) = (request.uri().host(), request.uri().scheme_str()) else {
        return Err(SdkError::WebSocket(format!(
            "a local address works only with ws:// URLs, not {url}"
        )));
    };
    let port = request.uri().port_u16().unwrap_or(80);
    let io = |e: std::io::Error| SdkError::WebSocket(e.to_string());
    let remote = tokio::net::lookup_host((host, port))
        .await
        .map_err(io)?
        .find(|a| a.is_ipv4() == local.is_ipv4())
        .ok_or_else(|| SdkError::WebSocket(format!("{host} has no address like {local}")))?;
    let tcp = if local.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(io)?;
    tcp.bind(SocketAddr::new(local, 0)).map_err(io)?;
    let stream = tcp.connect(remote).await.map_err(io)?;
    stream.set_nodelay(true).map_err(io)?;
    let (socket, _) =
        tokio_tungstenite::client_async_with_config(request, MaybeTlsStream::Plain(stream), None)
            .await
            .map_err(ws_error)?;
    Ok(socket)
}

/// `http://host:port` → `ws://host:port/ws?token=…` (https → wss).
pub(super) fn websocket_url(server: &str, token: &str) -> String {
    let base = server.trim_end_matches('/');
    let base = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
    };
    // Tokens are URL-safe base64 with a prefix: no escaping needed.
    format!("{base}/ws?token={token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_urls() {
        assert_eq!(
            websocket_url("http://127.0.0.1:8080/", "tern_x"),
            "ws://127.0.0.1:8080/ws?token=tern_x"
        );
        assert_eq!(
            websocket_url("https://chat.example.com", "t"),
            "wss://chat.example.com/ws?token=t"
        );
    }
}
