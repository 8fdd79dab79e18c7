package defendcheck

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lsports/defendcheck/internal/atomicfile"
)

// The files of an export that are not the page's.
const (
	// noteName is the note for the host's operator: the headers that a
	// meta tag cannot carry, and how to serve the compressed copies.
	noteName = "HEADERS.txt"
	// manifestName lists the files an export wrote, so that the next one
	// knows what it may replace or remove.
	manifestName = ".defendcheck-export"
	// manifestHeader starts a manifest.
	manifestHeader = "# defendcheck export: the files it wrote, one a line. The next export into\n" +
		"# this directory replaces or removes them, and leaves any other file alone.\n"
	// exportTmpPrefix starts the name of a file being written; one left by
	// an export that died is removed by the next.
	exportTmpPrefix = ".defendcheck-tmp-"
)

// Export writes the page for cfg into dir, for a static host or a CDN to
// serve as it is: index.html, which carries its Content-Security-Policy in
// a <meta> tag (all of it but frame-ancestors, which a meta tag cannot
// carry), the assets under the content-hashed names the handler serves
// them by, a brotli-11 (.br) and a gzip (.gz) copy beside each file, and
// HEADERS.txt, which tells the host's operator the headers to add where
// the host allows: those the handler sends. The page works from a file
// server that only maps extensions to types, even one that serves .wasm
// with the wrong type.
//
// dir must be new, empty, or hold a previous export (its
// .defendcheck-export lists the files it wrote): the files of the previous
// export are replaced or removed, any other file is left alone, and Export
// refuses to overwrite one that the previous export did not write.
//
// The page's files are written first, each whole through a temporary file
// and a rename, and index.html last, so that the directory always holds a
// page whose files are all there: the previous one until index.html is
// replaced, then the new one. An export that fails or is stopped leaves
// the previous page (in a new directory, no index.html) and files that the
// next export removes.
//
// Export makes every brotli copy at level 11, the slow part of an export,
// or takes it from cfg.CacheDir, where it keeps those it made. A cache it
// cannot write only costs the next export the time.
func Export(ctx context.Context, dir string, cfg Config) error {
	if dir == "" {
		return errors.New("no directory to export into")
	}
	s, err := newSite(cfg)
	if err != nil {
		return err
	}
	page, err := s.exportedPage()
	if err != nil {
		return err
	}
	previous, err := previousExport(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, f := range s.exportFiles(page) {
		if _, err := os.Lstat(filepath.Join(dir, f.name)); err == nil && !slices.Contains(previous, f.name) {
			return fmt.Errorf("%s holds %s, which is not from a previous export: move it away", dir, f.name)
		}
		names = append(names, f.name)
	}
	// Only ctx ends it early. A cache that cannot be written costs the
	// next export the time, nothing else.
	if _, err := s.recompress(ctx); err != nil {
		return fmt.Errorf("stopped before writing %s: %w", dir, err)
	}
	files := s.exportFiles(page) // now with the brotli-11 copies
	// Listed before they are written, so that whatever an export leaves
	// behind, the next one can remove.
	if err := writeManifest(dir, union(previous, names)); err != nil {
		return err
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped while writing %s (index.html not yet replaced): %w", dir, err)
		}
		if err := atomicfile.Write(filepath.Join(dir, f.name), f.data, 0o644, exportTmpPrefix); err != nil {
			return fmt.Errorf("writing %s: %w", filepath.Join(dir, f.name), err)
		}
	}
	for _, name := range previous {
		if !slices.Contains(names, name) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing %s of the previous export: %w", filepath.Join(dir, name), err)
			}
		}
	}
	if err := writeManifest(dir, names); err != nil {
		return err
	}
	return syncDir(dir)
}

// exportFile is one file of an export.
type exportFile struct {
	name string
	data []byte
}

// exportFiles lists the files of the export in the order they are written:
// each asset with its .br and .gz copies, by name, then the note, then the
// page's copies and the page itself.
func (s *site) exportFiles(page *asset) []exportFile {
	var files []exportFile
	add := func(a *asset) {
		files = append(files,
			exportFile{a.name + ".br", *a.br.Load()},
			exportFile{a.name + ".gz", a.gz},
			exportFile{a.name, a.body})
	}
	var hashed []*asset
	for _, a := range s.assets {
		if a.immutable {
			hashed = append(hashed, a)
		}
	}
	slices.SortFunc(hashed, func(a, b *asset) int { return strings.Compare(a.name, b.name) })
	for _, a := range hashed {
		add(a)
	}
	files = append(files, exportFile{noteName, s.note(append([]*asset{page}, hashed...))})
	add(page)
	return files
}

// previousExport checks that dir can take an export and returns the files
// of the export it holds, if any. It makes dir when there is none, and
// removes the temporary files an export that died left.
func previousExport(dir string) ([]string, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		return nil, nil
	case err != nil:
		return nil, err
	case !info.IsDir():
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var others []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), exportTmpPrefix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return nil, fmt.Errorf("removing what an earlier export left: %w", err)
			}
			continue
		}
		others = append(others, e.Name())
	}
	if len(others) == 0 {
		return nil, nil
	}
	raw, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		if len(others) > 3 {
			others = append(others[:3], "…")
		}
		return nil, fmt.Errorf("%s is not empty (%s) and holds no previous export (no %s): give a new or empty directory",
			dir, strings.Join(others, ", "), manifestName)
	}
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(raw, []byte(manifestHeader)) {
		return nil, fmt.Errorf("%s: %s is not an export's list of files", dir, manifestName)
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(raw[len(manifestHeader):]))
	for sc.Scan() {
		name := sc.Text()
		// Only names in dir itself, so that a damaged list cannot make
		// Export remove anything elsewhere.
		if name == "" || name == "." || name == ".." || name == manifestName || strings.ContainsAny(name, `/\`) {
			return nil, fmt.Errorf("%s: %s is damaged: %q is not a file of an export", dir, manifestName, name)
		}
		names = append(names, name)
	}
	return names, sc.Err()
}

// writeManifest writes dir's list of export files.
func writeManifest(dir string, names []string) error {
	data := manifestHeader + strings.Join(names, "\n") + "\n"
	if err := atomicfile.Write(filepath.Join(dir, manifestName), []byte(data), 0o644, exportTmpPrefix); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, manifestName), err)
	}
	return nil
}

// union returns a's names and those of b that a lacks.
func union(a, b []string) []string {
	u := slices.Clone(a)
	for _, n := range b {
		if !slices.Contains(u, n) {
			u = append(u, n)
		}
	}
	return u
}

// syncDir makes dir's renames and removals durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
