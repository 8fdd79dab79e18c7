package wasmbuild

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// A patch in the form git format-patch writes, against a file of
// clients/engine, adding a file to the root module.
const goodPatch = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: defendcheck <defendcheck@lsports.invalid>
Subject: [PATCH] engine: say hello

Why: a test.
---
 clients/engine/a.go | 2 +-
 pkg/b/b.go          | 3 +++
 2 files changed, 4 insertions(+), 1 deletion(-)
 create mode 100644 pkg/b/b.go

diff --git a/clients/engine/a.go b/clients/engine/a.go
index 1111111..2222222 100644
--- a/clients/engine/a.go
+++ b/clients/engine/a.go
@@ -1,3 +1,3 @@
 package engine
 
-var Greeting = "hi"
+var Greeting = "hello"
diff --git a/pkg/b/b.go b/pkg/b/b.go
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/pkg/b/b.go
@@ -0,0 +1,3 @@
+package b
+
+const B = 1
`

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testTrees(t *testing.T, engineSource string) trees {
	t.Helper()
	root, engine := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(engine, "a.go"), engineSource)
	return trees{"": root, "clients/engine": engine}
}

func TestApplySeries(t *testing.T) {
	series, err := loadSeries(fstest.MapFS{"0001-hello.patch": {Data: []byte(goodPatch)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := touched(series); strings.Join(got, " ") != "clients/engine/a.go pkg/b/b.go" {
		t.Fatalf("touched = %q", got)
	}
	tr := testTrees(t, "package engine\n\nvar Greeting = \"hi\"\n")
	if err := tr.apply(series); err != nil {
		t.Fatal(err)
	}
	if got, want := readFile(t, filepath.Join(tr["clients/engine"], "a.go")), "package engine\n\nvar Greeting = \"hello\"\n"; got != want {
		t.Errorf("patched a.go = %q, want %q", got, want)
	}
	if got, want := readFile(t, filepath.Join(tr[""], "pkg", "b", "b.go")), "package b\n\nconst B = 1\n"; got != want {
		t.Errorf("new b.go = %q, want %q", got, want)
	}
}

// A new upstream version that changed a patched line must stop the build
// with the patch's name, not build half-patched.
func TestApplySeriesNamesThePatchThatNoLongerApplies(t *testing.T) {
	series, err := loadSeries(fstest.MapFS{"0001-hello.patch": {Data: []byte(goodPatch)}})
	if err != nil {
		t.Fatal(err)
	}
	tr := testTrees(t, "package engine\n\nvar Greeting = \"hey\" // changed upstream\n")
	err = tr.apply(series)
	if err == nil {
		t.Fatal("apply succeeded on a changed file")
	}
	for _, want := range []string{"0001-hello.patch", "no longer applies", "clients/engine/a.go"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

func TestLoadSeriesRejectsAnEmptyPatch(t *testing.T) {
	_, err := loadSeries(fstest.MapFS{"0001-empty.patch": {Data: []byte("From: x\nSubject: nothing\n")}})
	if err == nil || !strings.Contains(err.Error(), "0001-empty.patch") {
		t.Fatalf("err = %v, want one naming the patch", err)
	}
}

func TestLoadSeriesOrder(t *testing.T) {
	series, err := loadSeries(fstest.MapFS{
		"0002-b.patch": {Data: []byte(goodPatch)},
		"0001-a.patch": {Data: []byte(goodPatch)},
		"README.md":    {Data: []byte("not a patch")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 2 || series[0].name != "0001-a.patch" || series[1].name != "0002-b.patch" {
		t.Fatalf("series = %v, want 0001-a then 0002-b", series)
	}
}

func TestRepoDirAndOwner(t *testing.T) {
	for _, tc := range []struct {
		mod, dir string
		ok       bool
	}{
		{"github.com/zishang520/socket.io/v3", "", true},
		{"github.com/zishang520/socket.io/clients/engine/v3", "clients/engine", true},
		{"github.com/zishang520/socket.io/parsers/socket/v3", "parsers/socket", true},
		{"github.com/gorilla/websocket", "", false},
	} {
		dir, ok := repoDir(tc.mod)
		if dir != tc.dir || ok != tc.ok {
			t.Errorf("repoDir(%q) = %q, %v; want %q, %v", tc.mod, dir, ok, tc.dir, tc.ok)
		}
	}
	dirs := map[string]bool{"": true, "clients/engine": true, "clients/socket": true}
	for name, want := range map[string]string{
		"clients/engine/polling.go":   "clients/engine",
		"clients/socket/socket.go":    "clients/socket",
		"pkg/types/set.go":            "",
		"clients/engineering/x.go":    "",
		"clients/engine/sub/dir/x.go": "clients/engine",
	} {
		if got, _ := owner(dirs, name); got != want {
			t.Errorf("owner(%q) = %q, want %q", name, got, want)
		}
	}
}
