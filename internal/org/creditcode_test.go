package org

import (
	"strings"
	"testing"
)

func TestValidateCreditCode(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" when invalid
	}{
		{"91350100M000100Y43", "91350100M000100Y43"},
		{"91110000802100433B", "91110000802100433B"},
		{"91110000802100433b", "91110000802100433B"},
		{" 9111 0000 8021 0043 3B ", "91110000802100433B"},
		{"９１１１００００８０２１００４３３Ｂ", "91110000802100433B"}, // full width, pasted from a document
		{"91110000802100433C", ""},                   // wrong check character
		{"91110000802100433", ""},                    // 17 characters
		{"91110000802100433BB", ""},                  // 19 characters
		{"9111000080210043IB", ""},                   // I is not in the alphabet
		{"9111A000802100433B", ""},                   // letter in the division code
		{"", ""},
		{"统一社会信用代码统一社会信用代", ""},
	}
	for _, c := range cases {
		got, ok := ValidateCreditCode(c.in)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("ValidateCreditCode(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

// TestCreditCheckCharacter derives the check character of every valid
// body the other way round: any other 18th character must be refused.
func TestCreditCheckCharacter(t *testing.T) {
	body := "91110000802100433"
	valid := 0
	for _, c := range creditAlphabet {
		if _, ok := ValidateCreditCode(body + string(c)); ok {
			valid++
		}
	}
	if valid != 1 {
		t.Fatalf("%d check characters accepted, want exactly 1", valid)
	}
}

func FuzzValidateCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91110000802100433B", "91110000802100433C", "", "９１", "0000000000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ValidateCreditCode(s)
		if !ok {
			if got != "" {
				t.Fatalf("invalid %q returned %q", s, got)
			}
			return
		}
		if len(got) != 18 || strings.Trim(got, creditAlphabet) != "" {
			t.Fatalf("%q normalised to %q", s, got)
		}
		// Normalising is idempotent and keeps the code valid.
		again, ok := ValidateCreditCode(got)
		if !ok || again != got {
			t.Fatalf("%q: %q does not validate again", s, got)
		}
		// Changing any one character breaks the check.
		for i := 0; i < 18; i++ {
			b := []byte(got)
			b[i] = creditAlphabet[(strings.IndexByte(creditAlphabet, b[i])+1)%len(creditAlphabet)]
			if _, ok := ValidateCreditCode(string(b)); ok {
				t.Fatalf("%q with position %d changed to %q still valid", got, i+1, b)
			}
		}
	})
}
