package wasmbuild

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// patch is one file of the series: a git format-patch whose paths are
// relative to the library's repository root.
type patch struct {
	name  string // file name, e.g. 0003-engine-transports-js.patch
	files []*gitdiff.File
}

// loadSeries reads every *.patch in fsys, in file-name order.
func loadSeries(fsys fs.FS) ([]patch, error) {
	names, err := fs.Glob(fsys, "*.patch")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var series []patch
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		files, _, err := gitdiff.Parse(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("patch %s: %w", name, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("patch %s: no file changes in it", name)
		}
		series = append(series, patch{name: name, files: files})
	}
	return series, nil
}

// touched returns the repository paths the series changes or creates.
func touched(series []patch) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range series {
		for _, f := range p.files {
			if !seen[f.NewName] {
				seen[f.NewName] = true
				out = append(out, f.NewName)
			}
		}
	}
	return out
}

// trees maps a directory of the library's repository ("clients/engine",
// "" for the root module) to a writable copy of that module on disk.
type trees map[string]string

// owner returns the key of dirs (directories of the library's repository,
// "" for the root module) whose module holds the repository path name: the
// longest directory prefix.
func owner[V any](dirs map[string]V, name string) (string, bool) {
	best, found := "", false
	for dir := range dirs {
		if (dir == "" || strings.HasPrefix(name, dir+"/")) && (!found || len(dir) > len(best)) {
			best, found = dir, true
		}
	}
	return best, found
}

// locate finds the file of the copy that holds the repository path name.
func (t trees) locate(name string) (string, bool) {
	dir, ok := owner(t, name)
	if !ok {
		return "", false
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(name, dir), "/")
	return filepath.Join(t[dir], filepath.FromSlash(rel)), true
}

// apply applies the series in order. The patches are written against the
// pinned version: a fragment that does not match stops everything with an
// error that names the patch and the file, so a version bump that breaks a
// patch is seen at once rather than built half-patched.
func (t trees) apply(series []patch) error {
	for _, p := range series {
		for _, f := range p.files {
			if err := t.applyFile(f); err != nil {
				return fmt.Errorf("patch %s no longer applies to %s: %w", p.name, f.NewName, err)
			}
		}
	}
	return nil
}

func (t trees) applyFile(f *gitdiff.File) error {
	if f.IsBinary || f.IsDelete || f.IsRename || f.IsCopy || f.OldName != f.NewName && !f.IsNew {
		return errors.New("only text changes and new files are supported")
	}
	dst, ok := t.locate(f.NewName)
	if !ok {
		return errors.New("no module of the library holds this path")
	}
	var src []byte
	if !f.IsNew {
		var err error
		if src, err = os.ReadFile(dst); err != nil {
			return err
		}
	} else if _, err := os.Stat(dst); err == nil {
		return errors.New("the patch creates this file, but it exists already")
	}
	var out bytes.Buffer
	if err := gitdiff.Apply(&out, bytes.NewReader(src), f); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, out.Bytes(), 0o644)
}

// copyTree copies the regular files of src (a read-only module cache
// directory) into dst, writable.
func copyTree(dst, src string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// repoDir is the directory of module modPath inside the library's
// repository: github.com/zishang520/socket.io/clients/engine/v3 lives in
// clients/engine, github.com/zishang520/socket.io/v3 at the root.
func repoDir(modPath string) (string, bool) {
	rest, ok := strings.CutPrefix(modPath, libraryRepo)
	if !ok {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "/")
	if rest == "v3" {
		return "", true
	}
	dir, ok := strings.CutSuffix(rest, "/v3")
	return path.Clean(dir), ok
}
