//! A TCP proxy the tests put between tern and a real service (PostgreSQL, Redis) or in front of
//! several tern nodes, to cut the network as a failure would: `cut` drops every open link and
//! refuses new ones until `restore`. With several upstreams it balances like a load balancer,
//! skipping upstreams that refuse.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct TcpProxy {
    pub addr: SocketAddr,
    cut: Arc<AtomicBool>,
    /// Bumped on every cut, so open links notice and close.
    generation: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl TcpProxy {
    pub async fn start(upstreams: Vec<SocketAddr>) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy bind");
        let addr = listener.local_addr().expect("proxy addr");
        let cut = Arc::new(AtomicBool::new(false));
        let (generation, _) = watch::channel(0u64);
        let links = generation.clone();
        let is_cut = cut.clone();
        let next = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if is_cut.load(Ordering::SeqCst) {
                    continue; // dropped: the peer sees the connection close at once
                }
                let mut cuts = links.subscribe();
                let (upstreams, next) = (upstreams.clone(), next.clone());
                tokio::spawn(async move {
                    let start = next.fetch_add(1, Ordering::SeqCst);
                    for i in 0..upstreams.len() {
                        let upstream = upstreams[(start + i) % upstreams.len()];
                        if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                                _ = cuts.changed() => {}
                            }
                            return;
                        }
                    }
                });
            }
        });
        TcpProxy {
            addr,
            cut,
            generation,
            task,
        }
    }

    /// Drops every open link and refuses new ones.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}

/// `scheme://user@host:port/path` with host:port replaced by `addr`.
pub fn via(url: &str, addr: SocketAddr) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let host_start = rest.find('@').map_or(0, |i| i + 1);
    let host_end = rest[host_start..]
        .find(['/', '?'])
        .map_or(rest.len(), |i| host_start + i);
    format!(
        "{}{}{addr}{}",
        &url[..scheme_end],
        &rest[..host_start],
        &rest[host_end..]
    )
}

/// The host:port of a URL, resolved.
pub async fn address_of(url: &str) -> SocketAddr {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let host_start = rest.find('@').map_or(0, |i| i + 1);
    let host_end = rest[host_start..]
        .find(['/', '?'])
        .map_or(rest.len(), |i| host_start + i);
    tokio::net::lookup_host(&rest[host_start..host_end])
        .await
        .expect("resolve service address")
        .next()
        .expect("service address")
}

#[test]
fn urls_are_pointed_at_the_proxy() {
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    assert_eq!(
        via("postgres://postgres@127.0.0.1:5432/db", addr),
        "postgres://postgres@127.0.0.1:9/db"
    );
    assert_eq!(via("redis://127.0.0.1:6379", addr), "redis://127.0.0.1:9");
}
