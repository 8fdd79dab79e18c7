package e2e

import (
	"testing"

	"github.com/lsports/defendcheck/rmssim"
)

func TestSmoke(t *testing.T) {
	sim, _ := simulator(t, rmssim.Options{})
	page := checkerPage(t, serve(t, sim))
	ctx := tab(t)
	for _, id := range []string{"12345", "402", "4401", "1006"} {
		res := runCheck(t, ctx, page, id, "tok")
		t.Logf("%s: %s %s\n%s", id, res.Verdict, res.Kind, res.Report)
	}
}
