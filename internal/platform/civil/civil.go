// Package civil holds calendar dates without a time or zone: hire dates,
// leave days, effective dates. They are stored as DATE ('YYYY-MM-DD') on
// both engines and travel as "YYYY-MM-DD" in JSON.
package civil

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// Date is a calendar date. The zero Date means "not set".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Of returns the date of t in t's location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Today is the current date in loc (the tenant's time zone).
func Today(loc *time.Location) Date {
	if loc == nil {
		loc = time.UTC
	}
	return Of(time.Now().In(loc))
}

// New builds a date; it panics on an impossible one (programmer error).
func New(y int, m time.Month, d int) Date {
	x := Date{y, m, d}
	if !x.Valid() {
		panic(fmt.Sprintf("civil: invalid date %04d-%02d-%02d", y, m, d))
	}
	return x
}

// Parse reads "YYYY-MM-DD".
func Parse(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("civil: %q is not a YYYY-MM-DD date", s)
	}
	return Of(t), nil
}

// MustParse parses or panics (tests, constants).
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether the date exists on the calendar.
func (d Date) Valid() bool {
	if d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return Of(d.time()) == d
}

func (d Date) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// In returns midnight of the date in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// String is "YYYY-MM-DD" ("" for the zero date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Before, After and Equal compare dates.
func (d Date) Before(o Date) bool { return d.compare(o) < 0 }
func (d Date) After(o Date) bool  { return d.compare(o) > 0 }
func (d Date) Compare(o Date) int { return d.compare(o) }

func (d Date) compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmp(d.Year, o.Year)
	case d.Month != o.Month:
		return cmp(int(d.Month), int(o.Month))
	default:
		return cmp(d.Day, o.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AddDays moves the date by n days.
func (d Date) AddDays(n int) Date { return Of(d.time().AddDate(0, 0, n)) }

// AddMonths moves the date by n months, clamping to the month's last day
// (2024-01-31 + 1 month = 2024-02-29), the way probation and contract ends
// are counted.
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), first.Month(), min(d.Day, last)}
}

// AddYears moves the date by n years (29 February → 28 February).
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

// DaysSince counts days from o to d.
func (d Date) DaysSince(o Date) int {
	return int(d.time().Sub(o.time()).Hours() / 24)
}

// Weekday of the date.
func (d Date) Weekday() time.Weekday { return d.time().Weekday() }

// MarshalJSON writes "YYYY-MM-DD", or null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		*d = Date{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' {
		return fmt.Errorf("civil: want a \"YYYY-MM-DD\" string, got %s", s)
	}
	v, err := Parse(s[1 : len(s)-1])
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText and UnmarshalText serve query parameters.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores the date as 'YYYY-MM-DD' (NULL when zero). Text compares in
// date order on SQLite and converts implicitly to DATE on PostgreSQL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a DATE column (time.Time from both drivers, or text).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = Of(v.UTC())
		if v.Location() != time.UTC { // a driver that returned local midnight
			*d = Of(v)
		}
	case string:
		return d.UnmarshalText([]byte(v[:min(len(v), 10)]))
	case []byte:
		return d.UnmarshalText(v[:min(len(v), 10)])
	default:
		return fmt.Errorf("civil: cannot scan %T into a date", src)
	}
	return nil
}
