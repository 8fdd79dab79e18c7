package scenario

import "github.com/gorilla/websocket"

// Upgraded plays a scripted Engine.IO server's side of a client's
// WebSocket upgrade on c: it answers the probe ("2probe") with "3probe"
// and closes probed (once), and when the client upgrades ("5") it calls
// then, whose error ends it. It returns when c fails.
func Upgraded(c *websocket.Conn, probed chan struct{}, then func(*websocket.Conn) error) {
	for {
		_, msg, err := c.ReadMessage()
		if err != nil {
			return
		}
		switch string(msg) {
		case "2probe":
			if c.WriteMessage(websocket.TextMessage, []byte("3probe")) != nil {
				return
			}
			CloseOnce(probed)
		case "5":
			if then(c) != nil {
				return
			}
		}
	}
}

// CloseOnce closes ch unless it is closed already (by the same goroutine:
// it is not safe for two to race).
func CloseOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}
