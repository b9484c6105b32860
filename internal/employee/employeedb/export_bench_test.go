package employeedb_test

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/export"
)

// BenchmarkExport100k exports a roster of 100,000 employees with every
// column (35, ID numbers and bank accounts decrypted and masked) through
// the service, as GET /employees/export does, to .xlsx and .csv. It
// reports the seconds of one export, the peak Go heap during it (and the
// heap before it), and the file size. Target: .xlsx ≤ 15 s. Then the
// same for the job changes.
func BenchmarkExport100k(b *testing.B) {
	e := employeetest.New(b)
	co, err := e.Seed(e.System(), 100000)
	if err != nil {
		b.Fatal(err)
	}
	if e.DB.Engine == db.Postgres {
		// Statistics as autovacuum leaves them shortly after a bulk load:
		// planned on the empty tables, the pages scan instead of reading
		// the sort index.
		if _, err := e.DB.Raw().Exec("ANALYZE employee_employees, employee_assignments"); err != nil {
			b.Fatal(err)
		}
	}
	admin := e.Admin()
	for _, format := range []export.Format{export.XLSX, export.CSV} {
		b.Run(string(format), func(b *testing.B) {
			var secs, peak, base float64
			var size int64
			var rows int
			for b.Loop() {
				runtime.GC()
				base = heapMiB()
				stop := peakHeap()
				t0 := time.Now()
				x, err := e.Svc.PrepareExport(admin, employee.ExportRequest{Columns: employee.Columns})
				if err != nil {
					b.Fatal(err)
				}
				cw := &counter{}
				w, err := export.New(cw, format, x.Title)
				if err != nil {
					b.Fatal(err)
				}
				if rows, err = x.Write(admin, w); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				secs, peak, size = time.Since(t0).Seconds(), stop(), cw.n
			}
			if rows != 100000 {
				b.Fatalf("%d rows", rows)
			}
			b.ReportMetric(secs, "s/export")
			b.ReportMetric(peak, "peak-heap-MiB")
			b.ReportMetric(base, "heap-before-MiB")
			b.ReportMetric(float64(size)/(1<<20), "file-MiB")
		})
	}
	// The job changes of the same company (about 200,000 rows): the
	// list's first page, a page filtered to one department, and the export
	// of all of them.
	b.Run("changes-page", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Svc.Changes(admin, employee.ChangeFilter{Size: 20}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("changes-page-department", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Svc.Changes(admin, employee.ChangeFilter{Size: 20, DepartmentIDs: co.Departments[100:101], IncludeSub: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("changes-xlsx", func(b *testing.B) {
		var secs, peak float64
		var rows int
		for b.Loop() {
			runtime.GC()
			stop := peakHeap()
			t0 := time.Now()
			x, err := e.Svc.PrepareChangesExport(admin, employee.ChangeFilter{}, nil, "")
			if err != nil {
				b.Fatal(err)
			}
			w, _ := export.New(&counter{}, export.XLSX, x.Title)
			if rows, err = x.Write(admin, w); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			secs, peak = time.Since(t0).Seconds(), stop()
		}
		b.ReportMetric(secs, "s/export")
		b.ReportMetric(peak, "peak-heap-MiB")
		b.ReportMetric(float64(rows), "rows")
	})
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

const heapMetric = "/memory/classes/heap/objects:bytes"

// heapMiB is the heap in use by objects now (live and not yet swept).
func heapMiB() float64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return float64(s[0].Value.Uint64()) / (1 << 20)
}

// peakHeap samples the heap every 2 ms until the returned function is
// called, which returns the largest sample.
func peakHeap() func() float64 {
	var (
		mu   sync.Mutex
		peak float64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			v := heapMiB()
			mu.Lock()
			peak = max(peak, v)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		wg.Wait()
		return max(peak, heapMiB())
	}
}
