// The floor page's loader: what defendcheck's loader does to start its
// WebAssembly (fetch, compile while it streams, run), without the progress
// bar and the report of a blocked checker.
"use strict";
(async () => {
  const res = await fetch("floor.wasm");
  const go = new Go();
  const { instance } = await WebAssembly.instantiateStreaming(res, go.importObject);
  performance.mark("defendcheck:compiled");
  go.run(instance);
})();
