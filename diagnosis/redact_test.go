package diagnosis_test

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
)

// TestRedactReEncodings: the re-encodings of a token a server or proxy may
// echo are each redacted, and nothing of the token stays.
func TestRedactReEncodings(t *testing.T) {
	const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg+/=="
	bearer := []byte("Bearer " + token)
	cases := map[string]string{
		"base64 of Bearer, std":              base64.StdEncoding.EncodeToString(bearer),
		"base64 of Bearer, URL":              base64.URLEncoding.EncodeToString(bearer),
		"base64 of Bearer, std, unpadded":    base64.RawStdEncoding.EncodeToString(bearer),
		"base64 of Bearer, URL, unpadded":    base64.RawURLEncoding.EncodeToString(bearer),
		"base64 of the token, URL, padded":   base64.URLEncoding.EncodeToString([]byte(token)),
		"base64 of the token, std, unpadded": base64.RawStdEncoding.EncodeToString([]byte(token)),
		"query-escaped twice":                url.QueryEscape(url.QueryEscape(token)),
		"path-escaped twice":                 url.PathEscape(url.PathEscape(token)),
		"its first half":                     token[:len(token)/2],
		"its last 12 characters":             token[len(token)-12:],
		"a run of 12 inside it":              token[30:42],
	}
	for name, echo := range cases {
		got := diagnosis.Redact("the server said: <"+echo+"> and stopped", token)
		// A JWT's part is redacted on its own: the first half is two.
		if !redactedOnly.MatchString(got) {
			t.Errorf("%s: %q", name, got)
		}
	}
}

var redactedOnly = regexp.MustCompile(`^the server said: <(\[redacted\])+> and stopped$`)

// TestRedactKeepsOrdinaryWords: fewer than diagnosis.MinSecretRun
// characters of the token, or words it shares with the text, stay.
func TestRedactKeepsOrdinaryWords(t *testing.T) {
	const token = "access-token-is-invalid-0123456789abcdef"
	for _, s := range []string{
		"the access token is invalid",
		"access-toke: missing", // 11 characters of the token
		"token-is-in",          // 11 characters of the token: one short
		"0123456789a",
	} {
		if got := diagnosis.Redact(s, token); got != s {
			t.Errorf("Redact(%q) = %q, want it unchanged", s, got)
		}
	}
	if got := diagnosis.Redact("x access-token-i y", token); got != "x [redacted] y" {
		t.Errorf("a run of %d characters: %q", diagnosis.MinSecretRun, got)
	}
}
