// Package scenario is for tests only. It holds what the native check
// tests (check/), the browser tests (e2e/) and the simulator's own tests
// (rmssim/) share, so that it is written once:
//
//   - [Cases], every check those suites run, with the verdict, kind and
//     codes each must end with, one per row of the simulator's table
//     (rmssim.Outcomes, which the package's tests hold it to) and one per
//     misbehaving target;
//   - [Start], which serves the simulator and those targets, all real
//     servers on 127.0.0.1:0: a proxy that strips the customerid header, a
//     rate limiter that answers HTTP 429, a port that refuses connections,
//     a listener that never answers and a Socket.IO server that refuses
//     with HTML.
//
// A test picks a server with [Servers.Target] and runs [Case.CustomerID]
// against it.
package scenario
