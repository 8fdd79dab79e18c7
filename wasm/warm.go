//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
)

// warmUp runs, once and off the page, the code a check runs after its
// answer: making the result and its report (a check of an ID that is not
// sent, so no request at all), its view and its JSON. The first run of
// that code costs tens of milliseconds more than later ones in the
// browser (the engine compiles a WebAssembly function on its first call),
// which a tab's first check would otherwise spend between its last answer
// and its verdict. It is started by a timer, so that ready is set first,
// and the page is idle then.
func warmUp(target diagnosis.Target) {
	time.AfterFunc(0, func() {
		res, err := check.Run(context.Background(), check.Config{
			Target: target, CustomerID: "warm-up",
		})
		if err != nil || res == nil {
			return
		}
		_ = diagnosis.NewView(res)
		_, _ = json.Marshal(res)
	})
}
