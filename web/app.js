// Loader: fetches the checker's WebAssembly, compiles it while it streams,
// shows the bytes received, and starts it. Everything else is Go.
"use strict";
(async () => {
  const body = document.body;
  const progress = document.getElementById("load-progress");
  const loading = document.getElementById("loading");
  try {
    const size = Number(body.dataset.wasmSize) || 0;
    const res = await fetch(body.dataset.wasm);
    if (!res.ok) throw new Error("HTTP " + res.status + " for the checker's code");
    let received = 0;
    const reader = res.body.getReader();
    const counted = new ReadableStream({
      async pull(ctrl) {
        const { done, value } = await reader.read();
        if (done) { ctrl.close(); return; }
        received += value.length;
        if (size) progress.value = Math.min(received / size, 1);
        ctrl.enqueue(value);
      },
    });
    const go = new Go();
    const wasm = new Response(counted, { headers: { "Content-Type": "application/wasm" } });
    const { instance } = await WebAssembly.instantiateStreaming(wasm, go.importObject);
    progress.value = 1;
    performance.mark("defendcheck:compiled"); // read by the benchmark: load+compile vs Go start-up
    go.run(instance);
  } catch (err) {
    loading.textContent = "The checker could not load: " + err.message +
      ". Reload the page; if it keeps failing, your network may block this page's files.";
  }
})();
