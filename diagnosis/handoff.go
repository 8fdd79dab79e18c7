package diagnosis

import (
	"strconv"
	"strings"
)

// Handoff writes the block for the customer's network team when the fix
// belongs to the customer's network (the row's owner is OwnerCustomerIT:
// a timeout, no answer, a header removed, WebSocket blocked, a connection
// cut, something else answering): what to open, built from the real
// target, what this check saw, and how to test it from their side. It
// returns nil for every other result. It never contains the access token.
func Handoff(r *Result) *string {
	e := r.Entry()
	if e.Owner != OwnerCustomerIT || r.Target.Origin == "" {
		return nil
	}
	t := r.Target
	host, port := t.Host(), t.Port()
	ws := t.WebSocketScheme()
	var b strings.Builder
	line := func(label, value string) {
		label += ":"
		b.WriteString(label + strings.Repeat(" ", max(1, 11-len(label))) + value + "\n")
	}
	b.WriteString("Network access needed for LSports DEFEND RMS-Socket\n")
	line("Host", host)
	line("Port", port+" (TCP)")
	line("Scheme", t.Scheme()+", then "+ws+" (WebSocket) on the same port")
	line("Path", t.Path+"/")
	b.WriteString("Please allow, for this host and port:\n")
	b.WriteString("  - " + strings.ToUpper(t.Scheme()) + " requests and WebSocket connections (" + ws + "://" + host + ":" + port + t.Path + "/)\n")
	b.WriteString("  - the WebSocket upgrade: the Upgrade and Connection request headers passed unchanged\n")
	b.WriteString("  - the customerid and Authorization request headers passed unchanged\n")
	if t.Scheme() == "https" {
		b.WriteString("  - no TLS inspection (SSL interception) for " + host + "\n")
	}
	idle := "above the service's ping interval (Socket.IO's default is 25 s)"
	if r.PingInterval > 0 {
		idle = "above the service's ping interval (" + roughDuration(r.PingInterval) + ", as this check's handshake announced)"
	}
	b.WriteString("  - an idle timeout for these connections " + idle + ", and no cut of long-lived connections\n")
	b.WriteString("What this check saw:\n")
	line("  Result", e.Title+" ("+string(r.Kind)+")")
	if s, ok := failedStep(r.Steps); ok {
		line("  Step", s.Name+" failed after "+strconv.FormatInt(s.MS, 10)+" ms")
	}
	if len(r.Messages) > 0 {
		line("  Error", escape(r.Messages[len(r.Messages)-1], -1))
	}
	if r.Reachability != nil {
		line("  Probe", string(*r.Reachability)+": "+ReachText(r))
	}
	if r.Proxy != "" {
		line("  Proxy", r.Proxy)
	}
	line("  Run ID", r.RunID)
	line("  Time", r.Timestamp)
	proxy := ""
	if r.Proxy != "" {
		proxy = "-x '" + strings.ReplaceAll(r.Proxy, "'", "") + "' "
	}
	b.WriteString("To test from the customer's network (HTTP, then the WebSocket upgrade):\n")
	b.WriteString("  curl -v " + proxy + "-H 'customerid: " + curlSafe(r.CustomerID) + "' '" + t.Origin + t.Path + "/?EIO=4&transport=polling'\n")
	b.WriteString("  (an answer that starts with 0{ and holds \"sid\": is Engine.IO, as RMS-Socket answers; anything else came from something in between)\n")
	b.WriteString("  curl -v " + proxy + "--http1.1 -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' " +
		"-H 'Sec-WebSocket-Key: ZGVmZW5kY2hlY2sgdGVzdA==' -H 'customerid: " + curlSafe(r.CustomerID) + "' '" + t.Origin + t.Path + "/?EIO=4&transport=websocket'\n")
	b.WriteString("  (\"101 Switching Protocols\" means WebSocket gets through; press Ctrl-C after it)\n")
	s := b.String()
	return &s
}

// failedStep is the step that failed, if one did.
func failedStep(steps []Step) (Step, bool) {
	for _, s := range steps {
		if s.Status == StepFailed {
			return s, true
		}
	}
	return Step{}, false
}

// curlSafe keeps a customer ID inside single quotes: an ID that is not all
// digits never reaches a hand-off (it is not sent), but the quotes are kept
// safe whatever it holds.
func curlSafe(id string) string {
	return strings.Map(func(r rune) rune {
		if r < '0' || r > '9' {
			return -1
		}
		return r
	}, id)
}
