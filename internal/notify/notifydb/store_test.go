package notifydb_test

import (
	"context"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/notify/notifydb"
	"github.com/renshi/renshi/internal/notify/notifytest"
	"github.com/renshi/renshi/internal/platform/ids"
)

// The claim is what keeps two runs from sending one delivery: only a
// pending delivery or one whose claim ran out can be taken, and only the
// holder may settle it otherwise than "sent".
func TestDeliveryClaims(t *testing.T) {
	e := notifytest.New(t)
	s := notifydb.New(e.DB)
	u := e.User("甲", "a@acme.example", "")
	pw := "x" // a mail server, so the notification gets an email delivery
	if _, err := e.Svc.SaveSettings(e.System(), notify.SettingsInput{Host: "mail.acme.example", FromAddress: "hr@acme.example", TLSMode: notify.TLSStartTLS, Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.Send(e.System(), notify.Message{Recipients: []ids.ID{u}, Template: notify.TemplateTest, Params: map[string]any{"tenant": "x"}}); err != nil {
		t.Fatal(err)
	}
	ctx := e.System()
	rows, _, err := s.Deliveries(ctx, notify.DeliveryFilter{})
	if err != nil || len(rows) != 1 || rows[0].State != notify.DeliveryPending || rows[0].Template != notify.TemplateTest {
		t.Fatalf("rows: %+v %v", rows, err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	claim := func(token string, at time.Time) bool {
		t.Helper()
		d := rows[0].Delivery
		d.ClaimToken, d.ClaimedUntil, d.UpdatedAt = token, at.Add(time.Minute), at
		var ok bool
		err := e.DB.WithTx(ctx, func(ctx context.Context) error {
			var err error
			ok, err = s.ClaimDelivery(ctx, &d, at)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	save := func(token, state string) bool {
		t.Helper()
		d := rows[0].Delivery
		d.State, d.UpdatedAt = state, now
		if state == notify.DeliverySent {
			d.SentAt = now
		}
		var ok bool
		err := e.DB.WithTx(ctx, func(ctx context.Context) error {
			var err error
			ok, err = s.SaveDelivery(ctx, &d, token)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !claim("A", now) {
		t.Fatal("a pending delivery could not be claimed")
	}
	if claim("B", now.Add(30*time.Second)) {
		t.Fatal("a held claim was taken")
	}
	if save("B", notify.DeliveryPending) {
		t.Fatal("a run without the claim released it")
	}
	if !claim("B", now.Add(2*time.Minute)) {
		t.Fatal("an expired claim could not be taken over")
	}
	if save("A", notify.DeliveryFailed) {
		t.Fatal("the old holder settled a delivery it no longer holds")
	}
	if !save("A", notify.DeliverySent) {
		t.Fatal("a message the server accepted must be recorded whoever holds the claim")
	}
	if save("B", notify.DeliveryFailed) || claim("C", now.Add(time.Hour)) {
		t.Fatal("a sent delivery changed")
	}
	got, err := s.DeliveryRows(ctx, []ids.ID{rows[0].ID})
	if err != nil || got[0].State != notify.DeliverySent || got[0].Attempts != 2 || got[0].ClaimToken != "" || got[0].SentAt.IsZero() {
		t.Fatalf("final: %+v %v", got, err)
	}
}
