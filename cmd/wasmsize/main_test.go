package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lsports/defendcheck/internal/logbuf"
)

// buildTiny builds a tiny Go program for js/wasm into dir, with names
// unless stripped, and returns the file's path.
func buildTiny(t *testing.T, dir string, stripped bool) string {
	t.Helper()
	src := map[string]string{
		"go.mod":  "module example.com/tiny\n\ngo 1.24\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
	}
	for name, body := range src {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, ldflags := filepath.Join(dir, "named.wasm"), ""
	if stripped {
		out, ldflags = filepath.Join(dir, "stripped.wasm"), "-s -w"
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags="+ldflags, "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOFLAGS=-buildvcs=false", "GOWORK=off")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the tiny program: %v\n%s", err, msg)
	}
	return out
}

func TestRunReportsAFile(t *testing.T) {
	file := buildTiny(t, t.TempDir(), false)
	var stdout, stderr logbuf.Buffer
	if err := run(context.Background(), []string{"-top", "3", "-funcs", "2", file}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^ +\d+\.\d  +100\.0 %  whole file$`),
		regexp.MustCompile(`(?m)^ +\d+\.\d  +\d+\.\d %  code section \(function bodies \d+\.\d KB, \d+ functions\)$`),
		regexp.MustCompile(`(?m)^ +\d+\.\d  +\d+\.\d %  data section$`),
		regexp.MustCompile(`(?m)^Code by package: \d+ packages, the 3 largest$`),
		regexp.MustCompile(`(?m)^ +\d+\.\d  +\d+\.\d %  +\d+  runtime$`),
		regexp.MustCompile(`(?m)^ +\d+\.\d  +\d+\.\d %  +\d+  \d+ more packages$`),
		regexp.MustCompile(`(?m)^ +\d+\.\d  +\d+\.\d %  +\d+  example\.com/tiny$`),
		regexp.MustCompile(`(?m)^ +\d+\.\d  +\d+\.\d %  +\d+  std$`),
		regexp.MustCompile(`(?m)^ +\d+\.\d  +100\.0 %  +total function bodies$`),
		regexp.MustCompile(`(?m)^The 2 largest functions outside the runtime$`),
		regexp.MustCompile(`(?m)^\d+ +fmt +fmt\.\S+$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("the report has no line matching %s:\n%s", want, out)
		}
	}
	// The table's columns line up: every row of a table is as wide up to
	// the name column.
	rows := regexp.MustCompile(`(?m)^( +\d+\.\d  +\d+\.\d %  +\d+  )\S`).FindAllStringSubmatch(out, -1)
	for _, r := range rows {
		if len(r[1]) != len(rows[0][1]) {
			t.Errorf("columns do not line up: %q vs %q", r[1], rows[0][1])
		}
	}
	if len(rows) < 5 {
		t.Errorf("only %d rows:\n%s", len(rows), out)
	}
}

func TestRunBuildsTheCheckerWithNames(t *testing.T) {
	var stdout, stderr logbuf.Buffer
	if err := run(context.Background(), []string{"-top", "5"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"wasmbuild.BuildNamed", "  runtime\n", "  github.com/lsports/defendcheck\n", "  std\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

func TestRunRejects(t *testing.T) {
	dir := t.TempDir()
	stripped := buildTiny(t, dir, true)
	text := filepath.Join(dir, "main.go")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"stripped build", []string{stripped}, "-ldflags=-s"},
		{"not wasm", []string{text}, "not a WebAssembly binary"},
		{"missing file", []string{filepath.Join(dir, "nope.wasm")}, "no such file"},
		{"two files", []string{stripped, text}, "at most one file"},
		{"negative top", []string{"-top", "-1", stripped}, "-top of 0 or more"},
		{"negative funcs", []string{"-funcs", "-1", stripped}, "-funcs of 0 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr logbuf.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error with %q", tt.args, err, tt.want)
			}
			if stdout.String() != "" {
				t.Errorf("run(%q) printed a report:\n%s", tt.args, stdout.String())
			}
		})
	}
	var stdout, stderr logbuf.Buffer
	if err := run(context.Background(), []string{"-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "usage: wasmsize") {
		t.Errorf("-h: %v, %q", err, stderr.String())
	}
}
