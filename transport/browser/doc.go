// Package browser is the check's I/O in a browser, as package native is
// natively: transport.Fetcher over fetch, transport.Dialer over WebSocket,
// and check.Config's Probe and Clock. It is built for GOOS=js
// GOARCH=wasm only; every browser call goes through
// github.com/hack-pad/safejs.
package browser
