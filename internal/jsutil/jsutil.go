//go:build js && wasm

package jsutil

import (
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
)

// Await blocks until promise settles. Call it only from a goroutine of our
// own, never from inside a JS callback.
func Await(promise safejs.Value) (safejs.Value, error) {
	type settled struct {
		v   safejs.Value
		err error
	}
	ch := make(chan settled, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{v: Arg(args, 0)}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer onOK.Release()
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{err: Error(Arg(args, 0))}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer onErr.Release()
	if _, err := promise.Call("then", onOK, onErr); err != nil {
		return safejs.Undefined(), err
	}
	s := <-ch
	return s.v, s.err
}

func Arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}

// Error turns a rejected promise's reason into a Go error with the
// browser's own words ("TypeError: Failed to fetch").
func Error(v safejs.Value) error {
	name, _ := String(v, "name")
	msg, _ := String(v, "message")
	switch {
	case name != "" && msg != "":
		return fmt.Errorf("%s: %s", name, msg)
	case msg != "":
		return errors.New(msg)
	}
	s, err := v.String()
	if err != nil || s == "" {
		return errors.New("unknown browser error")
	}
	return errors.New(s)
}

func String(v safejs.Value, prop string) (string, error) {
	p, err := v.Get(prop)
	if err != nil {
		return "", err
	}
	if p.IsUndefined() || p.IsNull() {
		return "", nil
	}
	return p.String()
}

func Int(v safejs.Value, prop string) int {
	p, err := v.Get(prop)
	if err != nil {
		return 0
	}
	n, _ := p.Int()
	return n
}

func Bool(v safejs.Value, prop string) bool {
	p, err := v.Get(prop)
	if err != nil {
		return false
	}
	b, _ := p.Bool()
	return b
}

// New calls new globalThis[name](args...).
func New(name string, args ...any) (safejs.Value, error) {
	ctor, err := safejs.Global().Get(name)
	if err != nil {
		return safejs.Undefined(), err
	}
	return ctor.New(args...)
}

// UserAgent is the browser's navigator.userAgent, the report's "Checked
// from".
func UserAgent() string {
	nav, err := safejs.Global().Get("navigator")
	if err != nil {
		return ""
	}
	ua, _ := String(nav, "userAgent")
	return ua
}

// Listen adds an event listener to target that calls fn with the event,
// on the JS callback (fn must not block), and returns it for Release;
// after an error there is nothing to release.
func Listen(target safejs.Value, event string, fn func(ev safejs.Value)) (safejs.Func, error) {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		fn(Arg(args, 0))
		return nil
	})
	if err != nil {
		return f, err
	}
	if _, err = target.Call("addEventListener", event, f); err != nil {
		f.Release()
	}
	return f, err
}
