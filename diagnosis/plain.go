package diagnosis

import (
	"strings"
	"unicode"
)

// Unrepeated returns texts, each without the sentences already said: by
// the title, or by a text before it, as a whole, as a sentence or as a
// clause (the table's rows repeat the title, and the docs' "cause:
// solution" lines the resolution). A text left with nothing new is "":
// the page then leaves its row out.
func Unrepeated(title string, texts []string) []string {
	said := map[string]bool{}
	say := func(s string) {
		said[sameText(s)] = true
		for _, c := range clauses(s) {
			said[c] = true
		}
	}
	say(title)
	out := make([]string, len(texts))
	for i, t := range texts {
		if said[sameText(t)] {
			continue
		}
		var kept []string
		for _, s := range sentences(t) {
			// "Connection timeout: network issues." after the reason
			// "Connection timeout" says only "Network issues."
			if head, rest, ok := strings.Cut(s, ": "); ok && said[sameText(head)] && sameText(rest) != "" {
				s = upperFirst(rest)
			}
			if k := sameText(s); k != "" && !said[k] {
				kept = append(kept, s)
			}
		}
		out[i] = strings.Join(kept, " ")
		say(t)
	}
	return out
}

// sameText is s as compared for repeats: its letters and digits, in lower
// case ("customerid" repeats "customer ID").
func sameText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// Sentence makes a clause, such as a Reachability's Text or HoldText, a
// sentence to show: its first letter in upper case and a full stop.
func Sentence(clause string) string {
	return upperFirst(clause) + "."
}

func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// sentences splits s after each full stop that a space follows (not the
// dots of "socket.io" or "rms.lsports.eu").
func sentences(s string) []string {
	var out []string
	for {
		i := strings.Index(s, ". ")
		if i < 0 {
			break
		}
		out = append(out, s[:i+1])
		s = strings.TrimLeft(s[i+2:], " ")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// clauseEnds marks where s splits into clauses: a full stop, a colon or a
// semicolon before a space.
var clauseEnds = strings.NewReplacer(". ", "\n", ": ", "\n", "; ", "\n")

// clauses splits s at sentence ends, colons and semicolons.
func clauses(s string) []string {
	var out []string
	for _, c := range strings.Split(clauseEnds.Replace(s), "\n") {
		if c = sameText(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}
