package diagnosis_test

import (
	"strings"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/pages"
)

// HAProxy 2.6's 503 page; nginx's and Squid's are in internal/pages.
const haproxy503 = "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"

func TestNameAnswer(t *testing.T) {
	for _, tc := range []struct {
		name           string
		status         int
		body, headers  string
		want           string
		proxy          bool
		who, saidStart string
	}{
		{"nginx 502", 502, pages.Nginx502, "", "nginx", false, "the gateway in front of RMS-Socket (nginx)", "HTTP 502 (Bad Gateway)"},
		{"squid denial", 403, pages.SquidDeny, "X-Squid-Error: ERR_ACCESS_DENIED 0", "Squid", true, "your network's proxy (Squid)", "HTTP 403 (Forbidden)"},
		{"squid by its header only", 503, "<html>down</html>", "X-Squid-Error: ERR_CONNECT_FAIL 111", "Squid", true, "your network's proxy (Squid)", "HTTP 503"},
		{"haproxy 503", 503, haproxy503, "", "HAProxy", false, "the gateway in front of RMS-Socket (HAProxy)", "HTTP 503"},
		{"envoy", 503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure", "", "Envoy", false, "", "HTTP 503"},
		{"aws load balancer", 502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>awselb/2.0</center></body></html>", "", "AWS Elastic Load Balancing", false, "", "HTTP 502"},
		{"cloudflare", 522, "<title>rms.example.com | 522: Connection timed out</title> ... Performance &amp; security by Cloudflare", "", "Cloudflare", false, "", "HTTP 522"},
		{"a filter's 200 block page", 0, "<html><title>Website blocked</title>Zscaler has blocked this page</html>", "", "Zscaler", true, "your network's proxy (Zscaler)", "a page of its own"},
		{"Engine.IO's own error", 400, `{"code":1,"message":"Session ID unknown"}`, "", "", false, "", "HTTP 400"},
		{"an unsigned page", 502, "<html><body>Bad Gateway</body></html>", "", "", false, "", "HTTP 502"},
	} {
		got := diagnosis.NameAnswer(tc.status, tc.body, tc.headers)
		if got.Name != tc.want || got.Proxy != tc.proxy || got.Status != tc.status {
			t.Errorf("%s: %+v, want name %q proxy %v status %d", tc.name, got, tc.want, tc.proxy, tc.status)
		}
		if got.Known() != (tc.want != "") {
			t.Errorf("%s: Known() = %v", tc.name, got.Known())
		}
		if tc.who != "" && got.Who() != tc.who {
			t.Errorf("%s: Who() = %q, want %q", tc.name, got.Who(), tc.who)
		}
		if !strings.HasPrefix(got.Said(), tc.saidStart) {
			t.Errorf("%s: Said() = %q, want it to start %q", tc.name, got.Said(), tc.saidStart)
		}
	}
}

// TestNamedAnswersAreNotRMSSocketRefusals: a gateway's or proxy's HTTP
// 400 or 402 is not RMS-Socket's refusal that shares the number; its 401
// and 403 are the gateway row, 429 a rate limit and 500 a server error.
// Unnamed, an HTTP status keeps the table's mapping.
func TestNamedAnswersAreNotRMSSocketRefusals(t *testing.T) {
	named := diagnosis.NameAnswer(400, pages.Nginx502, "")
	for status, want := range map[int]diagnosis.Kind{
		400: diagnosis.KindUnknownStatus, 402: diagnosis.KindUnknownStatus, 404: diagnosis.KindUnknownStatus,
		502: diagnosis.KindUnknownStatus, 401: diagnosis.KindRefusedByGateway, 403: diagnosis.KindRefusedByGateway,
		429: diagnosis.KindRateLimited, 500: diagnosis.KindServerError,
	} {
		named.Status = status
		if got := diagnosis.Classify(diagnosis.Observation{Answered: true, HTTPStatus: status, AnsweredBy: named}); got != want {
			t.Errorf("HTTP %d from nginx: %s, want %s", status, got, want)
		}
	}
	if got := diagnosis.Classify(diagnosis.Observation{Answered: true, HTTPStatus: 400}); got != diagnosis.KindInvalidFormat {
		t.Errorf("an unnamed HTTP 400: %s, want the table's %s", got, diagnosis.KindInvalidFormat)
	}
}
