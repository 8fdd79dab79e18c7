// Package scenario is for tests only. It holds what the native check and
// command tests (check/, cmd/defendcheck/), the browser tests (e2e/), the
// simulator's own tests (rmssim/) and the native transports' tests share,
// so that it is written once:
//
//   - [Cases], every check those suites run, with the verdict, kind and
//     codes each must end with, one per row of the simulator's table
//     (rmssim.Outcomes, which the package's tests hold it to) and one per
//     misbehaving target, and [Case.Mismatch], the one comparison of an
//     [Outcome] with it;
//   - the suites' timings: [Bounds], [RetryDelays] and [EventInterval];
//   - [Start], which serves the simulator and those targets, all real
//     servers on 127.0.0.1:0: a proxy that strips the customerid header, a
//     rate limiter that answers HTTP 429, a port that refuses connections,
//     a listener that never answers and a Socket.IO server that refuses
//     with HTML;
//   - the loopback servers other tests build on: [FreeAddr], a
//     [SilentListener] that says when it has accepted a connection, and
//     [Tunnel], a proxy's CONNECT.
//
// A test picks a server with [Servers.Target] and runs [Case.CustomerID]
// against it.
package scenario
