package native_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/transport"
	"github.com/lsports/defendcheck/transport/native"
)

// TestFetchEndsWithItsContext: a request to a server that never answers
// ends when its context does, with an error that wraps the context's and
// says so once (transport.Aborted).
func TestFetchEndsWithItsContext(t *testing.T) {
	addr := silent(t)
	for _, tt := range []struct {
		name string
		end  func() (context.Context, context.CancelFunc)
		is   error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.end()
			defer cancel()
			_, err := native.Fetcher{}.Fetch(ctx, transport.Request{Method: "GET", URL: "http://" + addr + "/", Limit: 100})
			if !errors.Is(err, tt.is) || strings.Count(err.Error(), tt.is.Error()) != 1 {
				t.Errorf("err %v, want one that wraps %q and says it once", err, tt.is)
			}
		})
	}
}
