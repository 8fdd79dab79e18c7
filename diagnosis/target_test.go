package diagnosis_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
)

func TestParseTargetAccepts(t *testing.T) {
	tests := []struct {
		in           string
		origin, path string
	}{
		{"https://rms.lsports.eu", "https://rms.lsports.eu", diagnosis.DefaultPath},
		{"https://rms.lsports.eu/", "https://rms.lsports.eu", diagnosis.DefaultPath},
		{"https://rms.lsports.cloud/rms-socket/socket.io/", "https://rms.lsports.cloud", "/rms-socket/socket.io"},
		{"http://127.0.0.1:9090/custom", "http://127.0.0.1:9090", "/custom"},
		{"HTTPS://RMS.LSports.EU/Rms-Socket", "https://rms.lsports.eu", "/Rms-Socket"},
		{"https://rms.lsports.eu:443/x", "https://rms.lsports.eu", "/x"},
		{"http://rms.lsports.eu:80", "http://rms.lsports.eu", diagnosis.DefaultPath},
		{"http://rms.lsports.eu:443", "http://rms.lsports.eu:443", diagnosis.DefaultPath},
		{"https://a.example:08443", "https://a.example:8443", diagnosis.DefaultPath},
		{"http://localhost:1", "http://localhost:1", diagnosis.DefaultPath},
		{"http://192.0.2.1:65535/s", "http://192.0.2.1:65535", "/s"},
		{"https://xn--bcher-kva.example/a-b.c_d~e/f", "https://xn--bcher-kva.example", "/a-b.c_d~e/f"},
		{"https://mail.0xbox", "https://mail.0xbox", diagnosis.DefaultPath},
		{"https://a-b.c1/..x", "https://a-b.c1", "/..x"},
	}
	for _, tt := range tests {
		got, err := diagnosis.ParseTarget(tt.in)
		want := diagnosis.Target{Origin: tt.origin, Path: tt.path}
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", tt.in, got, err, want)
		}
	}
}

// TestParseTargetRefuses feeds malformed and hostile targets: each is
// refused, and the error names the part at fault.
func TestParseTargetRefuses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://a.example;script-src", `host "a.example;script-src": ';' is not allowed`},
		{"https://a.example; script-src 'unsafe-inline'", `host "a.example; script-src 'unsafe-inline'": ';' is not allowed`},
		{"https://a.example,https://b.example", `host "a.example,https": ',' is not allowed`},
		{"https://a.example/x;y", `path "/x;y": ';' is not allowed`},
		{"https://a.example/x,y", `path "/x,y": ',' is not allowed`},
		{"https://a.example/x y", `path "/x y": ' ' is not allowed`},
		{`https://a.example/"x`, `path "/\"x": '"' is not allowed`},
		{"https://a.example/x'", `path "/x'": '\'' is not allowed`},
		{"https://a.example/%3B", `path "/%3B": '%' is not allowed`},
		{"https://a.example/</script>", `path "/</script>": '<' is not allowed`},
		{"https://a.example/a/../b", `path "/a/../b": an empty, '.' or '..' segment`},
		{"https://a.example//b", `path "//b": an empty, '.' or '..' segment`},
		{"https://a.example/./b", `path "/./b": an empty, '.' or '..' segment`},
		{"https://a.example/\u202ex", `path "/\u202ex": '\u202e' is not allowed`},
		{"https://a b.example", `host "a b.example": ' ' is not allowed`},
		{"https://a\"b", `host "a\"b": '"' is not allowed`},
		{"https://a'b", `host "a'b": '\'' is not allowed`},
		{"https://*.example", `host "*.example": '*' is not allowed`},
		{"https://a.example\\@evil.example", "user info"},
		{"https://a\tb.example", `host "a\tb.example": '\t' is not allowed`},
		{"https://a.example\n", `host "a.example\n": '\n' is not allowed`},
		{"https://bücher.example", `host "bücher.example": 'ü' is not allowed`},
		{"https://a..example", "an empty label"},
		{"https://a.example.", "an empty label"},
		{"https://-a.example", `label "-a" starts or ends with '-'`},
		{"https://" + strings.Repeat("a", 64) + ".example", "longer than 63"},
		{"https://" + strings.Repeat("a.", 127) + "example", "longer than 253"},
		{"https://1.2.3", `host "1.2.3": not an IPv4 address`},
		{"https://256.1.1.1", `host "256.1.1.1": not an IPv4 address`},
		{"https://01.2.3.4", `host "01.2.3.4": not an IPv4 address`},
		{"https://a.0x7f", `host "a.0x7f": not an IPv4 address`},
		{"http://[::1]:9090/s", `host "[::1]:9090": an IPv6 address cannot be allowed by the page's Content-Security-Policy`},
		{"https://[2001:db8::1]", `host "[2001:db8::1]": an IPv6 address`},
		{"https://::1", `host "::1": an IPv6 address`},
		{"https://[::1", "an IPv6 address"},
		{"https://a.example:0", `port "0": want a number from 1 to 65535`},
		{"https://a.example:65536", `port "65536"`},
		{"https://a.example:", `port ""`},
		{"https://a.example:+80", `port "+80"`},
		{"https://a.example:80a", `port "80a"`},
		{"https://a.example:99999999999999999999", `port "99999999999999999999"`},
		{"https://user:secret@a.example", "user info (user:password@) is not allowed"},
		{"https://@a.example", "user info"},
		{"https://a.example?x=1", `a query ("?x=1") is not allowed`},
		{"https://a.example/p?", `a query ("?") is not allowed`},
		{"https://a.example/p#top", `a fragment ("#top") is not allowed`},
		{"https://a.example#", `a fragment ("#") is not allowed`},
		{"wss://rms.lsports.eu", `scheme "wss": want http or https`},
		{"javascript://alert(1)", `scheme "javascript"`},
		{"ftp://example", `scheme "ftp"`},
		{"rms.lsports.eu", "want an http(s) URL such as https://rms.lsports.eu/rms-socket/socket.io"},
		{"https:rms.lsports.eu", "want an http(s) URL"},
		{"", "want an http(s) URL"},
		{"https://", "no host"},
		{"https:///x", "no host"},
		{"https://:443", "no host"},
		{" https://a.example", `scheme " https"`},
	}
	for _, tt := range tests {
		got, err := diagnosis.ParseTarget(tt.in)
		if err == nil {
			t.Errorf("ParseTarget(%q) = %+v, want an error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "target ") {
			t.Errorf("ParseTarget(%q): error %q, want one naming %q", tt.in, err, tt.want)
		}
	}
}

// FuzzParseTarget: whatever is accepted is canonical, safe to write into a
// CSP or the page's config, and read the same way by net/url.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{
		"https://rms.lsports.eu", "http://127.0.0.1:9090/custom/", "http://[::1]:1/a", "http://1.2.3.4:0080",
		"https://a.example;script-src", "https://u:p@a/", "https://a/%2e%2e/", "http://0x7f.1",
		"https://a.example\\@b/", "HTTP://A:0080/~x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tgt, err := diagnosis.ParseTarget(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "target ") {
				t.Errorf("ParseTarget(%q): error %q does not say it is about the target", s, err)
			}
			return
		}
		if again, err := diagnosis.ParseTarget(tgt.String()); err != nil || again != tgt {
			t.Errorf("ParseTarget(%q) = %+v, but that reparses as %+v, %v", s, tgt, again, err)
		}
		for _, c := range tgt.Origin {
			if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789-.:/", c) {
				t.Errorf("ParseTarget(%q): origin %q has %q", s, tgt.Origin, c)
			}
		}
		for _, c := range tgt.Path {
			if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/", c) {
				t.Errorf("ParseTarget(%q): path %q has %q", s, tgt.Path, c)
			}
		}
		// net/url reads the input and the result as ParseTarget does.
		for _, raw := range []string{s, tgt.String()} {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("ParseTarget accepts %q, net/url does not: %v", raw, err)
			}
			scheme, host, _ := strings.Cut(tgt.Origin, "://")
			if u.Scheme != scheme || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
				t.Errorf("%q: net/url reads %#v, ParseTarget %+v", raw, u, tgt)
			}
			if h, _, _ := strings.Cut(host, ":"); strings.ToLower(u.Hostname()) != h {
				t.Errorf("%q: net/url reads host %q, ParseTarget origin %q", raw, u.Hostname(), tgt.Origin)
			}
			if p := strings.TrimSuffix(u.Path, "/"); p != "" && p != tgt.Path {
				t.Errorf("%q: net/url reads path %q, ParseTarget %q", raw, u.Path, tgt.Path)
			}
		}
	})
}

func TestParseOrigin(t *testing.T) {
	good := map[string]string{
		"https://portal.example.com":      "https://portal.example.com",
		"https://Portal.Example.com/":     "https://portal.example.com",
		"https://portal.example.com:443":  "https://portal.example.com",
		"http://127.0.0.1:8081":           "http://127.0.0.1:8081",
		"HTTP://support.lsports.eu:8443/": "http://support.lsports.eu:8443",
	}
	for in, want := range good {
		if got, err := diagnosis.ParseOrigin(in); err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"https://portal.example.com/tickets":  "a path",
		"*":                                   "want an http(s) URL",
		"https://*.example.com":               "not allowed in a host name",
		"https://portal.example.com?x=1":      "a query",
		"https://u:p@portal.example.com":      "user info",
		"ftp://portal.example.com":            "scheme",
		"'none'":                              "want an http(s) URL",
		"https://a.example https://b.example": "not allowed",
	}
	for in, want := range bad {
		_, err := diagnosis.ParseOrigin(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "origin ") {
			t.Errorf("ParseOrigin(%q) = %v; want an error about %s", in, err, want)
		}
	}
}

func TestWebSocketOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:9090/x":   "ws://127.0.0.1:9090",
		"https://rms.lsports.eu":    "wss://rms.lsports.eu",
		"HTTPS://Host.Example:8443": "wss://host.example:8443",
	} {
		tg, err := diagnosis.ParseTarget(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := tg.WebSocketOrigin(); got != want {
			t.Errorf("%s: WebSocketOrigin() = %q, want %q", in, got, want)
		}
	}
}

func TestParseSupportURL(t *testing.T) {
	for _, ok := range []string{"https://support.lsports.eu/defend", "http://127.0.0.1:8080/help?topic=rms"} {
		if got, err := diagnosis.ParseSupportURL(ok); err != nil || got != ok {
			t.Errorf("%s: %q, %v", ok, got, err)
		}
	}
	for _, bad := range []string{"", "support.lsports.eu", "javascript:alert(1)", "https://user:pw@x.example/", "https://x.example/#f",
		"https://x.example/a b", `https://x.example/"onclick`, "ftp://x.example/", "https:///path"} {
		if _, err := diagnosis.ParseSupportURL(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
