package atomicfile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsports/defendcheck/internal/atomicfile"
)

// names lists dir's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	for _, body := range []string{"first", "second, longer than the first", "3"} {
		if err := atomicfile.Write(path, []byte(body), 0o640, ".tmp-"); err != nil {
			t.Fatalf("Write %q: %v", body, err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != body {
			t.Errorf("after Write %q the file holds %q (%v)", body, got, err)
		}
		info, err := os.Stat(path)
		if err != nil || info.Mode().Perm() != 0o640 {
			t.Errorf("after Write %q: mode %v (%v), want -rw-r-----", body, info.Mode(), err)
		}
		if got := names(t, dir); len(got) != 1 || got[0] != "f.txt" {
			t.Errorf("after Write %q the directory holds %q, want f.txt alone", body, got)
		}
	}
}

func TestWriteLeavesNoTemporaryFileOnError(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should be: the rename fails after the
	// temporary file is written.
	path := filepath.Join(dir, "taken")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "inside"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(path, []byte("data"), 0o644, ".tmp-"); err == nil {
		t.Fatal("Write over a non-empty directory succeeded")
	}
	for _, name := range names(t, dir) {
		if strings.HasPrefix(name, ".tmp-") {
			t.Errorf("a failed Write left %s", name)
		}
	}
	if info, err := os.Stat(path); err != nil || !info.IsDir() {
		t.Errorf("a failed Write changed what was there (%v)", err)
	}
	// No directory to write into: nothing is made.
	if err := atomicfile.Write(filepath.Join(dir, "none", "f"), []byte("x"), 0o644, ".tmp-"); err == nil {
		t.Error("Write into a missing directory succeeded")
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("the directory holds %q, want only the directory that was there", got)
	}
}
