package transport_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lsports/defendcheck/transport"
)

func TestAborted(t *testing.T) {
	live := context.Background()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancelExpired := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelExpired()
	abort := errors.New("AbortError: signal is aborted without reason")
	wrapped := fmt.Errorf(`Get "http://127.0.0.1:1/": %w`, context.Canceled)
	for _, tt := range []struct {
		name string
		ctx  context.Context
		err  error
		is   error  // what the result must wrap
		want string // its text
	}{
		{"live: as it is", live, abort, abort, abort.Error()},
		{"cancelled: says so", cancelled, abort, context.Canceled, "context canceled (AbortError: signal is aborted without reason)"},
		{"past its deadline: says so", expired, abort, context.DeadlineExceeded, "context deadline exceeded (AbortError: signal is aborted without reason)"},
		{"already says so: as it is", cancelled, wrapped, context.Canceled, wrapped.Error()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := transport.Aborted(tt.ctx, tt.err)
			if !errors.Is(got, tt.is) || got.Error() != tt.want {
				t.Errorf("Aborted = %q, want %q wrapping %v", got, tt.want, tt.is)
			}
		})
	}
}
