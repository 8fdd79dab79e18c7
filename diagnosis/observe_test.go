package diagnosis_test

import (
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
)

// TestShownCloseCode: a result shows the close's code once the session
// closed, never a failed upgrade's in its place, and a failed upgrade's
// code while the session stayed up on polling.
func TestShownCloseCode(t *testing.T) {
	tests := []struct {
		name string
		obs  diagnosis.Observation
		want int
	}{
		{"nothing closed or failed", diagnosis.Observation{Connected: true, Upgraded: true, EventReceived: true}, 0},
		{"a refused upgrade, still on polling", diagnosis.Observation{Connected: true, EventReceived: true, UpgradeCode: 1006}, 1006},
		{"a close with a code", diagnosis.Observation{Connected: true, Upgraded: true, Closed: true, CloseCode: 4401}, 4401},
		{"a close without a code after a refused upgrade", diagnosis.Observation{Connected: true, Closed: true, UpgradeCode: 1006}, 0},
		{"closed before connecting after a refused upgrade", diagnosis.Observation{Closed: true, UpgradeCode: 1006}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.obs.ShownCloseCode(); got != tt.want {
				t.Errorf("ShownCloseCode(%+v) = %d, want %d", tt.obs, got, tt.want)
			}
		})
	}
}
