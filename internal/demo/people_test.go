package demo

import (
	"testing"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/validate"
)

func TestPeopleAreValidAndUnique(t *testing.T) {
	g := NewPeople(1)
	today := civil.MustParse("2026-11-22")
	seenID, seenMobile := map[string]bool{}, map[string]bool{}
	for i := 0; i < 100000; i++ {
		p := g.Person(i, today)
		info, ok := validate.IDNumber(p.IDNumber)
		if !ok {
			t.Fatalf("%d: invalid ID %s", i, p.IDNumber)
		}
		if civil.Of(info.Birth) != p.Birth || info.Male != p.Male {
			t.Fatalf("%d: ID %s disagrees with %v %v", i, p.IDNumber, p.Birth, p.Male)
		}
		if _, ok := validate.Mobile(p.Mobile); !ok {
			t.Fatalf("%d: mobile %s", i, p.Mobile)
		}
		if seenID[p.IDNumber] || seenMobile[p.Mobile] {
			t.Fatalf("%d: duplicate %s / %s", i, p.IDNumber, p.Mobile)
		}
		seenID[p.IDNumber], seenMobile[p.Mobile] = true, true
		if r := []rune(p.Name); len(r) < 2 || len(r) > 4 {
			t.Fatalf("name %q", p.Name)
		}
	}
}

func TestCreditCodesValidate(t *testing.T) {
	for i := 0; i < 3; i++ {
		c := CreditCode("91310115MA" + []string{"0001000", "0001001", "0001002"}[i])
		if _, ok := org.ValidateCreditCode(c); !ok {
			t.Fatalf("%s does not validate", c)
		}
	}
}
