package approval

import (
	"context"
	"sync"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// RemindEvery is how often an applicant may remind the approvers (催办).
const RemindEvery = time.Hour

// Service runs the approval engine.
type Service struct {
	db    *db.DB
	store Store
	audit *audit.Log
	dir   Directory
	now   func() time.Time

	notifyMu sync.RWMutex
	notifier Notifier

	typesMu sync.RWMutex
	types   map[string]*registered

	flows sync.Map // flowKey -> *Flow (a version never changes)
}

type flowKey struct{ tenant, id ids.ID }

// flow reads a flow version, cached: versions are immutable.
func (s *Service) flow(ctx context.Context, tenant, id ids.ID) (*Flow, error) {
	k := flowKey{tenant, id}
	if f, ok := s.flows.Load(k); ok {
		return f.(*Flow), nil
	}
	f, err := s.store.Flow(ctx, id)
	if err != nil {
		return nil, err
	}
	s.flows.Store(k, f)
	return f, nil
}

// NewService builds the engine. dir answers who is who (see Directory).
func NewService(d *db.DB, s Store, a *audit.Log, dir Directory) *Service {
	return &Service{db: d, store: s, audit: a, dir: dir, now: time.Now, notifier: nopNotifier{}, types: map[string]*registered{}}
}

// SetNotifier installs the notification sender (a no-op until then).
func (s *Service) SetNotifier(n Notifier) {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	if n == nil {
		n = nopNotifier{}
	}
	s.notifier = n
}

func (s *Service) notify(ctx context.Context, m Message) error {
	if len(m.Recipients) == 0 {
		return nil
	}
	s.notifyMu.RLock()
	n := s.notifier
	s.notifyMu.RUnlock()
	if m.ObjectType == "" {
		m.ObjectType = ObjectInstance
	}
	return n.Notify(ctx, m)
}

// SetClock replaces the clock (tests of timeouts and delegation dates).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// nowUTC is the current instant as stored: UTC at the precision both
// engines keep, so SQLite's text timestamps compare in time order.
func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// location is the caller's tenant time zone.
func (s *Service) location(ctx context.Context) *time.Location { return rbac.Zone(ctx) }

// today is the current day in the caller's tenant.
func (s *Service) today(ctx context.Context) civil.Date {
	return civil.Of(s.now().In(s.location(ctx)))
}

// Audit object types.
const (
	ObjectInstance   = "approval_instance"
	ObjectFlow       = "approval_flow"
	ObjectDelegation = "approval_delegation"
)

func (s *Service) record(ctx context.Context, action, objectType string, id ids.ID, diff any) error {
	return s.audit.Record(ctx, audit.Event{Action: action, ObjectType: objectType, ObjectID: id.String(), Diff: diff})
}

// actorName is how the timeline names the caller.
func actorName(p *rbac.Principal) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Login
}
