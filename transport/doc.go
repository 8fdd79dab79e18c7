// Package transport holds Engine.IO client transports for the Socket.IO
// client (github.com/zishang520/socket.io/clients/socket/v3) that do their
// I/O through two small interfaces, [Fetcher] and [Dialer].
//
// The browser build supplies fetch and WebSocket behind them; native code
// and tests supply net/http and gorilla/websocket. The transport logic is
// the same in both, so it is tested natively against a real server.
//
// Unlike the library's own transports these keep polling reads and writes
// on separate paths (an emit does not wait behind a pending long-poll),
// always open a new session over polling (a browser WebSocket cannot carry
// the customerid header), and report a WebSocket's close code and reason
// as a [*CloseEvent]. A [Session] holds one connection's transports to
// account against a broken or hostile server: each request and dial has
// its own deadline, bodies and messages are capped at [MaxRead], a
// connection makes at most [MaxRequests] requests, an answer that is not
// Engine.IO is a [*ProtocolError], and [Session.End] leaves nothing open.
package transport
