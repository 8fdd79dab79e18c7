package diagnosis

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// TokenFormat is what the access token looked like.
type TokenFormat string

// The token formats: a JWT whose header and payload this checker read, or
// anything else, which it only sends.
const (
	TokenJWT    TokenFormat = "jwt"
	TokenOpaque TokenFormat = "opaque"
)

// Token is what the checker read from the access token, never the token
// itself: its format and, for a JWT, its exp and iat claims. Times are
// RFC 3339 UTC, nil when the token has no such claim; Expired and
// SecondsLeft are judged by the server's clock when it is known (see
// Clock), and SecondsLeft is negative once the token has expired.
type Token struct {
	Format      TokenFormat `json:"format"`
	ExpiresAt   *string     `json:"expiresAt"`
	IssuedAt    *string     `json:"issuedAt"`
	Expired     bool        `json:"expired"`
	SecondsLeft *int64      `json:"secondsLeft"`
}

// maxTokenLen bounds what ReadToken decodes: the ARENA360 tokens are well
// under 2 KB, and a pasted megabyte is not a token.
const maxTokenLen = 16 << 10

// CheckToken says why an access token cannot be sent as it is, or returns
// nil: an Authorization header carries visible ASCII only (a browser
// refuses anything else before sending, and token services issue nothing
// else), and a token is at most 16 KiB. A space, a line break, a control
// character or a letter outside ASCII comes from pasting, not from the
// token service. The error names the byte's position, never the token.
func CheckToken(token string) error {
	if len(token) > maxTokenLen {
		return fmt.Errorf("the access token is longer than %d characters, so it is not a token", maxTokenLen)
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("the access token has a space, line break or character outside ASCII at byte %d, which cannot be sent in a header: paste the token alone, as it was issued", i+1)
		}
	}
	return nil
}

// ReadToken reads an access token locally, at now (server time): a JWT's
// header must be a JSON object with "alg", and its payload a JSON object;
// exp and iat count when they are numbers of seconds between 1970 and
// 9999. Anything else, including a malformed JWT, is opaque. It returns
// nil for no token. The token is not kept, and nothing it contains but
// those two times is.
func ReadToken(token string, now time.Time) *Token {
	if token == "" {
		return nil
	}
	t := &Token{Format: TokenOpaque}
	claims, ok := jwtClaims(token)
	if !ok {
		return t
	}
	t.Format = TokenJWT
	if iat, ok := claimTime(claims["iat"]); ok {
		t.IssuedAt = ptrTo(iat.UTC().Format(time.RFC3339))
	}
	if exp, ok := claimTime(claims["exp"]); ok {
		t.ExpiresAt = ptrTo(exp.UTC().Format(time.RFC3339))
		left := int64(math.Floor(exp.Sub(now).Seconds()))
		t.SecondsLeft = &left
		t.Expired = !now.Before(exp)
	}
	return t
}

// jwtClaims decodes a compact JWT's header and payload (RFC 7519). The
// signature is not checked: only the service can, and only the claims'
// times are used, to explain a refusal.
func jwtClaims(token string) (map[string]json.RawMessage, bool) {
	if len(token) > maxTokenLen || strings.Count(token, ".") != 2 {
		return nil, false
	}
	parts := strings.Split(token, ".")
	var header map[string]json.RawMessage
	if !decodePart(parts[0], &header) || header["alg"] == nil {
		return nil, false
	}
	var claims map[string]json.RawMessage
	if !decodePart(parts[1], &claims) || claims == nil {
		return nil, false
	}
	return claims, true
}

// decodePart decodes one base64url part (padding allowed) into v.
func decodePart(part string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(part, "="))
	return err == nil && json.Unmarshal(b, v) == nil
}

// claimTime reads a NumericDate claim: seconds since 1970, a JSON number,
// between 1970 and the end of 9999 (a time RFC 3339 can print).
func claimTime(raw json.RawMessage) (time.Time, bool) {
	var secs float64
	if raw == nil || json.Unmarshal(raw, &secs) != nil || secs < 0 || secs >= 253402300800 {
		return time.Time{}, false
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)), true
}

func ptrTo[T any](v T) *T { return &v }
