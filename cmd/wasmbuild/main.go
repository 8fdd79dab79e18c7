// Command wasmbuild builds the checker's WebAssembly against the Socket.IO
// library trimmed by the project's patch series, or prints the go.mod that
// the go command needs (-modfile) to vet, list or build the browser code
// the same way:
//
//	go run ./cmd/wasmbuild -o main.wasm
//	GOOS=js GOARCH=wasm go vet -modfile="$(go run ./cmd/wasmbuild -modfile)" ./wasm/...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/lsports/defendcheck/wasmbuild"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "wasmbuild:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wasmbuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the built checker (GOOS=js GOARCH=wasm) to `file`")
	modfile := fs.Bool("modfile", false, "print the path of the go.mod to pass to the go command's -modfile for the browser build")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*out == "") == !*modfile {
		fs.Usage()
		return errors.New("give exactly one of -o FILE or -modfile")
	}
	if *modfile {
		path, err := wasmbuild.Modfile(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, path)
		return err
	}
	res, err := wasmbuild.Build(ctx)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, res.WASM, 0o644); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(res.WASM))
	return err
}
