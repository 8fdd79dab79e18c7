package diagnosis

import (
	"errors"
	"strings"
)

// ErrEmptyCustomerID means there is nothing to check: the page prompts.
var ErrEmptyCustomerID = errors.New("enter your customer ID")

// maxCustomerIDLen bounds what the page accepts and echoes back.
const maxCustomerIDLen = 64

// CustomerID is a customer ID as typed and as it will be sent.
type CustomerID struct {
	Value   string // trimmed; what is sent in the customerid header
	Trimmed bool   // surrounding whitespace was removed
	Valid   bool   // digits only, so it may be sent
}

// ParseCustomerID trims surrounding whitespace and checks the ID is all
// digits. It returns ErrEmptyCustomerID for an empty or blank input; an
// invalid ID is not an error, it is the invalid-format result.
func ParseCustomerID(raw string) (CustomerID, error) {
	v := strings.TrimSpace(raw)
	if v == "" {
		return CustomerID{}, ErrEmptyCustomerID
	}
	id := CustomerID{Value: v, Trimmed: v != raw, Valid: len(v) <= maxCustomerIDLen}
	for _, r := range v {
		if r < '0' || r > '9' {
			id.Valid = false
		}
	}
	if len(id.Value) > maxCustomerIDLen {
		id.Value = id.Value[:maxCustomerIDLen] + "…"
	}
	return id, nil
}
