// Command floor is the benchmark's floor page: a Go program that does
// nothing but set <html data-state="ready"> through safejs, built by
// wasmbuild.BuildPackage with the checker's own flags. What it costs to
// load is what any Go program costs in a browser on this stack (Go's
// runtime, its start-up, safejs and syscall/js), the floor the checker's
// ready is measured against (e2e.BenchmarkVersusPeer).
package main
