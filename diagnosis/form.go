package diagnosis

import (
	"strconv"
	"strings"
	"time"
)

// MaxHold is the longest hold a check accepts: the page's list offers up
// to 5 minutes, a portal's ?hold= and the command's -hold may ask for up
// to this.
const MaxHold = 15 * time.Minute

// The page's fields, as FieldError names them.
const (
	FieldCustomerID = "customer-id"
	FieldToken      = "token"
	FieldHold       = "hold"
)

// The customer ID field's errors.
const (
	EmptyIDError   = "Enter your customer ID: the numeric ID LSports gave you."
	InvalidIDError = "Use digits only: the customer ID LSports gave you is a number, without letters, spaces or signs."
)

// Form is what a person typed into the page, as the fields hold it.
type Form struct {
	CustomerID, Token, Target, Hold string
}

// Request is a check a Form asks for.
type Request struct {
	CustomerID string // as typed: the check trims it and says so
	IDValid    bool   // digits only, so it will be sent
	Token      string
	Target     int // index in the page's targets
	Hold       time.Duration
}

// FieldError is a field a check cannot start with, and what to tell the
// person who filled it.
type FieldError struct {
	Field   string // FieldCustomerID, FieldToken or FieldHold
	Message string
}

// Read checks the form as check.Run will, so that the page can tell the
// person at the keyboard what to fix before anything is sent. An ID that
// is not all digits is no error here: the check reports it as
// invalid-format, caught before connecting. A target that is not one of
// targets (the page's list) is the first. With an error, the Request
// holds what was read before the field at fault.
func (f Form) Read(targets int) (Request, *FieldError) {
	id, err := ParseCustomerID(f.CustomerID)
	if err != nil {
		return Request{}, &FieldError{FieldCustomerID, EmptyIDError}
	}
	req := Request{CustomerID: f.CustomerID, IDValid: id.Valid}
	if err := CheckToken(f.Token); err != nil {
		// The browser would refuse to send it, and the check would
		// blame the network: the person who pasted it can fix it.
		return req, &FieldError{FieldToken, Sentence(err.Error())}
	}
	req.Token = f.Token
	if i, err := strconv.Atoi(f.Target); err == nil && i >= 0 && i < targets {
		req.Target = i
	}
	max := int(MaxHold / time.Second)
	hold, err := strconv.Atoi(f.Hold)
	if err != nil || strings.Trim(f.Hold, "0123456789") != "" || hold > max {
		return req, &FieldError{FieldHold, "Hold the connection open: choose a time from 0 to " + strconv.Itoa(max) + " seconds."}
	}
	req.Hold = time.Duration(hold) * time.Second
	return req, nil
}

// BudgetNotice says, while this page's connection budget is spent (after a
// 429 or too many checks), when the next check may start.
func BudgetNotice(wait time.Duration) string {
	return "RMS-Socket allows " + strconv.Itoa(ServiceConnPerMinute) + " connections per minute from your network. You can check again in " +
		strconv.Itoa(int((wait+time.Second-1)/time.Second)) + " s."
}
