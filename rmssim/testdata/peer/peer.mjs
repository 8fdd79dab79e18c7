// Connects to a Socket.IO server with the official JavaScript client and
// prints what happened as one JSON line, in the shape of rmssim's Go test
// client, so the test can compare the two.
//
// usage: node peer.mjs URL PATH CUSTOMER_ID   (CUSTOMER_ID "-" sends no header)
import { io } from "socket.io-client";

const [url, path, id] = process.argv.slice(2);
const out = { connected: false, statusCode: null, message: "", closeCode: null, upgraded: false, event: "", timedOut: false };
const socket = io(url, {
  path,
  transports: ["polling", "websocket"],
  extraHeaders: id === "-" ? {} : { customerid: id },
  reconnection: false,
  timeout: 8000,
});

let upgradeResolved = false;
let settled = false;
let done = false;
function finish() {
  if (done) return;
  done = true;
  socket.close();
  console.log(JSON.stringify(out));
  process.exit(0);
}
function maybeFinish() {
  if (settled && upgradeResolved) finish();
}

setTimeout(() => { out.timedOut = true; finish(); }, 10000);
socket.io.on("open", () => {
  socket.io.engine.on("upgrade", () => { out.upgraded = true; upgradeResolved = true; maybeFinish(); });
  socket.io.engine.on("upgradeError", () => { upgradeResolved = true; maybeFinish(); });
});
socket.on("connect_error", (err) => {
  out.message = err.message;
  out.statusCode = err.data?.statusCode ?? null;
  finish();
});
socket.on("connect", () => {
  out.connected = true;
  socket.emit("join");
});
socket.onAny((name) => {
  if (out.event) return;
  out.event = name;
  setTimeout(() => { settled = true; maybeFinish(); }, 500);
});
socket.on("disconnect", (reason, details) => {
  out.closeCode = details?.context?.code ?? null;
  finish();
});
