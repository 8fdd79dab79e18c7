package transport

import (
	"context"
	"testing"
	"time"
)

// blockingFetch answers nothing: a request ends only when its context does.
type blockingFetch struct{ started chan struct{} }

func (f blockingFetch) Fetch(ctx context.Context, _ Request) (Response, error) {
	f.started <- struct{}{}
	<-ctx.Done()
	return Response{}, ctx.Err()
}

// TestEndAbortsAfterGraceWhenTheEngineNeverCloses: with a request that
// would hang for its whole deadline and an engine that never reports its
// close, End still aborts after its grace and returns once the request has
// ended, long before the request's own deadline.
func TestEndAbortsAfterGraceWhenTheEngineNeverCloses(t *testing.T) {
	f := blockingFetch{started: make(chan struct{})}
	s := NewSession(Config{Fetch: f, Timeout: time.Minute})
	ended := make(chan error, 1)
	go func() {
		_, err := s.fetch(s.ctx, Request{Method: "GET"}, time.Minute) // as polling does
		ended <- err
	}()
	<-f.started

	const grace = 50 * time.Millisecond
	start := time.Now()
	returned := make(chan struct{})
	go func() {
		s.End(make(chan struct{}), grace) // the engine never closes
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(30 * time.Second):
		t.Fatal("End did not return within 30 s: it waits for the hung request instead of aborting it")
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("End took %s with a grace of %s", took, grace)
	}
	// End returns once the request has let go of the session; its
	// goroutine reports just after.
	select {
	case err := <-ended:
		if err == nil {
			t.Error("the hung request ended without an error")
		}
	case <-time.After(5 * time.Second):
		t.Error("the request was still open 5 s after End returned")
	}
	if _, err := s.fetch(context.Background(), Request{Method: "GET"}, time.Minute); err != errEnded {
		t.Errorf("a request after End: %v, want errEnded", err)
	}
}
