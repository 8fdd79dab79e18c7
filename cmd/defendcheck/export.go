package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/wasmbuild"
)

const exportUsage = `Usage: defendcheck export -o DIR -target URL [-target URL...] [flags]

Builds the checker's WebAssembly and writes the checker page into DIR, for
any static host or CDN to serve as it is. Exit status 2 on any error.

` + "Flags:\n"

// exporter is the export command. Its build and export are
// wasmbuild.Build and defendcheck.Export; tests give their own.
type exporter struct {
	build  func(context.Context) (*wasmbuild.Result, error)
	export func(ctx context.Context, dir string, cfg defendcheck.Config) error
}

// run checks every flag before it builds anything, then exports.
func (e exporter) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", exportUsage, stderr)
	dir := fs.String("o", "", "`directory` to write the page into")
	var page pageFlags
	page.register(fs, "at least one is required")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := flagsOnly(fs); err != nil {
		return err
	}
	switch {
	case *dir == "":
		fs.Usage()
		return errors.New("export: -o is required: the directory to write the page into")
	case len(page.targets) == 0:
		fs.Usage()
		return errors.New("export: -target is required: an exported page has no simulator, e.g. -target https://rms.lsports.eu/rms-socket/socket.io")
	}
	fmt.Fprintln(stdout, "building the checker's WebAssembly…")
	built, err := e.build(ctx)
	if err != nil {
		return err
	}
	if err := e.export(ctx, *dir, page.config(built)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote the checker page to %s\n", *dir)
	return nil
}
