package diagnosis

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// DefaultPath is RMS-Socket's Socket.IO path, given to a target URL that
// names none.
const DefaultPath = "/rms-socket/socket.io"

// ParseTarget is the one parser of a Socket.IO endpoint URL such as
// https://rms.lsports.eu/rms-socket/socket.io, for the command's -target,
// the server's configuration and so the page's: http or https, a host name
// or IPv4 address, an optional port 1-65535 and a path of letters, digits,
// "-", ".", "_", "~" and "/" (DefaultPath when none). It refuses user
// info, a query, a fragment and every other character, so that a target
// can be written into a CSP, a URL or the page's config as it is. The
// error names the part at fault.
//
// It refuses IPv6 literals too: a CSP source cannot name one (CSP3's
// host-part grammar: Chromium blocks a fetch of http://[::1]:9090 under
// connect-src http://[::1]:9090), so the page could never connect.
//
// The Target is canonical: scheme and host in lower case, no default port,
// no trailing slash, so that ParseTarget(t.String()) == t.
func ParseTarget(s string) (Target, error) {
	return parseURL("target", s)
}

// ParseOrigin reads an origin such as https://portal.example.com, as a
// browser's location.origin has it, for the origins allowed to embed the
// page: the parts and rules of ParseTarget, without a path (a trailing "/"
// is allowed). It returns the origin in canonical form.
func ParseOrigin(s string) (string, error) {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 && rest[i:] != "/" {
			return "", fmt.Errorf("origin %q: a path (%q) is not allowed: an origin is scheme://host[:port]", s, rest[i:])
		}
	}
	t, err := parseURL("origin", strings.TrimSuffix(s, "/"))
	return t.Origin, err
}

// parseURL parses s for ParseTarget; what names it in errors.
func parseURL(what, s string) (Target, error) {
	fail := func(format string, args ...any) (Target, error) {
		return Target{}, fmt.Errorf(what+" %q: "+format, append([]any{s}, args...)...)
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return fail("want an http(s) URL such as https://rms.lsports.eu%s", DefaultPath)
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return fail("scheme %q: want http or https", scheme)
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		part := "a query"
		if rest[i] == '#' {
			part = "a fragment"
		}
		return fail("%s (%q) is not allowed", part, rest[i:])
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if strings.Contains(authority, "@") {
		return fail("user info (user:password@) is not allowed")
	}
	host, port, err := parseAuthority(authority)
	if err != nil {
		return fail("%v", err)
	}
	if port != "" && port != defaultPort(scheme) {
		host += ":" + port
	}
	path, err = parsePath(path)
	if err != nil {
		return fail("%v", err)
	}
	return Target{Origin: scheme + "://" + host, Path: path}, nil
}

// parseAuthority splits host[:port] and returns the host in canonical form
// and the port in decimal, or "" when there is none.
func parseAuthority(a string) (host, port string, err error) {
	if a == "" {
		return "", "", fmt.Errorf("no host")
	}
	if strings.HasPrefix(a, "[") || strings.Count(a, ":") > 1 {
		return "", "", fmt.Errorf("host %q: an IPv6 address cannot be allowed by the page's Content-Security-Policy "+
			"(a CSP source cannot name one); use a host name that resolves to it", a)
	}
	name, rawPort, hasPort := strings.Cut(a, ":")
	if host, err = parseHostName(name); err != nil {
		return "", "", err
	}
	if !hasPort {
		return host, "", nil
	}
	n, err := strconv.Atoi(rawPort)
	if !decimal(rawPort) || err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("port %q: want a number from 1 to 65535", rawPort)
	}
	return host, strconv.Itoa(n), nil
}

// parseHostName checks a DNS name (RFC 1123 labels: letters, digits and
// inner hyphens, 63 bytes at most, 253 in all) or an IPv4 address, and
// returns it in lower case. A name whose last label is a number is read by
// browsers as an IPv4 address, so it must be one, in dotted decimal.
func parseHostName(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("no host")
	}
	for _, r := range name {
		if !isAlnum(r) && r != '-' && r != '.' {
			return "", fmt.Errorf("host %q: %q is not allowed in a host name (letters, digits, '-' and '.' only; an internationalised name in its xn-- form)", name, r)
		}
	}
	name = strings.ToLower(name)
	labels := strings.Split(name, ".")
	if isNumber(labels[len(labels)-1]) {
		ip, err := netip.ParseAddr(name)
		if err != nil || !ip.Is4() {
			return "", fmt.Errorf("host %q: not an IPv4 address such as 192.0.2.1", name)
		}
		return ip.String(), nil
	}
	if len(name) > 253 {
		return "", fmt.Errorf("host %q: longer than 253 characters", name)
	}
	for _, l := range labels {
		switch {
		case l == "":
			return "", fmt.Errorf("host %q: an empty label (a leading, trailing or doubled '.')", name)
		case len(l) > 63:
			return "", fmt.Errorf("host %q: label %q is longer than 63 characters", name, l)
		case l[0] == '-' || l[len(l)-1] == '-':
			return "", fmt.Errorf("host %q: label %q starts or ends with '-'", name, l)
		}
	}
	return name, nil
}

// parsePath returns the path without its trailing slash, or DefaultPath
// for none. Its segments are unreserved characters (RFC 3986), neither
// empty nor "." or "..", which a browser would resolve away.
func parsePath(p string) (string, error) {
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return DefaultPath, nil
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("path %q: an empty, '.' or '..' segment", p)
		}
		for _, r := range seg {
			if !isAlnum(r) && !strings.ContainsRune("-._~", r) {
				return "", fmt.Errorf("path %q: %q is not allowed (letters, digits, '-', '.', '_', '~' and '/' only)", p, r)
			}
		}
	}
	return p, nil
}

// defaultPort is the port a browser leaves out of an origin.
func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// isNumber reports whether a host's last label makes a browser read the
// host as an IPv4 address (the URL Standard's "ends in a number"): decimal
// digits, or 0x and hexadecimal digits.
func isNumber(label string) bool {
	if hex, ok := strings.CutPrefix(label, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return decimal(label)
}

// decimal reports whether s is one or more ASCII digits.
func decimal(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// Scheme is the target's scheme: http or https.
func (t Target) Scheme() string {
	scheme, _, _ := strings.Cut(t.Origin, "://")
	return scheme
}

// Host is the target's host name or address, without the port.
func (t Target) Host() string {
	_, hostPort, _ := strings.Cut(t.Origin, "://")
	host, _, _ := strings.Cut(hostPort, ":")
	return host
}

// Port is the target's port: the one its URL names, or its scheme's
// default.
func (t Target) Port() string {
	_, hostPort, _ := strings.Cut(t.Origin, "://")
	if _, port, ok := strings.Cut(hostPort, ":"); ok {
		return port
	}
	return defaultPort(t.Scheme())
}

// WebSocketScheme is the scheme of the target's WebSocket leg: ws for an
// http target, wss for https. It is the one rule for that mapping.
func (t Target) WebSocketScheme() string {
	if t.Scheme() == "https" {
		return "wss"
	}
	return "ws"
}

// WebSocketOrigin is the target's origin with its WebSocket scheme, as a
// CSP connect-src names it: http://h:p → ws://h:p, https://h → wss://h.
func (t Target) WebSocketOrigin() string {
	_, hostPort, _ := strings.Cut(t.Origin, "://")
	return t.WebSocketScheme() + "://" + hostPort
}

// ParseSupportURL reads the address that "Contact LSports support" links
// to (serve's and export's -support-url): an http or https URL with a host,
// without user info or a fragment, and with no character that would need
// escaping in a page or a report. It returns the URL as given.
func ParseSupportURL(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("support URL %q: %v", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("support URL %q: want an http or https URL", s)
	case u.Host == "" || u.User != nil || u.Fragment != "":
		return "", fmt.Errorf("support URL %q: want scheme://host/path, without user info or a fragment", s)
	case strings.ContainsAny(s, " \"'<>\\`"):
		return "", fmt.Errorf("support URL %q: spaces, quotes, < > and backslashes are not allowed", s)
	}
	return s, nil
}
