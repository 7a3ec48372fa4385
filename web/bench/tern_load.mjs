// tern load client in Node, the same shape as the Socket.IO peer's load client
// (../shared/peers/socketio_load.js): one WebSocket per user, the same modes and printouts, so that
// the two servers are measured side by side by the same kind of client (scripts/peer-bench.sh).
//
//   node tern_load.mjs idle N HOLD_S | rate N RATE DUR_S | saturate N WINDOW DUR_S
//
// Users come in pairs, each pair a direct conversation (N / 2 of them). Every message carries its
// send time and is measured when the other member receives it; unlike the relay, tern stores
// every message durably and acknowledges it to the sender before anything is measured as done.
// PORT (default 8080) names tern on 127.0.0.1.
import WebSocket from "ws";
import { randomUUID } from "node:crypto";

const [mode, N, P, DUR] = [process.argv[2], +process.argv[3], +(process.argv[4] || 0), +(process.argv[5] || 20)];
const BASE = `http://127.0.0.1:${process.env.PORT || 8080}`;
const pad = "x".repeat(64);
const now = () => performance.now();
const run = `b${process.pid}x${Date.now() % 100000}`;
let sent = 0, recv = 0, acked = 0, measuring = false;
const lat = [];
const socks = [], convs = [];

async function api(path, body, token) {
  const res = await fetch(BASE + "/api/v1" + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Registers and logs in N users, at most 32 at a time; pairs them into direct conversations. */
async function setUp() {
  const users = new Array(N);
  let next = 0;
  const worker = async () => {
    while (next < N) {
      const i = next++;
      const username = `${run}u${i}`;
      await api("/register", { username, password: "benchmark-password" });
      users[i] = await api("/login", { username, password: "benchmark-password", device: "load" });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  for (let i = 0; i + 1 < N; i += 2) {
    const conv = await api("/conversations/direct", { user: users[i + 1].user.id }, users[i].token);
    convs[i] = convs[i + 1] = conv.id;
  }
  return users;
}

function send(i) {
  const frame = { type: "send", conv: convs[i], cmid: randomUUID(), content: { type: "text", text: `${now()} ${pad}` } };
  socks[i].send(JSON.stringify(frame));
  sent++;
}

function connectAll(users) {
  return new Promise((resolve) => {
    let ok = 0, i = 0;
    const next = () => {
      // At most 200 handshakes in flight, as the peer's client.
      while (i < N && i - ok < 200) {
        const k = i++;
        const s = new WebSocket(`${BASE.replace("http", "ws")}/ws?token=${users[k].token}`, { perMessageDeflate: false });
        s.on("message", (data) => {
          const frame = JSON.parse(data);
          if (frame.type === "hello") {
            if (++ok === N) resolve();
            else next();
          } else if (frame.type === "event" && frame.content?.type === "text") {
            recv++;
            if (measuring) {
              lat.push(now() - parseFloat(frame.content.text));
              // Closed loop: the recipient answers in the same conversation.
              if (mode === "saturate") send(k);
            }
          } else if (frame.type === "ack") {
            acked++;
          }
        });
        s.on("error", (e) => console.error("socket error", k, e.message));
        socks[k] = s;
      }
    };
    next();
  });
}

(async () => {
  const t0 = now();
  const users = await setUp();
  await connectAll(users);
  console.log(`connected ${N} in ${((now() - t0) / 1000).toFixed(1)}s`);
  console.log("READY");
  await new Promise((r) => setTimeout(r, 2000));
  if (mode === "idle") await new Promise((r) => setTimeout(r, P * 1000));
  else if (mode === "rate") {
    measuring = true; sent = recv = acked = 0;
    const t1 = now();
    let k = 0;
    await new Promise((r) => {
      const iv = setInterval(() => {
        const el = (now() - t1) / 1000;
        if (el >= DUR) { clearInterval(iv); return r(); }
        const due = Math.floor(el * P);
        while (k < due) { send(Math.floor(Math.random() * N)); k++; }
      }, 2);
    });
    await new Promise((r) => setTimeout(r, 2000));
    measuring = false;
    console.log(`rate=${P}/s sent=${sent} recv=${recv} acked=${acked}`);
  } else {
    measuring = true; sent = recv = acked = 0;
    const t1 = now();
    for (let i = 0; i < N; i++) for (let w = 0; w < P; w++) send(i);
    await new Promise((r) => setTimeout(r, DUR * 1000));
    measuring = false;
    const el = (now() - t1) / 1000;
    console.log(`saturate window=${P}/client sent=${sent} recv=${recv} acked=${acked} -> ${(recv / el).toFixed(0)} msgs/s delivered over ${el.toFixed(0)}s`);
  }
  if (lat.length) {
    lat.sort((a, b) => a - b);
    const q = (x) => lat[Math.min(lat.length - 1, Math.floor(x * lat.length))].toFixed(2);
    console.log(`latency ms: n=${lat.length} p50=${q(0.5)} p90=${q(0.9)} p99=${q(0.99)} max=${lat[lat.length - 1].toFixed(1)}`);
  }
  socks.forEach((s) => s.close());
  setTimeout(() => process.exit(0), 500);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
