package diagnosis

// Observation is what a connection attempt saw, before interpretation.
type Observation struct {
	InvalidID     bool // caught before connecting
	LocalLimit    bool // this page's own connection budget was spent
	Refused       bool // a CONNECT_ERROR arrived
	StatusCode    int  // its data.statusCode; 0 when it had none
	HTTPStatus    int  // status of a polling request other than 200
	Unreachable   bool // a request failed with no response
	Timeout       bool // a bounded wait ran out before an answer
	Connected     bool // the namespace CONNECT was accepted
	Upgraded      bool // the session moved to WebSocket
	Closed        bool // the connection ended after Connected
	CloseCode     int  // WebSocket close code, when Closed on WebSocket
	EventReceived bool // an event arrived after join
}

// Classify turns an observation into a kind. A refusal beats a close,
// a close beats the amber findings, and polling-only beats no-messages.
func Classify(o Observation) Kind {
	switch {
	case o.InvalidID:
		return KindInvalidFormat
	case o.LocalLimit:
		return KindRateLimited
	case o.Refused:
		return KindForStatus(o.StatusCode)
	case o.HTTPStatus != 0:
		return KindForStatus(o.HTTPStatus)
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
