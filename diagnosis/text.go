package diagnosis

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxText is how many characters of one kept string (a message, a step
// detail) a check keeps: a server's refusal can be a megabyte long.
const MaxText = 500

// redacted replaces the access token wherever a server echoes it.
const redacted = "[redacted]"

// Clean makes a string the check keeps safe to keep, show and log, whatever
// a server put in it: every form of secret (the access token as sent, and
// as JSON, URL or HTML would echo it) becomes [redacted]; every character
// that could disguise the text (control, bidi-control, line and paragraph
// separators, anything not printable) is escaped, as \u202e and the like;
// and what is shown is cut at MaxText characters, saying how many of the
// string's were cut. The page, the report and the native command all keep
// strings through it.
func Clean(s, secret string) string {
	for _, form := range secretForms(secret) {
		s = strings.ReplaceAll(s, form, redacted)
	}
	return escape(s, MaxText)
}

// secretForms lists how a server may echo secret: verbatim, and escaped as
// JSON (with and without "\/"), a URL or HTML would escape it.
func secretForms(secret string) []string {
	if secret == "" {
		return nil
	}
	forms := []string{secret}
	if j, err := json.Marshal(secret); err == nil {
		quoted := string(j[1 : len(j)-1])
		forms = append(forms, quoted, strings.ReplaceAll(quoted, "/", `\/`))
	}
	forms = append(forms, url.QueryEscape(secret), url.PathEscape(secret), htmlEscaper.Replace(secret))
	out := forms[:0]
	for _, f := range forms {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// htmlEscaper escapes as html.EscapeString does. The html package is not
// imported: its entity table alone added about 21 KB (brotli 11) to the page's
// WebAssembly.
var htmlEscaper = strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;")

// escape keeps a string on one visible line and shows it as it is: a
// printable character stays, anything else (control characters, U+202E
// and the other bidi controls, U+2028, U+2029, U+0085, zero-width and
// unassigned characters) becomes a Go escape such as \n or \u202e, and a
// byte that is not UTF-8 becomes \xNN. With limit >= 0, at most limit
// characters are shown (an escape counts as its length), then how many
// characters of s were cut. Escaping twice changes nothing.
func escape(s string, limit int) string {
	var b strings.Builder
	shown := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		piece := s[i : i+size]
		switch {
		case r == utf8.RuneError && size == 1:
			piece = fmt.Sprintf(`\x%02x`, s[i])
		case !strconv.IsPrint(r):
			q := strconv.QuoteRune(r)
			piece = q[1 : len(q)-1]
		}
		n := utf8.RuneCountInString(piece)
		if limit >= 0 && shown+n > limit {
			fmt.Fprintf(&b, "… [%d more characters cut]", utf8.RuneCountInString(s[i:]))
			break
		}
		b.WriteString(piece)
		shown += n
		i += size
	}
	return b.String()
}
