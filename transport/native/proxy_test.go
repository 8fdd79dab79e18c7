package native_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/transport/native"
)

// TestProxyFor: the proxy is chosen for the target's own URL, path
// included, as the Fetcher's client asks for each request; none is nil,
// and a setting that is not a URL is refused without quoting it.
func TestProxyFor(t *testing.T) {
	tgt := target(t, "https://rms.lsports.eu:8443/rms-socket/socket.io")
	var asked []string
	via := func(r *http.Request) (*url.URL, error) {
		asked = append(asked, r.Method+" "+r.URL.String())
		return url.Parse("http://probe:s3cret@proxy.example:3128")
	}
	got, err := native.ProxyFor(via, tgt)
	if err != nil || got.String() != "http://probe:s3cret@proxy.example:3128" {
		t.Errorf("ProxyFor = %v, %v; want the chosen proxy", got, err)
	}
	if want := "GET https://rms.lsports.eu:8443/rms-socket/socket.io"; len(asked) != 1 || asked[0] != want {
		t.Errorf("the proxy was chosen for %q, want [%s]", asked, want)
	}
	if shown := native.ShownProxy(got); shown != "http://proxy.example:3128" {
		t.Errorf("ShownProxy = %q, want it without the user info", shown)
	}

	if got, err := native.ProxyFor(noProxy, tgt); got != nil || err != nil {
		t.Errorf("no proxy: ProxyFor = %v, %v; want nil, nil", got, err)
	}

	bad := func(*http.Request) (*url.URL, error) {
		return nil, errors.New(`invalid proxy address "http://probe:s3cret@proxy corp:3128"`)
	}
	_, err = native.ProxyFor(bad, tgt)
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "not a usable proxy URL") {
		t.Errorf("a bad setting: err %v, want it refused without its password", err)
	}
}

// TestProbeOfABadProxySetting: the probe says the setting is unusable,
// as the command does, and never quotes it.
func TestProbeOfABadProxySetting(t *testing.T) {
	bad := func(*http.Request) (*url.URL, error) {
		return nil, errors.New(`invalid proxy address "http://probe:s3cret@proxy corp:3128"`)
	}
	got := probe(t, native.Prober{Proxy: bad}, "https://"+refusedAddr(t))
	want(t, got, diagnosis.ReachNetwork, "", "the proxy setting (HTTPS_PROXY, HTTP_PROXY) is not a usable proxy URL")
	if strings.Contains(got.Detail, "s3cret") {
		t.Errorf("the probe quotes the setting: %q", got.Detail)
	}
}
