// Command wasmsize prints where the checker's WebAssembly spends its bytes:
// the sections, then the code by Go package and by module, and with -funcs
// the largest functions outside the runtime (what a patch can remove).
//
//	go run ./cmd/wasmsize [-top N] [-funcs N] [file.wasm]
//
// Without a file it builds the checker as the server does but with its
// symbol names kept (wasmbuild.BuildNamed). A file must be a Go build
// linked without -ldflags=-s, which removes the names.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/lsports/defendcheck/internal/wasmsize"
	"github.com/lsports/defendcheck/wasmbuild"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "wasmsize:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wasmsize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wasmsize [-top N] [-funcs N] [file.wasm]")
		fs.PrintDefaults()
	}
	top := fs.Int("top", 30, "packages to list, the largest first (0 = all)")
	funcs := fs.Int("funcs", 0, "also list this many of the largest functions outside the runtime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 || *top < 0 || *funcs < 0 {
		fs.Usage()
		return errors.New("give at most one file, a -top of 0 or more and a -funcs of 0 or more")
	}
	var (
		bin  []byte
		from string
		err  error
	)
	if fs.NArg() == 1 {
		from = fs.Arg(0)
		bin, err = os.ReadFile(from)
	} else {
		from = "the checker, built with names (wasmbuild.BuildNamed)"
		fmt.Fprintln(stderr, "building the checker's WebAssembly with its names…")
		bin, err = wasmbuild.BuildNamed(ctx)
	}
	if err != nil {
		return err
	}
	m, err := wasmsize.Parse(bin)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	if err := report(stdout, from, m, *top); err != nil {
		return err
	}
	return largest(stdout, m, *funcs)
}

// largest prints the n largest function bodies outside the runtime
// packages, whose size no patch of this project changes.
func largest(w io.Writer, m *wasmsize.Module, n int) error {
	if n == 0 {
		return nil
	}
	fns := slices.DeleteFunc(slices.Clone(m.Funcs), func(f wasmsize.Func) bool {
		return f.Package == "runtime" || strings.HasPrefix(f.Package, "internal/runtime/")
	})
	slices.SortStableFunc(fns, func(a, b wasmsize.Func) int { return cmp.Compare(b.Size, a.Size) })
	fns = fns[:min(n, len(fns))]
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nThe %d largest functions outside the runtime\n", len(fns))
	fmt.Fprintf(tw, "bytes\tpackage\tfunction (as the name section writes it)\n")
	for _, f := range fns {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", f.Size, f.Package, f.Name)
	}
	return tw.Flush()
}

// report prints the sections, then the code by package (the top largest)
// and by module, with sizes in KB (1000 bytes) and shares of the code.
func report(w io.Writer, from string, m *wasmsize.Module, top int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	file := m.FileSize
	code, data, names := m.SectionSize("code"), m.SectionSize("data"), m.SectionSize("name")
	bodies := m.CodeBodies()
	fmt.Fprintf(tw, "%s\n\n", from)
	fmt.Fprintf(tw, "KB\t%% of file\t\n")
	fmt.Fprintf(tw, "%s\t%s\t  whole file\n", kb(file), pct(file, file))
	fmt.Fprintf(tw, "%s\t%s\t  code section (function bodies %s KB, %d functions)\n", kb(code), pct(code, file), kb(bodies), len(m.Funcs))
	fmt.Fprintf(tw, "%s\t%s\t  data section\n", kb(data), pct(data, file))
	fmt.Fprintf(tw, "%s\t%s\t  name section (dropped by -ldflags=-s: not in the build served)\n", kb(names), pct(names, file))
	rest := file - code - data - names
	fmt.Fprintf(tw, "%s\t%s\t  the rest (headers, types, imports, exports, tables, other custom sections)\n", kb(rest), pct(rest, file))

	pkgs := m.ByPackage()
	shown := pkgs
	if top > 0 && top < len(pkgs) {
		shown = pkgs[:top]
	}
	fmt.Fprintf(tw, "\nCode by package: %d packages, the %d largest\n", len(pkgs), len(shown))
	groups(tw, "package", shown, pkgs[len(shown):], bodies)

	fmt.Fprintf(tw, "\nCode by module\n")
	groups(tw, "module", m.ByModule(), nil, bodies)
	return tw.Flush()
}

// groups prints one table: the shown groups, one line for the others, and
// the total.
func groups(w io.Writer, what string, shown, others []wasmsize.Group, total int) {
	fmt.Fprintf(w, "KB\t%% of code\tfuncs\t  %s\n", what)
	for _, g := range shown {
		fmt.Fprintf(w, "%s\t%s\t%d\t  %s\n", kb(g.Size), pct(g.Size, total), g.Funcs, g.Name)
	}
	if len(others) > 0 {
		size, funcs := 0, 0
		for _, g := range others {
			size += g.Size
			funcs += g.Funcs
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t  %d more %ss\n", kb(size), pct(size, total), funcs, len(others), what)
	}
	fmt.Fprintf(w, "%s\t%s\t\t  total function bodies\n", kb(total), pct(total, total))
}

func kb(n int) string { return fmt.Sprintf("%.1f", float64(n)/1000) }

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(n)/float64(of))
}
