package civil

import (
	"encoding/json"
	"testing"
	"time"
)

func TestArithmetic(t *testing.T) {
	cases := []struct {
		got, want Date
	}{
		{MustParse("2024-01-31").AddMonths(1), MustParse("2024-02-29")},
		{MustParse("2023-01-31").AddMonths(1), MustParse("2023-02-28")},
		{MustParse("2024-02-29").AddYears(1), MustParse("2025-02-28")},
		{MustParse("2024-12-31").AddDays(1), MustParse("2025-01-01")},
		{MustParse("2024-03-15").AddMonths(-3), MustParse("2023-12-15")},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %s want %s", c.got, c.want)
		}
	}
	if MustParse("2024-03-01").DaysSince(MustParse("2024-02-01")) != 29 {
		t.Fatal("DaysSince")
	}
	if !MustParse("2024-01-01").Before(MustParse("2024-01-02")) || MustParse("2024-01-02").Before(MustParse("2024-01-02")) {
		t.Fatal("Before")
	}
}

func TestParseAndJSON(t *testing.T) {
	for _, bad := range []string{"2024-02-30", "2024-13-01", "24-1-1", "", "2024/01/01"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	var v struct {
		D Date `json:"d"`
		E Date `json:"e"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2026-11-22","e":null}`), &v); err != nil || v.D != New(2026, 11, 22) || !v.E.IsZero() {
		t.Fatalf("%+v %v", v, err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"d":"2026-11-22","e":null}` {
		t.Fatal(string(b))
	}
}

func TestScan(t *testing.T) {
	var d Date
	for _, src := range []any{"2026-11-22", []byte("2026-11-22"), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), "2026-11-22T00:00:00Z"} {
		if err := d.Scan(src); err != nil || d != New(2026, 11, 22) {
			t.Errorf("scan %v: %v %v", src, d, err)
		}
	}
	if v, _ := (Date{}).Value(); v != nil {
		t.Fatal("zero must be NULL")
	}
}
