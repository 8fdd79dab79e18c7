package diagnosis

import (
	"fmt"
	"strconv"
	"time"
)

// MaxClockSkew is how far this computer's clock may be from the server's
// before the checker says so and reports in server time.
const MaxClockSkew = 30 * time.Second

// ClockOff reports whether the result's clock skew is known and beyond
// MaxClockSkew: then its times are the server's.
func (r *Result) ClockOff() bool {
	return r.ClockSkewMS != nil && r.clockSkew().Abs() > MaxClockSkew
}

func (r *Result) clockSkew() time.Duration {
	return time.Duration(*r.ClockSkewMS) * time.Millisecond
}

// ParseHTTPDate reads an HTTP Date header (RFC 9110's IMF-fixdate, such as
// "Sat, 28 Nov 2026 11:17:08 GMT").
func ParseHTTPDate(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC1123, s)
	if err != nil || t.Location().String() != "GMT" && t.Location() != time.UTC {
		return time.Time{}, fmt.Errorf("not an HTTP date: %q", s)
	}
	return t.UTC(), nil
}

// maxPlausibleSkew bounds the skew ClockSkew believes: a computer's clock
// a year off is possible (a dead clock battery), a Date header further off
// than that is broken, and would make every time it corrects absurd.
const maxPlausibleSkew = 366 * 24 * time.Hour

// ClockSkew is this computer's clock minus the server's, from a request
// sent and answered (by this computer's clock) and the answer's Date and
// Age headers (Age: how long a cache held the answer, 0 for none). The
// Date header is whole seconds, truncated, so the server's time at the
// request's midpoint is taken as date + age + 0.5 s: the estimate is good
// to about half a second plus half the round trip. ok is false for a skew
// of more than a year, which says the header is wrong, not the clock.
func ClockSkew(sent, received, date time.Time, age time.Duration) (skew time.Duration, ok bool) {
	if age < 0 || age > maxPlausibleSkew {
		return 0, false
	}
	mid := sent.Add(received.Sub(sent) / 2)
	server := date.Add(age + 500*time.Millisecond)
	if d := mid.Unix() - server.Unix(); d > int64(maxPlausibleSkew/time.Second) || -d > int64(maxPlausibleSkew/time.Second) {
		return 0, false
	}
	return mid.Sub(server).Round(time.Millisecond), true
}

// SkewText says how far off this computer's clock is, in words: "12 min
// 3 s ahead of the server's", or "within 30 s of the server's".
func SkewText(skew time.Duration) string {
	if skew.Abs() <= MaxClockSkew {
		return "within 30 s of the server's"
	}
	dir := "ahead of"
	if skew < 0 {
		dir = "behind"
	}
	return roughDuration(skew.Abs()) + " " + dir + " the server's"
}

// roughDuration prints d to the second for a person: "2 h 5 min", "12 min
// 3 s", "45 s".
func roughDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	n := strconv.FormatInt
	switch {
	case s >= 24*3600:
		return n(s/86400, 10) + " d " + n(s%86400/3600, 10) + " h"
	case s >= 3600:
		return n(s/3600, 10) + " h " + n(s%3600/60, 10) + " min"
	case s >= 60:
		return n(s/60, 10) + " min " + n(s%60, 10) + " s"
	}
	return n(s, 10) + " s"
}

// ClockSkewFromHeaders is ClockSkew from an answer's Date and Age headers
// as they came ("" for none); ok is false when Date is missing or either
// header is not what HTTP says.
func ClockSkewFromHeaders(sent, received time.Time, dateHeader, ageHeader string) (time.Duration, bool) {
	date, err := ParseHTTPDate(dateHeader)
	if err != nil {
		return 0, false
	}
	age := 0
	if ageHeader != "" {
		if age, err = strconv.Atoi(ageHeader); err != nil {
			return 0, false
		}
	}
	return ClockSkew(sent, received, date, time.Duration(age)*time.Second)
}
