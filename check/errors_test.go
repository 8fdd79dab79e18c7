//go:build !js

package check

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConnectTimeoutIsTheLibrarysLine holds isConnectTimeout to the line of
// the pinned Socket.IO client that makes the error it matches: a new version
// that moves or changes that line fails here, not in a check that then
// calls its own bound unreachable.
func TestConnectTimeoutIsTheLibrarysLine(t *testing.T) {
	const module, file, line = "github.com/zishang520/socket.io/clients/socket/v3", "manager.go", 322
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}} {{.Dir}}", module).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", module, err)
	}
	version, dir, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if version != "v3.0.6" {
		t.Errorf("%s is %s; isConnectTimeout's doc comment names v3.0.6: check the line it names and update both", module, version)
	}
	src, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	if len(lines) < line || !strings.Contains(lines[line-1], `errors.New("timeout")`) {
		t.Fatalf("%s line %d of %s %s does not make the error isConnectTimeout matches", file, line, module, version)
	}

	if !isConnectTimeout(errors.New("timeout")) {
		t.Error(`isConnectTimeout(errors.New("timeout")) = false`)
	}
	for _, err := range []error{nil, errors.New("timeout exceeded"), fmt.Errorf("dial: %w", errors.New("timeout"))} {
		if isConnectTimeout(err) {
			t.Errorf("isConnectTimeout(%v) = true, want false", err)
		}
	}
}
