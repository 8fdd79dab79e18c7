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
  const count = async (res, size) => {
    const reader = res.body.getReader();
    for (let received = 0; ;) {
      const { done, value } = await reader.read();
      if (done) return;
      received += value.length;
      show(received, size);
    }
  };

  (async () => {
    try {
      const size = Number(body.dataset.wasmSize) || 0;
      const res = await fetch(body.dataset.wasm);
      if (!res.ok) throw new Error("HTTP " + res.status + " for the checker's code");
      count(res.clone(), size).catch(() => {}); // the progress bar only
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
      loading.textContent = "The checker could not load: " + err.message +
        ". Reload the page; if it keeps failing, your network may block this page's files.";
      if (form.dataset.queued !== undefined) notice.textContent = "";
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
