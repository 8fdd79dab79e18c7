package transport

import "sync"

// Inbox keeps the Dialer contract's ordering promise for a WebSocket whose
// messages and close arrive on callbacks that must not block, as the
// browser's do: each message, then the close, is handed on in the order it
// came, on a goroutine of the inbox's own. A callback only appends and
// returns.
type Inbox struct {
	mu        sync.Mutex
	items     []inboxItem
	closed    bool // the close is queued: nothing is taken after it
	abandoned bool
	wake      chan struct{}
	message   func(string)
	close     func(CloseEvent)
}

type inboxItem struct {
	data  string
	close *CloseEvent
}

// NewInbox starts an inbox that hands messages to message and the close,
// once, to close; nothing follows the close.
func NewInbox(message func(string), close func(CloseEvent)) *Inbox {
	in := &Inbox{wake: make(chan struct{}, 1), message: message, close: close}
	go in.run()
	return in
}

// Message queues one message.
func (in *Inbox) Message(data string) { in.push(inboxItem{data: data}) }

// Close queues the close, after every message queued before it.
func (in *Inbox) Close(ce CloseEvent) { in.push(inboxItem{close: &ce}) }

// Abandon stops the inbox, as for a connection whose dial failed: what is
// queued and what comes later is dropped, and its goroutine ends.
func (in *Inbox) Abandon() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.abandoned {
		in.abandoned = true
		in.items = nil
		close(in.wake)
	}
}

func (in *Inbox) push(it inboxItem) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed || in.abandoned {
		return
	}
	in.items = append(in.items, it)
	in.closed = it.close != nil
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

func (in *Inbox) run() {
	for range in.wake {
		in.mu.Lock()
		items, abandoned := in.items, in.abandoned
		in.items = nil
		in.mu.Unlock()
		if abandoned {
			return
		}
		for _, it := range items {
			if it.close != nil {
				in.close(*it.close)
				return
			}
			in.message(it.data)
		}
	}
}
