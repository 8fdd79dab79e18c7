//go:build js && wasm

package main

import (
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
)

// await blocks until promise settles. Call it only from a goroutine of our
// own, never from inside a JS callback.
func await(promise safejs.Value) (safejs.Value, error) {
	type settled struct {
		v   safejs.Value
		err error
	}
	ch := make(chan settled, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{v: arg(args, 0)}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer onOK.Release()
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{err: jsError(arg(args, 0))}
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

func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}

// jsError turns a rejected promise's reason into a Go error with the
// browser's own words ("TypeError: Failed to fetch").
func jsError(v safejs.Value) error {
	name, _ := getString(v, "name")
	msg, _ := getString(v, "message")
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

func getString(v safejs.Value, prop string) (string, error) {
	p, err := v.Get(prop)
	if err != nil {
		return "", err
	}
	if p.IsUndefined() || p.IsNull() {
		return "", nil
	}
	return p.String()
}

func getInt(v safejs.Value, prop string) int {
	p, err := v.Get(prop)
	if err != nil {
		return 0
	}
	n, _ := p.Int()
	return n
}

func getBool(v safejs.Value, prop string) bool {
	p, err := v.Get(prop)
	if err != nil {
		return false
	}
	b, _ := p.Bool()
	return b
}

// construct calls new globalThis[name](args...).
func construct(name string, args ...any) (safejs.Value, error) {
	ctor, err := safejs.Global().Get(name)
	if err != nil {
		return safejs.Undefined(), err
	}
	return ctor.New(args...)
}
