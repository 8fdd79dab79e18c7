package check

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"

	enginepacket "github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/transport"
)

// answer notes what a server answered, if err holds an answer: its first
// bytes go to the messages, and a lost session or an answer that is not
// Engine.IO is recorded. It returns the answer's HTTP status (0 for a 200)
// and a step detail.
func (a *attempt) answer(err error) (status int, detail string, ok bool) {
	var he *transport.HTTPError
	var pe *transport.ProtocolError
	switch {
	case errors.As(err, &he):
		a.obs.Answered = true
		a.obs.SessionLost = he.SessionUnknown()
		a.obs.AnsweredBy = diagnosis.NameAnswer(he.Status, he.Body, he.Signature)
		a.note("HTTP " + strconv.Itoa(he.Status) + " on " + he.Method + " " + he.URL + ": " + strings.TrimSpace(he.Body))
		return he.Status, "HTTP " + strconv.Itoa(he.Status), true
	case errors.As(err, &pe):
		a.obs.Answered = true
		a.obs.NotEngineIO = true
		a.obs.AnsweredBy = diagnosis.NameAnswer(0, pe.Body, "")
		text := "not Engine.IO: " + pe.Reason + ", on " + pe.Method + " " + pe.URL
		if body := strings.TrimSpace(pe.Body); body != "" {
			text += ": " + body
		}
		a.note(text)
		return 0, "not Engine.IO: " + pe.Reason, true
	}
	return 0, "", false
}

// connectErrorData is the documented data of a CONNECT_ERROR.
type connectErrorData struct {
	StatusCode int `json:"statusCode"`
	raw        string
}

// connectError reads a CONNECT_ERROR packet's message and data.
func connectError(p *parser.Packet) (string, connectErrorData) {
	d := connectErrorData{raw: "(none)"}
	m, _ := p.Data.(map[string]any)
	msg, _ := m["message"].(string)
	if data, ok := m["data"]; ok {
		if raw, err := json.Marshal(data); err == nil {
			d.raw = string(raw)
			_ = json.Unmarshal(raw, &d)
		}
	}
	return msg, d
}

// first is an event's first argument, if it is a T.
func first[T any](args []any) (T, bool) {
	var zero T
	if len(args) == 0 {
		return zero, false
	}
	v, ok := args[0].(T)
	return v, ok
}

// firstError finds the error among an event's arguments.
func firstError(args []any) error {
	for _, v := range args {
		if err, ok := v.(error); ok {
			return err
		}
	}
	return nil
}

// errText is an error's message with the causes it wraps, which the
// library's transport errors keep out of Error().
func errText(err error) string {
	if err == nil {
		return "(no detail)"
	}
	text := err.Error()
	for _, inner := range causes(err) {
		if t := inner.Error(); t != "" && !strings.Contains(text, t) {
			text += ": " + t
		}
	}
	return text
}

// causes are the errors err wraps, all the way down.
func causes(err error) []error {
	var wrapped []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		wrapped = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		wrapped = u.Unwrap()
	}
	var out []error
	for _, e := range wrapped {
		if e != nil {
			out = append(out, e)
			out = append(out, causes(e)...)
		}
	}
	return out
}

// isConnectTimeout reports whether err is the Socket.IO client's own bound
// on opening the connection (its timeout option, Bounds.Handshake). The
// client makes that error with errors.New("timeout"), no type to match, at
// line 322 of manager.go in github.com/zishang520/socket.io/clients/socket/v3
// v3.0.6 (Manager.Open); TestConnectTimeoutIsTheLibrarysLine pins that line.
func isConnectTimeout(err error) bool {
	return err != nil && err.Error() == "timeout"
}

// packetStartBytes is how much of a packet packetStart keeps.
const packetStartBytes = 200

// packetStart keeps the first bytes of the last packet the engine
// received: the client parses it next, and a packet it cannot parse ends
// the connection with no more than "parse error" (see unparsable).
type packetStart struct {
	mu   sync.Mutex
	head string
}

// keep keeps p's first bytes: a message's (the Socket.IO packet), or
// another packet's type and data.
func (s *packetStart) keep(p *enginepacket.Packet) {
	if p == nil {
		return
	}
	head := ""
	if data, ok := p.Data.(types.BufferInterface); ok {
		b := data.Bytes()
		head = string(b[:min(len(b), packetStartBytes)])
		if _, text := p.Data.(*types.StringBuffer); !text {
			head = "binary, " + strconv.Itoa(len(b)) + " bytes: " + strconv.QuoteToASCII(head)
		}
	}
	if p.Type != enginepacket.MESSAGE {
		head = "Engine.IO " + string(p.Type) + " packet: " + head
	}
	s.mu.Lock()
	s.head = head
	s.mu.Unlock()
}

func (s *packetStart) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.head
}

// cannotParse reports whether the client ended the connection over a
// packet it could not parse: the reason the Socket.IO client gives
// ("parse error", Manager.ondata in
// github.com/zishang520/socket.io/clients/socket/v3), or the JSON error of
// an Engine.IO packet's data (an open packet mid-session, say).
func cannotParse(reason string, err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return reason == "parse error" || errors.As(err, &syntax) || errors.As(err, &typ)
}

// unparsable records a packet the client could not parse, which ended the
// connection: not the network's doing, but an answer this check cannot
// read, named with what the packet began with. It returns the step detail.
func (a *attempt) unparsable(err error) string {
	a.obs.Answered = true
	a.obs.Unparsable = true
	a.note("not Socket.IO: a packet this check cannot parse (" + errText(err) + "), which began: " + a.lastPacket.String())
	return "not Socket.IO: a packet this check cannot parse"
}
