// The benchmark's reference page: the same check as defendcheck's, on the
// official socket.io-client browser bundle. Polling first with the
// customerid header, join, first event, one more second watching for a
// close, and the upgrade resolved; or the connect_error or close code.
// Like defendcheck's page it prefills ?customerid= (a support portal's
// link), runs a click kept while it loaded (index.html) once ready, and
// disables Check while a check runs.
"use strict";
const root = document.documentElement;
const { origin, path } = document.body.dataset;
const button = document.getElementById("check");
const field = document.getElementById("customer-id");
const prefill = new URLSearchParams(location.search).get("customerid");
if (prefill !== null && field.value === "") field.value = prefill;
let running = false;
const check = () => {
  if (running) return;
  running = true;
  button.disabled = true;
  window.peerResult = null;
  root.dataset.state = "checking";
  const id = field.value.trim();
  const result = { kind: "", statusCode: null, closeCode: null, customerId: id };
  const socket = io(origin, {
    path, transports: ["polling", "websocket"], extraHeaders: { customerid: id },
    reconnection: false, timeout: 10000, forceNew: true,
  });
  let upgraded = false, upgradeDone = false, settled = false, event = false, finished = false;
  const finish = (kind) => {
    if (finished) return;
    finished = true;
    result.kind = kind;
    socket.close();
    window.peerResult = result;
    root.dataset.state = "done";
    running = false;
    button.disabled = false;
  };
  const maybe = () => { if (settled && upgradeDone) finish(upgraded ? "ok" : "polling-only"); };
  setTimeout(() => { upgradeDone = true; maybe(); }, 10000);
  socket.io.on("open", () => {
    socket.io.engine.on("upgrade", () => { upgraded = true; upgradeDone = true; maybe(); });
    socket.io.engine.on("upgradeError", () => { upgradeDone = true; maybe(); });
  });
  socket.on("connect_error", (err) => {
    result.statusCode = err.data?.statusCode ?? null;
    finish(err.data ? "refused" : "error");
  });
  socket.on("connect", () => socket.emit("join"));
  socket.onAny(() => {
    if (event) return;
    event = true;
    setTimeout(() => { settled = true; maybe(); }, 1000);
  });
  socket.on("disconnect", (reason, details) => {
    result.closeCode = details?.context?.code ?? null;
    finish("closed");
  });
};
window.peerCheck = check;
button.addEventListener("click", check);
root.dataset.state = "ready";
if (window.peerQueued) check();
