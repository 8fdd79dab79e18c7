package transport

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// EventName returns the name of the Socket.IO event an Engine.IO packet
// carries, reading the packet without consuming it. A binary event counts
// at its header, which names it; its attachments are not events.
//
// Watch the engine socket's "packet" event with it to see events in the
// order they arrived: the Socket.IO client delivers events through a task
// queue but reports a close at once, so a close right after an event
// would otherwise overtake it.
func EventName(p *packet.Packet) (string, bool) {
	if p == nil || p.Type != packet.MESSAGE {
		return "", false
	}
	buf, ok := p.Data.(*types.StringBuffer) // a binary packet is an attachment
	if !ok {
		return "", false
	}
	s := buf.String()
	if s == "" {
		return "", false
	}
	switch parser.PacketType(s[0] - '0') {
	case parser.EVENT:
	case parser.BINARY_EVENT: // its attachments follow as binary packets
		if !strings.Contains(s, "-") {
			return "", false
		}
	default:
		return "", false
	}
	i := strings.IndexByte(s, '[')
	if i < 0 {
		return "", false
	}
	dec := json.NewDecoder(strings.NewReader(s[i:]))
	if _, err := dec.Token(); err != nil {
		return "", false
	}
	name, err := dec.Token()
	if err != nil {
		return "", false
	}
	n, ok := name.(string)
	return n, ok
}

// NamespaceConnect reports whether an Engine.IO packet carries the main
// namespace's CONNECT with a session id, as the Socket.IO client requires
// (read with the library's own parser, without consuming the packet).
//
// Watch the engine socket's "packet" event with it for the same reason
// as with EventName: the client reports the connect through its task
// queue, so a close in the same poll answer would overtake it.
func NamespaceConnect(p *packet.Packet) bool {
	if p == nil || p.Type != packet.MESSAGE {
		return false
	}
	buf, ok := p.Data.(*types.StringBuffer)
	if !ok || !bytes.HasPrefix(buf.Bytes(), []byte{'0'}) {
		return false
	}
	connect := false
	dec := parser.NewDecoder()
	_ = dec.On("decoded", func(args ...any) {
		pkt, _ := args[0].(*parser.Packet)
		data, _ := pkt.Data.(map[string]any)
		sid, _ := data["sid"].(string)
		connect = pkt.Type == parser.CONNECT && pkt.Nsp == "/" && sid != ""
	})
	_ = dec.Add(buf.String())
	return connect
}
