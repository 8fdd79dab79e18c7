package transport_test

import (
	"testing"

	"github.com/lsports/defendcheck/transport"
)

func TestSessionUnknown(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   bool
	}{
		{400, `{"code":1,"message":"Session ID unknown"}`, true},
		{400, `{"code":1}`, true},
		{400, `{"code":3,"message":"Bad request"}`, false},
		{400, `{"message":"Session ID unknown"}`, false}, // no code
		{400, `Invalid customerid format`, false},
		{404, `{"code":1,"message":"Session ID unknown"}`, false},
		{200, `{"code":1}`, false},
	}
	for _, tt := range tests {
		e := &transport.HTTPError{Status: tt.status, Body: tt.body}
		if got := e.SessionUnknown(); got != tt.want {
			t.Errorf("HTTP %d %s: SessionUnknown() = %v, want %v", tt.status, tt.body, got, tt.want)
		}
	}
}
