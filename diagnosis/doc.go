// Package diagnosis is what defendcheck knows about RMS-Socket failures,
// free of any browser or network code: the named steps of a check, the
// verdict kinds, the one table that maps status and close codes to reason,
// resolution and advice, the connection budget, and the support report.
//
// The browser page, the native check and the tests all branch on [Kind],
// never on message text: a real server's messages differ from the docs.
package diagnosis
