package transport_test

import (
	"strings"
	"testing"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/lsports/defendcheck/transport"
)

func TestEventName(t *testing.T) {
	tests := []struct {
		typ  packet.Type
		data string
		want string
		ok   bool
	}{
		{packet.MESSAGE, `2["RESERVE_BET_ACCEPT",{"betId":1}]`, "RESERVE_BET_ACCEPT", true},
		{packet.MESSAGE, `212["join"]`, "join", true},                                  // with an ack id
		{packet.MESSAGE, `2/admin,["RESERVE_BET_REJECT"]`, "RESERVE_BET_REJECT", true}, // another namespace
		{packet.MESSAGE, `0{"sid":"abc"}`, "", false},                                  // CONNECT
		{packet.MESSAGE, `3["ok"]`, "", false},                                         // ACK
		{packet.MESSAGE, `2[42]`, "", false},                                           // no name
		{packet.MESSAGE, `2`, "", false},
		{packet.PING, `2["x"]`, "", false},
		{packet.MESSAGE, `51-["RESERVE_BET_ACCEPT",{"_placeholder":true,"num":0}]`, "RESERVE_BET_ACCEPT", true}, // binary event
		{packet.MESSAGE, `52-/admin,7["odds",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, "odds", true},
		{packet.MESSAGE, `5["x"]`, "", false},                                                    // no attachment count
		{packet.MESSAGE, `61-[{"_placeholder":true,"num":0}]`, "", false},                        // BINARY_ACK
		{packet.MESSAGE, strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000), "", false}, // no type
		{packet.MESSAGE, "2" + strings.Repeat("[", 100_000), "", false},                          // deep, no name
	}
	for _, tt := range tests {
		buf := types.NewStringBufferString(tt.data)
		got, ok := transport.EventName(&packet.Packet{Type: tt.typ, Data: buf})
		if got != tt.want || ok != tt.ok {
			t.Errorf("EventName(%s %q) = %q, %v; want %q, %v", tt.typ, tt.data, got, ok, tt.want, tt.ok)
		}
		if buf.String() != tt.data {
			t.Errorf("EventName consumed the packet: %q left of %q", buf.String(), tt.data)
		}
	}
	if _, ok := transport.EventName(nil); ok {
		t.Error("EventName(nil) reported an event")
	}
	// An attachment is binary, whatever its bytes spell.
	if _, ok := transport.EventName(&packet.Packet{Type: packet.MESSAGE, Data: types.NewBytesBufferString(`2["x"]`)}); ok {
		t.Error("EventName counted a binary attachment as an event")
	}
}

func TestNamespaceConnect(t *testing.T) {
	tests := []struct {
		typ  packet.Type
		data string
		want bool
	}{
		{packet.MESSAGE, `0{"sid":"abc"}`, true},
		{packet.MESSAGE, `0{"sid":"abc","pid":"p"}`, true},
		{packet.MESSAGE, `0`, false},                   // no sid: the client refuses it
		{packet.MESSAGE, `0{}`, false},                 // likewise
		{packet.MESSAGE, `0[]`, false},                 // not an object
		{packet.MESSAGE, `0/admin,{"sid":"a"}`, false}, // another namespace
		{packet.MESSAGE, `2["x"]`, false},
		{packet.OPEN, `0{"sid":"abc"}`, false},
	}
	for _, tt := range tests {
		buf := types.NewStringBufferString(tt.data)
		if got := transport.NamespaceConnect(&packet.Packet{Type: tt.typ, Data: buf}); got != tt.want {
			t.Errorf("NamespaceConnect(%s %q) = %v, want %v", tt.typ, tt.data, got, tt.want)
		}
		if buf.String() != tt.data {
			t.Errorf("NamespaceConnect consumed the packet: %q left of %q", buf.String(), tt.data)
		}
	}
}
