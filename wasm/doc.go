// Command wasm is the defendcheck page's WebAssembly: thin glue between the
// browser and package check. It supplies fetch and WebSocket to the
// Socket.IO client, shows the steps and the verdict, and publishes the
// result as window.defendcheck.result. Every browser call goes through
// github.com/hack-pad/safejs, which returns errors instead of panicking.
package main
