package notify_test

import (
	"fmt"
	"testing"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

// BenchmarkReminders10k measures one daily reminder run that generates
// and queues 10,000 reminder notifications (one source, 10,000
// occasions, 500 recipients, email on): the inbox rows, the deliveries
// and their email jobs, in one transaction. Each iteration is a new day,
// so every occasion is new. Target: ≤ 10 s on SQLite and PostgreSQL.
func BenchmarkReminders10k(b *testing.B) {
	const n = 10000
	e := newEnv(b)
	users := make([]ids.ID, 500)
	for i := range users {
		users[i] = e.user(fmt.Sprint("HR", i), fmt.Sprintf("hr%d@acme.example", i), "")
	}
	e.svc.RegisterReminder(&fakeSource{name: "bench", due: func(day civil.Date) []notify.Reminder {
		out := make([]notify.Reminder, n)
		for i := range n {
			end := day.AddDays(30)
			out[i] = notify.Reminder{Key: fmt.Sprintf("contract-end:%d:%s:30d", i, end), Recipients: []ids.ID{users[i%len(users)]},
				Template: "test.contract_ending", Params: map[string]any{"name": fmt.Sprint("员工", i), "end": end.String(), "days": 30},
				Link: fmt.Sprintf("/employees/%d", i), ObjectType: "employee_contract", ObjectID: fmt.Sprint(i)}
		}
		return out
	}})
	ctx := e.system()
	pw := "x" // email on: a mail server (the queue does not run here)
	if _, err := e.svc.SaveSettings(ctx, notify.SettingsInput{Host: "mail.acme.example", FromAddress: "hr@acme.example", TLSMode: notify.TLSStartTLS, Password: &pw}); err != nil {
		b.Fatal(err)
	}
	day := civil.MustParse("2026-06-15")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := e.svc.RunReminders(ctx, day)
		if err != nil || res.Created != n {
			b.Fatalf("%+v %v", res, err)
		}
		day = day.AddDays(1)
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
	if s := e.deliveryStates(); s[notify.DeliveryPending] == 0 {
		b.Fatalf("no deliveries queued: %v", s)
	}
}
