//go:build js && wasm

package main

import (
	"context"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/transport"
)

// browserFetch is transport.Fetcher over the browser's fetch. It sends no
// cookies and no referrer, bypasses the cache, and aborts with ctx.
type browserFetch struct{}

func (browserFetch) Fetch(ctx context.Context, req transport.Request) (transport.Response, error) {
	ctrl, err := construct("AbortController")
	if err != nil {
		return transport.Response{}, err
	}
	signal, err := ctrl.Get("signal")
	if err != nil {
		return transport.Response{}, err
	}
	headers := map[string]any{}
	for k, v := range req.Header {
		headers[k] = v
	}
	init := map[string]any{
		"method":         req.Method,
		"headers":        headers,
		"signal":         signal,
		"cache":          "no-store",
		"credentials":    "omit",
		"referrerPolicy": "no-referrer",
		"mode":           "cors",
	}
	if req.Body != "" {
		init["body"] = req.Body
	}
	stop := context.AfterFunc(ctx, func() { _, _ = ctrl.Call("abort") })
	defer stop()

	promise, err := safejs.Global().Call("fetch", req.URL, init)
	if err != nil {
		return transport.Response{}, err
	}
	res, err := await(promise)
	if err != nil {
		return transport.Response{}, err
	}
	text, err := res.Call("text")
	if err != nil {
		return transport.Response{}, err
	}
	bodyVal, err := await(text)
	if err != nil {
		return transport.Response{}, err
	}
	body, _ := bodyVal.String()
	return transport.Response{Status: getInt(res, "status"), Body: body}, nil
}
