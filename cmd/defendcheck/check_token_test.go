package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
)

// recorder serves the simulator and records the Authorization header of
// every polling request.
type recorder struct {
	sim *rmssim.Simulator
	mu  sync.Mutex
	got []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Query().Get("transport") == "polling" {
		r.mu.Lock()
		r.got = append(r.got, req.Header.Get("Authorization"))
		r.mu.Unlock()
	}
	r.sim.ServeHTTP(w, req)
}

// authorizations lists the headers recorded since the last call.
func (r *recorder) authorizations() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// TestCheckSendsTheTokenAndNeverPrintsIt: the token from the environment,
// or from -token-file, which wins, goes as a Bearer header on every
// polling request and nowhere into the output, report or JSON.
func TestCheckSendsTheTokenAndNeverPrintsIt(t *testing.T) {
	const envToken, fileToken = "eyJhbGciOi.from-the-environment.sig", "eyJhbGciOi.from-the-file.sig"
	rec := &recorder{sim: rmssim.New(rmssim.Options{EventInterval: scenario.EventInterval})}
	srv := httptest.NewServer(rec)
	t.Cleanup(func() {
		_ = rec.sim.Close()
		srv.Close()
	})
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(fileToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := testChecker(map[string]string{tokenEnv: envToken})
	for _, tt := range []struct {
		name  string
		args  []string
		token string
	}{
		{"environment", nil, envToken},
		{"environment, JSON", []string{"-json"}, envToken},
		{"-token-file over the environment", []string{"-token-file", file}, fileToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := c.try(t, context.Background(), append([]string{"-target", srv.URL, "-customer-id", "12345"}, tt.args...)...)
			if out.code != 0 {
				t.Fatalf("want exit status 0\n%s", out)
			}
			got := rec.authorizations()
			if len(got) == 0 {
				t.Fatal("no polling request reached the server")
			}
			if slices.ContainsFunc(got, func(a string) bool { return a != "Bearer "+tt.token }) {
				t.Errorf("the polling requests had Authorization %q, want each the Bearer token from the %s", got, tt.name)
			}
			for _, tok := range []string{envToken, fileToken, "from-the-"} {
				if strings.Contains(out.stdout+out.stderr, tok) {
					t.Errorf("the output holds the token %q\n%s", tok, out)
				}
			}
			if slices.Contains(tt.args, "-json") {
				if res := result(t, out); !res.TokenSent() || res.Kind != diagnosis.KindOK {
					t.Errorf("tokenSent %v kind %s, want true ok", res.TokenSent(), res.Kind)
				}
				return
			}
			for _, want := range []string{"LSports DEFEND RMS-Socket connection check\n", "\nVerdict:       OK: ", "\nAccess token:  sent (not shown): not a JWT, so not read\n", "\nChecked from:  " + browser + "\n"} {
				if !strings.Contains(out.stdout, want) {
					t.Errorf("the report lacks %q:\n%s", want, out.stdout)
				}
			}
		})
	}
}

// TestCheckRefusesBadCommandLines: each bad command line ends with exit
// status 3 and a message on stderr, before anything connects, and never
// echoes a token.
func TestCheckRefusesBadCommandLines(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	dir := t.TempDir()
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	empty, newline, twoLines := file("empty", ""), file("newline", "\n"), file("two-lines", "eyJ.first-line\neyJ.second-line\n")
	huge := file("huge", strings.Repeat("x", maxTokenBytes+1))
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	ok := []string{"check", "-target", srv.URL, "-customer-id", "12345"}
	with := func(args ...string) []string { return append(slices.Clone(ok), args...) }
	for _, tt := range []struct {
		name  string
		args  []string
		env   map[string]string
		want  []string
		never string
	}{
		{"no -target", []string{"check", "-customer-id", "12345"}, nil,
			[]string{"-target is required", "-target https://rms.lsports.eu/rms-socket/socket.io\n", "-target https://rms.lsports.cloud/rms-socket/socket.io\n", "-sim"}, ""},
		{"no -customer-id", []string{"check", "-target", srv.URL}, nil, []string{"-customer-id is required"}, ""},
		{"blank -customer-id", []string{"check", "-target", srv.URL, "-customer-id", " "}, nil, []string{"-customer-id is required"}, ""},
		{"stray argument", with("eyJ.stray"), nil, []string{"check takes flags only; 1 argument(s) follow them"}, "eyJ.stray"},
		{"flags after a stray argument", []string{"check", "-target", srv.URL, "stray", "-customer-id", "12345"}, nil, []string{"check takes flags only; 3 argument(s)"}, "stray"},
		{"unknown command", []string{"chek", "-target", srv.URL}, nil, []string{`defendcheck: unknown command "chek"`, "defendcheck check -target URL"}, ""},
		{"-token as a flag", with("-token", "eyJ.s3cret"), nil, []string{"flag provided but not defined: -token", tokenEnv}, "eyJ.s3cret"},
		{"-token=value", with("-token=eyJ.s3cret"), nil, []string{"flag provided but not defined: -token"}, "eyJ.s3cret"},
		{"missing token file", with("-token-file", filepath.Join(dir, "absent")), nil, []string{"-token-file: open " + filepath.Join(dir, "absent") + ": no such file or directory"}, ""},
		{"token file a directory", with("-token-file", dir), nil, []string{"-token-file " + dir + ": not a regular file (a directory, a pipe or a device), so not read"}, ""},
		{"token file a FIFO nobody writes to", with("-token-file", fifo), nil, []string{"-token-file " + fifo + ": not a regular file (a directory, a pipe or a device), so not read"}, ""},
		{"token file a device", with("-token-file", os.DevNull), nil, []string{"-token-file " + os.DevNull + ": not a regular file (a directory, a pipe or a device), so not read"}, ""},
		{"empty token file", with("-token-file", empty), nil, []string{"-token-file " + empty + " is empty"}, ""},
		{"token file of a newline", with("-token-file", newline), nil, []string{"-token-file " + newline + " is empty"}, ""},
		{"token file too long", with("-token-file", huge), nil, []string{"-token-file " + huge + ": longer than 65536 bytes, so not a token"}, "xxx"},
		{"token file of two lines", with("-token-file", twoLines), nil, []string{"-token-file " + twoLines + ": the access token has a space, line break or character outside ASCII at byte 15"}, "first-line"},
		{"token with a space", ok, map[string]string{tokenEnv: "eyJ.s3cret eyJ"}, []string{tokenEnv + ": the access token has a space, line break or character outside ASCII at byte 11"}, "s3cret"},
		{"-sim and -target", with("-sim"), nil, []string{"-sim and -target exclude each other"}, ""},
		{"two targets", with("-target", srv.URL), nil, []string{"2 -target flags: a check has one"}, ""},
		{"bad target", []string{"check", "-target", "ftp://rms.lsports.eu", "-customer-id", "12345"}, nil, []string{`scheme "ftp": want http or https`}, ""},
		{"-hold over 15m", with("-hold", "16m"), nil, []string{"-hold 16m0s: want 0 to 15m0s"}, ""},
		{"negative -hold", with("-hold", "-1s"), nil, []string{"-hold -1s: want 0 to 15m0s"}, ""},
		{"negative -timeout", with("-timeout", "-1s"), nil, []string{"-timeout -1s: want a positive duration"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			defer func() { t.Logf("ended in %s", time.Since(start)) }()
			var stdout, stderr logbuf.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr, func(k string) string { return tt.env[k] })
			out := outcome{code, stdout.String(), stderr.String()}
			if code != 3 || out.stdout != "" {
				t.Errorf("want exit status 3 and nothing on stdout\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.stderr, w) {
					t.Errorf("stderr lacks %q\n%s", w, out)
				}
			}
			if tt.never != "" && strings.Contains(out.stderr, tt.never) {
				t.Errorf("stderr echoes %q\n%s", tt.never, out)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the target from bad command lines", n)
	}
}
