package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
)

// TestCheckNamesWhoAnswered: a refusal that is not RMS-Socket's says who
// made it and goes to its owner. Squid, the proxy the environment names,
// denies an http target (its 403 page, passed as the answer) and an https
// target (its 403 to CONNECT, which the probe reads): IT's, with the
// hand-off, and never "something at that host". nginx in front of a
// service that is down answers 502: LSports's, with no hand-off.
func TestCheckNamesWhoAnswered(t *testing.T) {
	squid := httptest.NewServer(scenario.SquidDenies())
	defer squid.Close()
	servers, err := scenario.Start(rmssim.Options{EventInterval: scenario.EventInterval})
	if err != nil {
		t.Fatal(err)
	}
	defer servers.Close()
	for _, tc := range []struct {
		name, target string
		proxied      bool
		kind         diagnosis.Kind
		title, owner string
		answered     string
		handoff      bool
	}{
		{"squid denies an http target", "http://rms.defendcheck.invalid", true, diagnosis.KindRefusedByGateway,
			"Refused by your network's proxy (Squid)", diagnosis.OwnerCustomerIT, "your network's proxy (Squid), with HTTP 403 (Forbidden)", true},
		{"squid denies the tunnel to an https target", "https://rms.defendcheck.invalid", true, diagnosis.KindUnreachable,
			"Your network's proxy refused to connect to rms.defendcheck.invalid", diagnosis.OwnerCustomerIT, "your network's proxy (Squid), with HTTP 403 (Forbidden)", true},
		{"nginx in front of a service that is down", servers.Target(scenario.Gateway502).Origin, false, diagnosis.KindUnknownStatus,
			"The gateway in front of RMS-Socket (nginx) answered HTTP 502 (Bad Gateway)", diagnosis.OwnerLSports, "the gateway in front of RMS-Socket (nginx), with HTTP 502 (Bad Gateway)", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testChecker(nil)
			if tc.proxied {
				c.proxy = func(*http.Request) (*url.URL, error) { return url.Parse(squid.URL) }
			}
			out := c.try(t, context.Background(), "-target", tc.target, "-customer-id", "12345", "-json")
			res := result(t, out)
			e := res.Entry()
			if res.Kind != tc.kind || e.Title != tc.title || e.Owner != tc.owner || (res.ITHandoff != nil) != tc.handoff {
				t.Errorf("%s %q owner %q, hand-off %v; want %s %q owner %q, hand-off %v\n%s", res.Kind, e.Title, e.Owner, res.ITHandoff != nil, tc.kind, tc.title, tc.owner, tc.handoff, res.Report)
			}
			if !strings.Contains(res.Report, "Answered by:   "+tc.answered+"\n") {
				t.Errorf("the report does not say it was answered by %s:\n%s", tc.answered, res.Report)
			}
			if res.AnsweredBy == nil || res.AnsweredBy.Proxy != tc.proxied {
				t.Errorf("answeredBy %+v, want proxy %v", res.AnsweredBy, tc.proxied)
			}
			if strings.Contains(strings.ToLower(res.Report), "something at") {
				t.Errorf("the report says \"something\" answered, where it knows who:\n%s", res.Report)
			}
		})
	}
}
