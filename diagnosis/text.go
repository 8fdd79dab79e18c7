package diagnosis

import (
	"encoding/base64"
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
// a server put in it: every form of secret (see Redact) becomes
// [redacted]; every character that could disguise the text (control,
// bidi-control, line and paragraph separators, anything not printable) is
// escaped, as \u202e and the like; and what is shown is cut at MaxText
// characters, saying how many of the string's were cut. The page, the
// report and the native command all keep strings through it.
func Clean(s, secret string) string {
	return escape(Redact(s, secret), MaxText)
}

// Redact replaces every form of secret in s with [redacted]: the access
// token as sent, as a server written in Go, JavaScript or another language
// would echo it inside JSON, a URL (also percent-encoded twice) or HTML,
// or in base64 (standard and URL alphabets, with and without padding),
// also of the header "Bearer <token>"; for a JWT, each of its three parts;
// and any run of at least MinSecretRun characters of the token as it is
// (its first half, its last 12 characters), so that an echo of part of it
// is no use. Redact before quoting or escaping s in any other way, which
// would hide the forms it knows.
func Redact(s, secret string) string {
	for _, form := range secretForms(secret) {
		s = strings.ReplaceAll(s, form, redacted)
	}
	return redactRuns(s, secret)
}

// MinSecretRun is the shortest run of a token's characters that Redact
// replaces wherever it stands: 12 characters of a token (base64 or hex,
// mostly) are not an ordinary word, and fewer than 12 of a long token give
// away too little to matter.
const MinSecretRun = 12

// redactRuns replaces each run of at least MinSecretRun bytes of s that
// stands in secret, each as long as it goes. Each MinSecretRun-byte piece
// of secret is indexed at its first place, so the cost stays linear in s
// whatever the token.
func redactRuns(s, secret string) string {
	if len(secret) < MinSecretRun || len(s) < MinSecretRun {
		return s
	}
	at := make(map[string]int, len(secret)-MinSecretRun+1)
	for i := len(secret) - MinSecretRun; i >= 0; i-- {
		at[secret[i:i+MinSecretRun]] = i
	}
	var b strings.Builder
	last := 0
	for i := 0; i+MinSecretRun <= len(s); {
		j, ok := at[s[i:i+MinSecretRun]]
		if !ok {
			i++
			continue
		}
		end := i + MinSecretRun
		for k := j + MinSecretRun; end < len(s) && k < len(secret) && s[end] == secret[k]; end, k = end+1, k+1 {
		}
		b.WriteString(s[last:i])
		b.WriteString(redacted)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// secretForms lists the forms of secret that Redact replaces: the whole
// token's first, then a JWT's parts, so that the whole is replaced before a
// part of it.
func secretForms(secret string) []string {
	if secret == "" {
		return nil
	}
	forms := []string{secret}
	// JSON as Go writes it (<, > and & as \u003c…) and as JavaScript and
	// most others do, each also with "/" as "\/".
	if j, err := json.Marshal(secret); err == nil {
		quoted := string(j[1 : len(j)-1])
		plain := jsJSON.Replace(quoted)
		forms = append(forms, quoted, strings.ReplaceAll(quoted, "/", `\/`), plain, strings.ReplaceAll(plain, "/", `\/`))
	}
	forms = append(forms, url.QueryEscape(url.QueryEscape(secret)), url.PathEscape(url.PathEscape(secret)),
		uriComponent(uriComponent(secret)), url.QueryEscape(secret), url.PathEscape(secret), uriComponent(secret))
	for _, plain := range []string{"Bearer " + secret, secret} {
		// Padded before unpadded, which is its beginning.
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(plain)))
		}
	}
	for _, h := range htmlEscapers {
		forms = append(forms, h.Replace(secret))
	}
	if parts := strings.Split(secret, "."); len(parts) == 3 {
		for _, p := range parts {
			if len(p) >= 8 {
				forms = append(forms, p)
			}
		}
	}
	out := forms[:0]
	for _, f := range forms {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// jsJSON turns a string escaped by Go's encoding/json into what
// JavaScript's JSON.stringify and most other encoders write: <, >, &,
// U+2028 and U+2029 as they are.
var jsJSON = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\u2028`, "\u2028", `\u2029`, "\u2029")

// uriComponent escapes as JavaScript's encodeURIComponent: every byte but
// letters, digits and -_.!~*'() as %XX.
func uriComponent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(rune(c)) || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]))
	}
	return b.String()
}

// htmlEscapers escape as HTML writers do: Go's html.EscapeString (&#34;,
// &#39;) and the named and hexadecimal forms others use (&quot;, &#x27;,
// &apos;). The html package is not imported: its entity table would
// weigh on the page's WebAssembly (see the README's size notes).
var htmlEscapers = []*strings.Replacer{
	strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;"),
	strings.NewReplacer(`&`, "&amp;", `'`, "&#x27;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;"),
	strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;"),
	strings.NewReplacer(`&`, "&amp;", `'`, "&apos;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;"),
}

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
