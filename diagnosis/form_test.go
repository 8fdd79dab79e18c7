package diagnosis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

func TestFormRead(t *testing.T) {
	ok := diagnosis.Form{CustomerID: " 12345 ", Target: "1", Hold: "60"}
	for _, tc := range []struct {
		name  string
		form  diagnosis.Form
		field string // "" for no error
		want  diagnosis.Request
	}{
		{"ok", ok, "", diagnosis.Request{CustomerID: " 12345 ", IDValid: true, Target: 1, Hold: time.Minute}},
		{"letters are sent as invalid-format", diagnosis.Form{CustomerID: "12ab", Target: "0", Hold: "0"}, "",
			diagnosis.Request{CustomerID: "12ab"}},
		{"empty ID", diagnosis.Form{CustomerID: "  ", Hold: "0"}, diagnosis.FieldCustomerID, diagnosis.Request{}},
		{"token with a line break", diagnosis.Form{CustomerID: "1", Token: "a\nb", Hold: "0"}, diagnosis.FieldToken,
			diagnosis.Request{CustomerID: "1", IDValid: true}},
		{"longest hold", diagnosis.Form{CustomerID: "1", Target: "0", Hold: "900"}, "", diagnosis.Request{CustomerID: "1", IDValid: true, Hold: diagnosis.MaxHold}},
		{"hold over the longest", diagnosis.Form{CustomerID: "1", Hold: "901"}, diagnosis.FieldHold, diagnosis.Request{CustomerID: "1", IDValid: true}},
		{"hold not a number", diagnosis.Form{CustomerID: "1", Token: "t", Hold: "+5"}, diagnosis.FieldHold,
			diagnosis.Request{CustomerID: "1", IDValid: true, Token: "t"}},
		{"target outside the list is the first", diagnosis.Form{CustomerID: "1", Target: "7", Hold: "0"}, "", diagnosis.Request{CustomerID: "1", IDValid: true}},
	} {
		req, fe := tc.form.Read(2)
		switch {
		case tc.field == "" && fe != nil:
			t.Errorf("%s: error %+v", tc.name, *fe)
		case tc.field != "" && (fe == nil || fe.Field != tc.field || !strings.HasSuffix(fe.Message, ".")):
			t.Errorf("%s: error %+v, want one sentence on %s", tc.name, fe, tc.field)
		case req != tc.want:
			t.Errorf("%s: request %+v, want %+v", tc.name, req, tc.want)
		}
	}
}

func TestBudgetNotice(t *testing.T) {
	got := diagnosis.BudgetNotice(59*time.Second + time.Millisecond)
	if !strings.Contains(got, "10 connections per minute") || !strings.HasSuffix(got, "in 60 s.") {
		t.Errorf("notice %q: want the limit and the wait rounded up to 60 s", got)
	}
}
