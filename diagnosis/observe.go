package diagnosis

// Observation is what a connection attempt saw, before interpretation.
type Observation struct {
	InvalidID     bool // caught before connecting
	LocalLimit    bool // this page's own connection budget was spent
	Refused       bool // a CONNECT_ERROR arrived
	StatusCode    int  // its data.statusCode; 0 when it had none
	HTTPStatus    int  // status of a polling request other than 200
	SessionLost   bool // a request of the session was answered "Session ID unknown"
	NotEngineIO   bool // an answer was not Engine.IO, or larger than the session allows
	Unparsable    bool // Engine.IO carried a packet the checker could not parse
	Unreachable   bool // a request failed with no response
	Timeout       bool // a bounded wait ran out before an answer
	Connected     bool // the namespace CONNECT was accepted
	Upgraded      bool // the session moved to WebSocket
	Closed        bool // the session ended: before Connected, or after it
	CloseCode     int  // the close's WebSocket code, for a session that had connected; 0 for none
	UpgradeCode   int  // the WebSocket close code of a failed upgrade (the session stayed on polling)
	EventReceived bool // an event arrived: after join, or with the namespace's connect
	// Answered: some request of the check got an answer it could read
	// (any status, Engine.IO or not). Without one, a probe may tell
	// whether anything answered at all.
	Answered bool
	// AnsweredBy is what the answer that was not RMS-Socket's (an HTTP
	// error status, or not Engine.IO) names as its sender (NameAnswer).
	AnsweredBy Answerer
}

// Classify turns an observation into a kind. A refusal beats a close, a
// close beats the amber findings, and polling-only beats no-messages. What
// an answer was (a lost session, not Engine.IO) beats how the session then
// ended, and a close code counts only for a session that had connected.
func Classify(o Observation) Kind {
	switch {
	case o.InvalidID:
		return KindInvalidFormat
	case o.LocalLimit:
		return KindRateLimited
	case o.Refused:
		return KindForStatus(o.StatusCode)
	case o.SessionLost:
		return KindSessionLost
	case o.Unparsable:
		return KindUnreadablePacket
	case o.NotEngineIO:
		return KindNotEngineIO
	case o.HTTPStatus != 0 && o.AnsweredBy.Known():
		return KindForAnswer(o.HTTPStatus)
	case o.HTTPStatus != 0:
		return KindForHTTPStatus(o.HTTPStatus)
	case o.Closed && !o.Connected:
		return KindClosedBeforeConnect
	case o.Closed && o.CloseCode != 0:
		return KindForClose(o.CloseCode)
	case o.Closed:
		return KindConnectionLost
	case o.Unreachable:
		return KindUnreachable
	case o.Timeout:
		return KindTimeout
	case !o.Connected:
		return KindUnreachable
	case !o.Upgraded:
		return KindPollingOnly
	case !o.EventReceived:
		return KindNoMessages
	}
	return KindOK
}

// ShownCloseCode is the close code a result shows: once the session closed,
// the close's own (0 when it had none, whatever an upgrade failed with
// before), else a failed upgrade's.
func (o Observation) ShownCloseCode() int {
	if o.Closed {
		return o.CloseCode
	}
	return o.UpgradeCode
}
