package scenario

import (
	"io"
	"net"
	"net/http"
	"sync"
)

// FreeAddr returns a loopback address nobody listens on: a port taken
// from the system and freed at once.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	return ln.Addr().String(), ln.Close()
}

// SilentListener is a loopback listener that accepts connections, holds
// them open and never sends a byte, until Close.
type SilentListener struct {
	Addr     string        // host:port
	accepted chan struct{} // closed at the first connection
	ln       net.Listener
	done     chan struct{} // closed when the accept loop has ended
	mu       sync.Mutex
	conns    []net.Conn
}

// ListenSilent starts a SilentListener on 127.0.0.1:0.
func ListenSilent() (*SilentListener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &SilentListener{Addr: ln.Addr().String(), accepted: make(chan struct{}), ln: ln, done: make(chan struct{})}
	go l.accept()
	return l, nil
}

func (l *SilentListener) accept() {
	defer close(l.done)
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return
		}
		l.mu.Lock()
		if l.conns = append(l.conns, c); len(l.conns) == 1 {
			close(l.accepted)
		}
		l.mu.Unlock()
	}
}

// Accepted is closed once the listener has accepted its first connection.
func (l *SilentListener) Accepted() <-chan struct{} { return l.accepted }

// Close closes the listener and every connection it accepted.
func (l *SilentListener) Close() {
	_ = l.ln.Close()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close()
	}
}

// Tunnel answers a CONNECT request as a forward proxy does: it dials addr,
// says "200 Connection established" and copies both ways until either side
// ends. A dial that fails is a 502.
func Tunnel(w http.ResponseWriter, addr string) {
	up, err := net.Dial("tcp", addr)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer up.Close()
	down, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer down.Close()
	if _, err := io.WriteString(down, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	go func() {
		_, _ = io.Copy(up, buf)
		_ = up.(*net.TCPConn).CloseWrite()
	}()
	_, _ = io.Copy(down, up)
}
