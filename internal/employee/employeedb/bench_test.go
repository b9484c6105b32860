package employeedb_test

import (
	"testing"
	"time"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
)

// searchTerms are what people type into the roster search (the same mix
// as bench/corehr.go): surnames, pinyin prefixes and initials, employee
// numbers and mobiles.
var searchTerms = []string{"王", "李娜", "zhang", "liu", "chen", "zs", "wf", "ly", "huang", "xu", "RS0001", "RS00523", "138", "zhao", "s", "w", "郑", "lin", "hq", "ouyang"}

// BenchmarkSearch100k seeds 100,000 employees (with history, contracts
// and search tokens, through the bulk import) and measures one roster
// search (page of 20 with its total) through the service, cycling through
// searchTerms. It reports the seed time too.
func BenchmarkSearch100k(b *testing.B) {
	benchSearch(b, 100000)
}

func benchSearch(b *testing.B, n int) {
	e := employeetest.New(b)
	ctx := e.System()
	t0 := time.Now()
	if _, err := e.Seed(ctx, n); err != nil {
		b.Fatal(err)
	}
	seed := time.Since(t0)
	admin := e.Admin()
	for _, q := range searchTerms { // warm up (and check)
		if _, err := e.Svc.List(admin, employee.Filter{Query: q, Size: 20}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := e.Svc.List(admin, employee.Filter{Query: searchTerms[i%len(searchTerms)], Size: 20}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(seed.Seconds(), "seed-s")
}

// BenchmarkListPage100k is the plain roster's first page with its exact
// total (no search).
func BenchmarkListPage100k(b *testing.B) {
	e := employeetest.New(b)
	if _, err := e.Seed(e.System(), 100000); err != nil {
		b.Fatal(err)
	}
	admin := e.Admin()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Svc.List(admin, employee.Filter{Size: 20}); err != nil {
			b.Fatal(err)
		}
	}
}
