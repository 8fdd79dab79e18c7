package transport

import (
	"context"
	"errors"
	"fmt"
)

// Aborted is the error a Fetcher returns for a request that failed with
// err: once ctx has ended it wraps ctx.Err(), as the Fetcher contract
// promises, saying err too, unless err already wraps it (net/http's errors
// do; a browser's AbortError does not). While ctx is live it is err.
func Aborted(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}
