// Loader. The form and its endpoints come with the HTML; this script (render-
// blocking, so before the first paint) prefills the customer ID from the
// link, keeps a click made while the checker loads, fetches the checker's
// WebAssembly, compiling it while it streams and counting the bytes in the
// progress bar, and starts it; and it posts each result to the support
// portal that frames or opened the page. Everything else is Go.
"use strict";
(() => {
  const root = document.documentElement;
  const body = document.body;
  const form = document.getElementById("check-form");
  const field = document.getElementById("customer-id");
  const progress = document.getElementById("load-progress");
  const loading = document.getElementById("loading");
  const notice = document.getElementById("notice");
  const config = JSON.parse(document.getElementById("config").textContent);

  // ?customerid=123 from a support portal's link; the check starts only on
  // the user's click.
  const params = new URLSearchParams(location.search);
  const id = params.get("customerid");
  if (id !== null && field.value === "") field.value = id;
  // ?hold=SECONDS (0 to the config's maxHoldS): the hold list takes it, as
  // an option of its own when it has none with that value.
  // A value it cannot take is said next to the list, which stays as it is.
  const hold = params.get("hold");
  if (hold !== null && /^[0-9]{1,6}$/.test(hold) && Number(hold) <= config.maxHoldS) {
    const list = document.getElementById("hold"), value = String(Number(hold));
    if (![...list.options].some((o) => o.value === value)) list.add(new Option(value + " s", value));
    list.value = value;
  } else if (hold !== null) {
    const error = document.getElementById("hold-error");
    error.textContent = "The link asked to hold the connection for \u201c" + hold.slice(0, 20) +
      "\u201d: choose a time from 0 to " + config.maxHoldS + " seconds in the list.";
    error.hidden = false;
  }
  // After a link with the customer ID, Enter runs the check.
  if (id !== null && field.value !== "") document.getElementById("check").focus();

  // A click while the checker loads is kept as data-queued on the form: Go,
  // once its own listener is in place, sets data-state "ready", takes the
  // mark and runs one check with what the fields hold then (wasm/main.go).
  let failed = false;
  const say = () => {
    if (form.dataset.queued === undefined || failed) return;
    const text = "The checker is still loading (" + Math.floor(progress.value * 100) +
      " %): your check will start as soon as it is ready.";
    if (notice.textContent !== text) notice.textContent = text; // once per percent
  };
  const queue = (e) => {
    if (root.dataset.state !== "loading") return; // Go's listener has it
    e.preventDefault();
    if (failed) return; // #loading says why
    form.dataset.queued = "";
    say();
  };
  form.addEventListener("submit", queue);
  const show = (received, size) => {
    if (size) progress.value = Math.max(progress.value, Math.min(received / size, 1));
    say();
  };

  // Reads a clone of the response only to count its bytes, so that the
  // original, with its URL, goes to instantiateStreaming: V8 caches compiled
  // code only for such a response.
  // It keeps the first bytes too, for the report of a page that could not
  // load its checker.
  let head = new Uint8Array(0);
  const count = async (res, size) => {
    const reader = res.body.getReader();
    for (let received = 0; ;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (head.length < 120) head = new Uint8Array([...head, ...value.subarray(0, 120 - head.length)]);
      received += value.length;
      show(received, size);
    }
  };

  // The checker could not load (a proxy or security gateway that blocks
  // .wasm files answers 403 or a web page): a plain verdict, a short report
  // to copy, what IT must allow, and a result of kind "checker-blocked".
  const blocked = (err, res) => {
    const url = new URL(body.dataset.wasm, location.href);
    const got = res ? "HTTP " + res.status + ", " + (res.headers.get("Content-Type") || "no Content-Type") : "no answer";
    const text = new TextDecoder().decode(head).replace(/[^\x20-\x7e]/g, "\u00b7");
    const report = [
      "LSports DEFEND RMS-Socket connection check: the checker could not load",
      "Timestamp:     " + new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      "Customer ID:   " + (field.value.replace(/[^0-9]/g, "").slice(0, 64) || "-"),
      "Page:          " + location.origin + location.pathname,
      "Checker file:  " + url.href,
      "Answer:        " + got,
      "First bytes:   " + (text || "-"),
      "Error:         " + err.message,
      "Browser:       " + navigator.userAgent,
    ].join("\n") + "\n";
    document.getElementById("blocked-reason").textContent = "This page's checker (" + url.pathname.split("/").pop() +
      ") could not be downloaded: " + got + " from " + url.host + ". Something between this browser and " + url.host +
      " blocked or replaced it, as proxies and security gateways do with .wasm files.";
    document.getElementById("blocked-it").textContent = "Ask your IT team to allow " + url.host +
      ", including files of type application/wasm, then reload this page. Send them, or LSports support, this report:";
    document.getElementById("blocked-report").textContent = report;
    document.getElementById("blocked-copy").addEventListener("click", () => {
      const status = document.getElementById("blocked-status");
      const write = navigator.clipboard ? navigator.clipboard.writeText(report) : Promise.reject(new Error("the clipboard is not available on this page"));
      write.then(() => { status.textContent = "Copied to the clipboard."; },
        (e) => { status.textContent = "Could not copy (" + e.message + "): select the report and copy it by hand."; });
    });
    loading.hidden = true;
    document.getElementById("check").disabled = true; // nothing can check without it
    document.getElementById("blocked").hidden = false;
    window.defendcheck = { result: {
      verdict: "error", kind: "checker-blocked", statusCode: res ? res.status : null, closeCode: null,
      customerId: field.value, timestamp: report.split("\n")[1].slice(15), runId: "", messages: [got + " for " + url.href + ": " + err.message],
      report } };
    root.dataset.state = "done";
    document.getElementById("blocked").scrollIntoView({ block: "start" });
    document.getElementById("blocked-title").focus({ preventScroll: true });
  };

  (async () => {
    let res, counted;
    try {
      const size = Number(body.dataset.wasmSize) || 0;
      res = await fetch(body.dataset.wasm);
      counted = count(res.clone(), size).catch(() => {}); // the progress bar and the first bytes
      if (!res.ok) throw new Error("HTTP " + res.status + " for the checker's code");
      const go = new Go();
      let instance;
      try {
        ({ instance } = await WebAssembly.instantiateStreaming(res, go.importObject));
      } catch (err) {
        // A host that serves .wasm with another type than application/wasm:
        // instantiateStreaming refuses it (a TypeError, before reading the
        // body), so compile it once it has all arrived.
        if (!(err instanceof TypeError)) throw err;
        ({ instance } = await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject));
      }
      show(1, 1);
      performance.mark("defendcheck:compiled"); // read by the benchmark: load+compile vs Go start-up
      go.run(instance); // returns once Go's main waits: the page is wired by then
      if (root.dataset.state !== "loading") form.removeEventListener("submit", queue);
    } catch (err) {
      failed = true;
      if (form.dataset.queued !== undefined) notice.textContent = "";
      await counted; // the first bytes, for the report
      blocked(err, res);
    }
  })();

  // The support portal that frames this page, or opened it, gets each
  // result (window.defendcheck.result) as {type: "defendcheck:result",
  // result}, once <html data-state> is "done". It is posted to each origin
  // the server allows to embed the page ("embedOrigins" of the config),
  // by name, never to "*": the browser delivers it only if the portal's
  // window is at that origin. With none allowed, nothing is posted.
  const origins = config.embedOrigins;
  const portal = window.parent !== window ? window.parent : window.opener;
  if (portal && origins.length > 0) {
    // Go publishes the result, then sets "done"; each check changes the
    // state (to "checking", then "done") and its result.
    new MutationObserver(() => {
      if (root.dataset.state !== "done") return;
      const result = window.defendcheck.result; // null if Go could not publish it
      if (result === null) return;
      for (const origin of origins) portal.postMessage({ type: "defendcheck:result", result }, origin);
    }).observe(root, { attributes: true, attributeFilter: ["data-state"] });
  }
})();
