// Package jsutil holds the small helpers over github.com/hack-pad/safejs
// that the page and package transport/browser share: awaiting a promise,
// reading properties, constructing objects, listening to events. It is
// built for GOOS=js GOARCH=wasm only.
package jsutil
