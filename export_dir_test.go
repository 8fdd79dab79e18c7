package defendcheck_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lsports/defendcheck"
)

// TestExportCleansUpAfterOneThatDied: the temporary files and the files
// listed by an export that died are removed by the next.
func TestExportCleansUpAfterOneThatDied(t *testing.T) {
	dir := t.TempDir()
	cfg := exportConfig(t)
	export(t, dir, cfg)
	want := files(t, dir)
	manifest := filepath.Join(dir, ".defendcheck-export")
	listed := append(read(t, manifest), "main.000000000000.wasm\n"...)
	for name, body := range map[string][]byte{
		".defendcheck-export":      listed,
		"main.000000000000.wasm":   []byte("half"),
		".defendcheck-tmp-1234567": []byte("half a file"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	export(t, dir, cfg)
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("after the next export the directory holds %q, want %q", got, want)
	}
}

// TestExportRefuses: Export writes only into a new or empty directory or a
// previous export's, never over a file it did not write, and says why.
func TestExportRefuses(t *testing.T) {
	cfg := exportConfig(t)
	tests := []struct {
		name  string
		setup func(t *testing.T) string // returns the directory
		want  []string
	}{
		{"no directory", func(*testing.T) string { return "" }, []string{"no directory"}},
		{"a file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "site")
			write(t, p, "not a directory")
			return p
		}, []string{"is not a directory"}},
		{"someone else's files", func(t *testing.T) string {
			d := t.TempDir()
			write(t, filepath.Join(d, "notes.txt"), "mine")
			return d
		}, []string{"is not empty (notes.txt)", "no .defendcheck-export", "new or empty directory"}},
		{"a list not ours", func(t *testing.T) string {
			d := t.TempDir()
			write(t, filepath.Join(d, ".defendcheck-export"), "index.html\n")
			return d
		}, []string{".defendcheck-export is not an export's list of files"}},
		{"a list naming a file elsewhere", func(t *testing.T) string {
			d := t.TempDir()
			export(t, d, cfg)
			f, err := os.OpenFile(filepath.Join(d, ".defendcheck-export"), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = f.WriteString("../outside\n")
			_ = f.Close()
			return d
		}, []string{`.defendcheck-export is damaged: "../outside"`}},
		{"a file the previous export did not write", func(t *testing.T) string {
			d := t.TempDir()
			export(t, d, cfg)
			lines := strings.Split(string(read(t, filepath.Join(d, ".defendcheck-export"))), "\n")
			lines = slices.DeleteFunc(lines, func(l string) bool { return l == "HEADERS.txt" })
			write(t, filepath.Join(d, ".defendcheck-export"), strings.Join(lines, "\n"))
			write(t, filepath.Join(d, "HEADERS.txt"), "the operator's own")
			return d
		}, []string{"holds HEADERS.txt, which is not from a previous export: move it away"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t)
			before := snapshot(t, dir)
			err := defendcheck.Export(context.Background(), dir, cfg)
			for _, want := range tt.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want one saying %q", err, want)
				}
			}
			if after := snapshot(t, dir); !maps.Equal(before, after) {
				t.Errorf("the refused export changed %s", dir)
			}
		})
	}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot maps each file under dir to its content ("" for none).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	if dir == "" {
		return m
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsDir() {
		m[dir] = string(read(t, dir))
		return m
	}
	for _, name := range files(t, dir) {
		m[name] = string(read(t, filepath.Join(dir, name)))
	}
	return m
}

// TestStoppedExport: an export stopped while it compresses leaves the
// previous page as it was, and in a new directory no page.
func TestStoppedExport(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	fresh := filepath.Join(t.TempDir(), "site")
	if err := defendcheck.Export(ctx, fresh, exportConfig(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("Export with a cancelled context = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(fresh, "index.html")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a stopped export into a new directory wrote index.html (%v)", err)
	}

	dir := t.TempDir()
	export(t, dir, exportConfig(t))
	before := snapshot(t, dir)
	next := exportConfig(t) // with an empty cache: the wasm must be compressed
	next.WASM = append(bytes.Clone(textWASM), "another build"...)
	if err := defendcheck.Export(ctx, dir, next); !errors.Is(err, context.Canceled) {
		t.Errorf("Export with a cancelled context = %v, want context.Canceled", err)
	}
	if after := snapshot(t, dir); !maps.Equal(before, after) {
		t.Error("a stopped export changed the previous one")
	}
}
