//! S10: files. Upload and download throughput of a large file against the disk's own speed
//! (`dd` on the same disk, in the same run), the server's memory while a larger upload streams
//! in, the cost per request of small pictures, and the time to process (decode, turn upright,
//! strip, thumbnail) a 12-megapixel photo: its upload time less that of as many random bytes.

use crate::Common;
use crate::population;
use crate::report::{Outcome, histogram, percentile_line, percentiles};
use crate::server::Target;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Size of the file uploaded and downloaded, in MB.
    #[arg(long, default_value_t = 100)]
    pub size_mb: u64,
    /// Size of the upload during which the server's memory is watched, in MB.
    #[arg(long, default_value_t = 1000)]
    pub big_mb: u64,
    /// Small pictures uploaded one after the other.
    #[arg(long, default_value_t = 200)]
    pub pictures: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            size_mb: 100,
            big_mb: 1000,
            pictures: 200,
        }
    }
}

const MB: u64 = 1_000_000;

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let target = Target::get(common).await?;
    let (size, big, pictures) = if common.smoke {
        (2 * MB, 4 * MB, 5)
    } else {
        (o.size_mb * MB, o.big_mb * MB, o.pictures.max(1))
    };
    let user = population::users(&target.url, 1).await?.remove(0);
    let token = user.token.clone();
    let addr = target.url.trim_start_matches("http://").to_owned();
    let scratch = target
        .data_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);

    // The disk's own speed, in the same run: write with a flush to the disk, then read back.
    let dd_write = dd(&scratch, size, true).await?;
    let dd_read = dd(&scratch, size, false).await?;
    std::fs::remove_file(scratch.join("dd.bin")).ok();

    let started = Instant::now();
    let (id, _) = upload(&addr, &token, "big.bin", size).await?;
    let up = mb_per_s(size, started.elapsed());
    let started = Instant::now();
    let got = download(&addr, &token, &id).await?;
    let down = mb_per_s(got, started.elapsed());
    if got != size {
        return Err(format!("downloaded {got} bytes of {size}"));
    }

    // Memory while a larger upload streams in: sampled every 100 ms.
    let baseline = target.rss_kib().unwrap_or(0);
    let peak = Arc::new(AtomicU64::new(baseline));
    let watcher = {
        let (pids, peak) = (target.pids.clone(), peak.clone());
        tokio::spawn(async move {
            loop {
                let now: u64 = pids.iter().filter_map(|&p| crate::server::rss_kib(p)).sum();
                peak.fetch_max(now, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let started = Instant::now();
    let uploaded = upload(&addr, &token, "bigger.bin", big).await;
    watcher.abort();
    uploaded?;
    let big_rate = mb_per_s(big, started.elapsed());
    let peak = peak.load(Ordering::Relaxed);

    // Small pictures, one request each.
    let mut small = histogram();
    for i in 0..pictures {
        let jpeg = tiny_jpeg(i as u32);
        let started = Instant::now();
        upload_bytes(&addr, &token, "small.jpg", &jpeg).await?;
        small
            .record(started.elapsed().as_micros().max(1) as u64)
            .map_err(|e| e.to_string())?;
    }

    // A 12-megapixel photo against as many random bytes: the difference is the processing.
    let (w, h) = if common.smoke {
        (400, 300)
    } else {
        (4000, 3000)
    };
    let photo = photo_jpeg(w, h);
    let started = Instant::now();
    let (_, body) = upload_bytes(&addr, &token, "photo.jpg", &photo).await?;
    let photo_ms = started.elapsed().as_secs_f64() * 1000.0;
    if !body.contains("\"picture\"") {
        return Err(format!("the photo was not taken for a picture: {body}"));
    }
    let noise: Vec<u8> = (0..photo.len() as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let started = Instant::now();
    upload_bytes(&addr, &token, "noise.bin", &noise).await?;
    let bytes_ms = started.elapsed().as_secs_f64() * 1000.0;
    let processing_ms = (photo_ms - bytes_ms).max(0.0);

    let summary = format!(
        "{} MB: upload {up:.0} MB/s ({:.0} % of dd's {dd_write:.0}), download {down:.0} MB/s ({:.0} % of dd's {dd_read:.0}); \
         {} MB upload at {big_rate:.0} MB/s with RSS {} → {} MiB; small pictures {}; a {}×{} photo processed in {processing_ms:.0} ms",
        size / MB,
        100.0 * up / dd_write,
        100.0 * down / dd_read,
        big / MB,
        baseline / 1024,
        peak / 1024,
        percentile_line(&small),
        w,
        h,
    );
    Ok(Outcome::new(
        "files",
        summary,
        json!({
            "size_mb": size / MB,
            "upload_mb_s": up,
            "download_mb_s": down,
            "dd_write_mb_s": dd_write,
            "dd_read_mb_s": dd_read,
            "big_mb": big / MB,
            "big_upload_mb_s": big_rate,
            "rss_before_kib": baseline,
            "rss_peak_kib": peak,
            "small_pictures": percentiles(&small),
            "photo_pixels": w * h,
            "photo_processing_ms": processing_ms,
        }),
    ))
}

fn mb_per_s(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / MB as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// `dd` writing (flushed to the disk) or reading `size` bytes in `dir`, in MB/s.
async fn dd(dir: &Path, size: u64, write: bool) -> Result<f64, String> {
    let file = dir.join("dd.bin");
    let count = format!("count={}", size.div_ceil(MB));
    let mut command = tokio::process::Command::new("dd");
    if write {
        command.args([
            "if=/dev/zero".to_string(),
            format!("of={}", file.display()),
            "bs=1MB".into(),
            count,
            "conv=fdatasync".into(),
        ]);
    } else {
        command.args([
            format!("if={}", file.display()),
            "of=/dev/null".into(),
            "bs=1MB".into(),
        ]);
    }
    let started = Instant::now();
    let out = command.output().await.map_err(|e| format!("dd: {e}"))?;
    if !out.status.success() {
        return Err(format!("dd: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(mb_per_s(size, started.elapsed()))
}

/// Streams `size` bytes to `POST /files` over one connection (never whole in memory here
/// either); the file id and the answer's body.
async fn upload(
    addr: &str,
    token: &str,
    name: &str,
    size: u64,
) -> Result<(String, String), String> {
    let mut tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).ok();
    let head = format!(
        "POST /api/v1/files?name={name} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: {size}\r\nConnection: close\r\n\r\n"
    );
    tcp.write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut chunk = vec![0u8; MB as usize];
    let mut sent = 0u64;
    let mut n = 0u8;
    while sent < size {
        n = n.wrapping_add(1);
        chunk[0] = n;
        let take = (size - sent).min(MB) as usize;
        tcp.write_all(&chunk[..take])
            .await
            .map_err(|e| e.to_string())?;
        sent += take as u64;
    }
    answer(tcp).await
}

async fn upload_bytes(
    addr: &str,
    token: &str,
    name: &str,
    bytes: &[u8],
) -> Result<(String, String), String> {
    let mut tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).ok();
    let head = format!(
        "POST /api/v1/files?name={name} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        bytes.len()
    );
    tcp.write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    tcp.write_all(bytes).await.map_err(|e| e.to_string())?;
    answer(tcp).await
}

/// The answer to an upload: 201 and the file's details, else an error with the body.
async fn answer(mut tcp: TcpStream) -> Result<(String, String), String> {
    let mut response = String::new();
    tcp.read_to_string(&mut response)
        .await
        .map_err(|e| e.to_string())?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    if !head.starts_with("HTTP/1.1 201") {
        return Err(format!("upload refused: {head} {body}"));
    }
    let id = body
        .split("\"id\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("no id in {body}"))?;
    Ok((id.to_owned(), body.to_owned()))
}

/// Reads the whole file, counting bytes.
async fn download(addr: &str, token: &str, id: &str) -> Result<u64, String> {
    let mut tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let head = format!(
        "GET /api/v1/files/{id} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    tcp.write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    let mut header_end = None;
    let mut head_bytes = Vec::new();
    loop {
        let n = tcp.read(&mut buf).await.map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        if header_end.is_none() {
            head_bytes.extend_from_slice(&buf[..n]);
            if let Some(at) = head_bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                header_end = Some(at);
                total += (head_bytes.len() - at - 4) as u64;
            }
        } else {
            total += n as u64;
        }
    }
    if !head_bytes.starts_with(b"HTTP/1.1 200") {
        return Err(format!(
            "download refused: {}",
            String::from_utf8_lossy(&head_bytes[..head_bytes.len().min(200)])
        ));
    }
    Ok(total)
}

/// A small JPEG, different for each `n` (so none is stored once for another).
fn tiny_jpeg(n: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, (n % 256) as u8])
    });
    encode(&image)
}

/// A photo-sized JPEG with detail in it (gradients and stripes), as a camera would send.
fn photo_jpeg(w: u32, h: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x % 256) as u8,
            (y % 256) as u8,
            ((x / 7 + y / 5) % 256) as u8,
        ])
    });
    encode(&image)
}

fn encode(image: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    image.write_with_encoder(encoder).unwrap_or_default();
    out
}
