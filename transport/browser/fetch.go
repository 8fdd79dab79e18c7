//go:build js && wasm

package browser

import (
	"context"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/internal/jsutil"

	"github.com/lsports/defendcheck/transport"
)

// Fetcher is transport.Fetcher over the browser's fetch. It sends no
// cookies and no referrer, bypasses the cache, aborts with ctx (so that
// nothing a check opened holds one of the browser's few connections per
// host after it), and reads at most req.Limit body bytes.
type Fetcher struct{}

func (Fetcher) Fetch(ctx context.Context, req transport.Request) (transport.Response, error) {
	headers := map[string]any{}
	for k, v := range req.Header {
		headers[k] = v
	}
	init := map[string]any{"method": req.Method, "headers": headers, "mode": "cors"}
	if req.Body != "" {
		init["body"] = req.Body
	}
	res, stop, err := fetch(ctx, req.URL, init)
	defer stop()
	if err != nil {
		return transport.Response{}, transport.Aborted(ctx, err)
	}
	body, truncated, err := readBody(res, req.Limit)
	if err != nil {
		return transport.Response{}, transport.Aborted(ctx, err)
	}
	return transport.Response{Status: jsutil.Int(res, "status"), Body: string(body), Truncated: truncated}, nil
}

// fetch calls the browser's fetch(url, init) with no cookies, no referrer
// and no cache, and returns the Response. ctx's end aborts the request
// and its body until stop is called.
func fetch(ctx context.Context, url string, init map[string]any) (res safejs.Value, stop func() bool, err error) {
	stop = func() bool { return false }
	ctrl, err := jsutil.New("AbortController")
	if err != nil {
		return res, stop, err
	}
	if init["signal"], err = ctrl.Get("signal"); err != nil {
		return res, stop, err
	}
	init["cache"], init["credentials"], init["referrerPolicy"] = "no-store", "omit", "no-referrer"
	stop = context.AfterFunc(ctx, func() { _, _ = ctrl.Call("abort") })
	promise, err := safejs.Global().Call("fetch", url, init)
	if err != nil {
		return res, stop, err
	}
	res, err = jsutil.Await(promise)
	return res, stop, err
}

// readBody reads a Response's body with a stream reader, chunk by chunk,
// and stops after limit bytes: a body that never ends costs no more, and
// cancelling the stream ends the request.
func readBody(res safejs.Value, limit int64) (body []byte, truncated bool, err error) {
	stream, err := res.Get("body")
	if err != nil || stream.IsNull() || stream.IsUndefined() {
		return nil, false, err // no body, as for a 204
	}
	reader, err := stream.Call("getReader")
	if err != nil {
		return nil, false, err
	}
	for {
		promise, err := reader.Call("read")
		if err != nil {
			return nil, false, err
		}
		chunk, err := jsutil.Await(promise)
		if err != nil {
			return nil, false, err
		}
		if jsutil.Bool(chunk, "done") {
			return body, false, nil
		}
		value, err := chunk.Get("value")
		if err != nil {
			return nil, false, err
		}
		n, err := value.Length()
		if err != nil {
			return nil, false, err
		}
		room := limit - int64(len(body))
		take := min(int64(n), room)
		buf := make([]byte, take)
		if take > 0 {
			part, err := value.Call("subarray", 0, take)
			if err != nil {
				return nil, false, err
			}
			if _, err := safejs.CopyBytesToGo(buf, part); err != nil {
				return nil, false, err
			}
		}
		body = append(body, buf...)
		if int64(n) > room {
			_, _ = reader.Call("cancel")
			return body, true, nil
		}
	}
}
