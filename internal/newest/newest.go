// Package newest draws the newest of a series of values, such as a check's
// progress, without making the producer wait for the drawing.
package newest

import "sync"

// Drawer hands values to a draw function. Post never waits: the value is
// drawn on a goroutine of the Drawer's own, and values posted while a draw
// runs are merged into the newest. Now draws at once. A value is never
// drawn after a newer one.
type Drawer[T any] struct {
	draw func(T)

	mu      sync.Mutex
	pending *T
	seq     uint64 // of the newest value
	busy    bool   // a drain goroutine is running

	drawMu sync.Mutex // serialises draw; guards drawn
	drawn  uint64     // seq of the value drawn last
}

// New returns a Drawer that draws with draw.
func New[T any](draw func(T)) *Drawer[T] {
	return &Drawer[T]{draw: draw}
}

// Post draws v soon, unless a newer value comes first.
func (d *Drawer[T]) Post(v T) {
	d.mu.Lock()
	d.seq++
	d.pending = &v
	start := !d.busy
	d.busy = true
	d.mu.Unlock()
	if start {
		go d.drain()
	}
}

// Now draws v before it returns, ahead of any value still pending, which
// is then never drawn.
func (d *Drawer[T]) Now(v T) {
	d.mu.Lock()
	d.seq++
	seq := d.seq
	d.pending = nil
	d.mu.Unlock()
	d.drawAt(seq, v)
}

func (d *Drawer[T]) drain() {
	for {
		d.mu.Lock()
		v, seq := d.pending, d.seq
		d.pending = nil
		if v == nil {
			d.busy = false
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
		d.drawAt(seq, *v)
	}
}

func (d *Drawer[T]) drawAt(seq uint64, v T) {
	d.drawMu.Lock()
	defer d.drawMu.Unlock()
	if seq <= d.drawn {
		return // a newer value is drawn already
	}
	d.drawn = seq
	d.draw(v)
}
