//go:build js && wasm

package main

import (
	"context"
	"encoding/json"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
)

// warmUpWhenIdle runs, once and off the page, the code a check runs after its
// answer: making the result and its report (a check of an ID that is not
// sent, so no request at all), its view and its JSON. The first run of
// that code costs tens of milliseconds more than later ones in the
// browser (the engine compiles a WebAssembly function on its first call),
// which a tab's first check would otherwise spend between its last answer
// and its verdict. The decoder of encoding/json is warmed too (the page's
// configuration is read without it, see readConfig; a refusal's data is
// decoded with it).
//
// It runs from the browser's requestIdleCallback (setTimeout where there
// is none), a task of its own once the page is idle: not from a Go timer,
// which the runtime would run before handing the thread back after main,
// holding ready (and the browser's first frame) back by the warm-up.
func warmUpWhenIdle(target diagnosis.Target) {
	var f safejs.Func
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		f.Release()
		go warmUp(target)
		return nil
	})
	if err != nil {
		return
	}
	schedule := "requestIdleCallback"
	if fn, err := safejs.Global().Get(schedule); err != nil || fn.Type() != safejs.TypeFunction {
		schedule = "setTimeout"
	}
	if _, err := safejs.Global().Call(schedule, f); err != nil {
		f.Release()
	}
}

func warmUp(target diagnosis.Target) {
	res, err := check.Run(context.Background(), check.Config{Target: target, CustomerID: "warm-up"})
	if err != nil || res == nil {
		return
	}
	_ = diagnosis.NewView(res)
	raw, err := json.Marshal(res)
	if err != nil {
		return
	}
	var back diagnosis.Result
	_ = json.Unmarshal(raw, &back)
}
