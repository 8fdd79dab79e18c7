package defendcheck

import (
	"net/http"

	"github.com/lsports/defendcheck/internal/httpserve"
)

// Listen is httpserve.Listen, for the callers that still name it here
// (cmd/defendcheck/check.go and the e2e tests); it goes once they call
// httpserve.Listen.
func Listen(addr string, h http.Handler) (*httpserve.Server, error) {
	return httpserve.Listen(addr, h)
}
