package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Reminder is one dated reminder a source wants sent.
type Reminder struct {
	// Key names the subject and occasion ("contract-end:<id>:<end>:30d"):
	// it is the notification's idempotency key, so each occasion reaches
	// each recipient once however often the sources run.
	Key        string
	Recipients []ids.ID
	Template   string
	Params     map[string]any
	Link       string
	ObjectType string
	ObjectID   string
}

// ReminderSource finds the reminders due in a tenant on a day. Due runs
// inside the daily reminder job as the tenant's system principal; it
// should look at a window (e.g. "ends within 30 days") rather than one
// exact day, so a day the server was down is caught up, and let the key
// keep each occasion to one reminder.
type ReminderSource interface {
	Name() string
	Due(ctx context.Context, tenantID ids.ID, day civil.Date) ([]Reminder, error)
}

// RegisterReminder adds a source; call it before the job queue starts.
func (s *Service) RegisterReminder(src ReminderSource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources = append(s.sources, src)
}

func (s *Service) reminderSources() []ReminderSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReminderSource(nil), s.sources...)
}

type reminderArgs struct {
	Day civil.Date `json:"day"`
}

// ReminderKey is the unique key of a tenant's reminder run of a day: one
// job per tenant and day, however many processes schedule it.
func ReminderKey(day civil.Date) string { return KindReminders + ":" + day.String() }

// schedule is the periodic reminder schedule: every process runs it every
// ReminderEvery; for each active tenant whose local time has reached
// ReminderHour it asks for the day's run, and the unique key makes that
// one job.
func (s *Service) schedule(time.Time) []jobs.Scheduled {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list, err := s.tenants.List(ctx)
	if err != nil {
		s.log.Error("reminder schedule: list tenants", "error", err)
		return nil
	}
	now := s.now()
	var out []jobs.Scheduled
	for i := range list {
		t := &list[i]
		if t.Status != "" && t.Status != "active" {
			continue
		}
		local := now.In(t.Location())
		if local.Hour() < s.opts.ReminderHour {
			continue
		}
		day := civil.Of(local)
		out = append(out, jobs.Scheduled{TenantID: t.ID, Kind: KindReminders, Args: reminderArgs{Day: day}, UniqueKey: ReminderKey(day)})
	}
	return out
}

// ReminderResult is what a reminder run did.
type ReminderResult struct {
	Reminders int            `json:"reminders"`
	Created   int            `json:"created"`
	BySource  map[string]int `json:"bySource"`
}

// remind is the daily reminder job of one tenant.
func (s *Service) remind(ctx context.Context, j *jobs.Job, p *jobs.Progress) error {
	var args reminderArgs
	if err := j.DecodeArgs(&args); err != nil || args.Day.IsZero() {
		return jobs.Permanent(fmt.Errorf("notify: reminder job without a day: %v", err))
	}
	res, err := s.RunReminders(ctx, args.Day)
	if res != nil {
		_ = p.Result(res)
	}
	return err
}

// RunReminders asks every source for the reminders due in the caller's
// tenant on day and sends them in one transaction, keyed by occasion, so
// running it again sends only what is new. The daily job calls it;
// operators and tests may too. A failing source does not stop the others;
// its error is returned (the job retries, which is harmless).
func (s *Service) RunReminders(ctx context.Context, day civil.Date) (*ReminderResult, error) {
	tenantID, err := rbac.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	res := &ReminderResult{BySource: map[string]int{}}
	var msgs []Message
	var errsOut error
	for _, src := range s.reminderSources() {
		rs, err := src.Due(ctx, tenantID, day)
		if err != nil {
			s.log.Error("reminder source failed", "source", src.Name(), "tenant", tenantID, "day", day, "error", err)
			errsOut = errors.Join(errsOut, fmt.Errorf("%s: %w", src.Name(), err))
			continue
		}
		res.BySource[src.Name()] = len(rs)
		for _, r := range rs {
			if r.Key == "" {
				errsOut = errors.Join(errsOut, fmt.Errorf("%s: a reminder without a key", src.Name()))
				continue
			}
			msgs = append(msgs, Message{Recipients: r.Recipients, Template: r.Template, Params: r.Params, Link: r.Link,
				ObjectType: r.ObjectType, ObjectID: r.ObjectID, Key: r.Key})
		}
	}
	res.Reminders = len(msgs)
	n, err := s.SendMany(ctx, msgs)
	res.Created = n
	return res, errors.Join(errsOut, err)
}
