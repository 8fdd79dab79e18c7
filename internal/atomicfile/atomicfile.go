// Package atomicfile writes a file whole or not at all, for files that
// another process may read at any moment: the page's brotli cache, an
// export's files and the browser build's go.mod.
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to path with permissions perm through a temporary
// file beside it, named tmpPrefix and a random suffix, synced and then
// renamed into place: a reader finds the old file or the new one, never
// part of one. The temporary file is removed on failure; one left by a
// process that died starts with tmpPrefix, for the caller to clean up.
func Write(path string, data []byte, perm fs.FileMode, tmpPrefix string) error {
	f, err := os.CreateTemp(filepath.Dir(path), tmpPrefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after the rename, a no-op
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
