package training

import (
	"context"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Person is an employee as training sees one.
type Person struct {
	EmployeeID   ids.ID
	Name         string
	DepartmentID ids.ID
	UserID       ids.ID // the account, 0 without one
	Active       bool
}

// People answers who is who; the app implements it over the core HR
// module, the org chart and the accounts.
type People interface {
	// Person reads one employee (NotFound when there is none).
	Person(ctx context.Context, employeeID ids.ID) (Person, error)
	// People reads many; unknown ids are left out.
	People(ctx context.Context, employeeIDs []ids.ID) (map[ids.ID]Person, error)
	// InDepartments lists the active employees of the departments and
	// their subtrees.
	InDepartments(ctx context.Context, departmentIDs []ids.ID) ([]Person, error)
	// DepartmentNames names departments (today's names).
	DepartmentNames(ctx context.Context, ids []ids.ID) (map[ids.ID]string, error)
	// Subtree lists departments under roots, roots included.
	Subtree(ctx context.Context, roots []ids.ID) ([]ids.ID, error)
	// Holders lists active accounts holding perm whose scope covers the
	// department (0: any scope); e.g. the content owners of 市场部.
	Holders(ctx context.Context, perm string, departmentID ids.ID) ([]Account, error)
}

// Account is a user account to notify or assign a duty to.
type Account struct {
	UserID ids.ID
	Name   string
}

// Files stores materials and hand-ins.
type Files interface {
	Put(ctx context.Context, name string, r io.Reader, lim files.Limits) (*files.File, error)
	Open(ctx context.Context, id ids.ID) (io.ReadCloser, *files.File, error)
}

// Notice is a notification the module wants sent.
type Notice struct {
	Recipients []ids.ID // accounts
	Template   string
	Params     map[string]any
	Link       string
	ObjectID   ids.ID
	Key        string // idempotency: one notice per recipient and key
}

// Notifier sends notices (the app adapts the notify module).
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

type nopNotifier struct{}

func (nopNotifier) Notify(context.Context, Notice) error { return nil }

// Service runs the training module.
type Service struct {
	db     *db.DB
	store  Store
	audit  *audit.Log
	people People
	files  Files
	now    func() time.Time
	links  publicLinks // the public URL and the calendar feed key (sessions.go)

	notifyMu sync.RWMutex
	notifier Notifier

	randMu sync.Mutex
	rand   *rand.Rand

	// submitQ groups test submissions handed in together (submit.go).
	submitQ submitQueue
}

// NewService builds the service.
func NewService(d *db.DB, s Store, a *audit.Log, p People, f Files) *Service {
	return &Service{db: d, store: s, audit: a, people: p, files: f, now: time.Now, notifier: nopNotifier{},
		rand: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x7261696e))}
}

// SetNotifier installs the notification sender.
func (s *Service) SetNotifier(n Notifier) {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	if n == nil {
		n = nopNotifier{}
	}
	s.notifier = n
}

func (s *Service) notify(ctx context.Context, n Notice) error {
	if len(n.Recipients) == 0 {
		return nil
	}
	s.notifyMu.RLock()
	nf := s.notifier
	s.notifyMu.RUnlock()
	return nf.Notify(ctx, n)
}

// SetClock replaces the clock (tests of deadlines and time limits).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// nowUTC is the current instant as stored.
func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// today is the current day in the caller's tenant.
func (s *Service) today(ctx context.Context) civil.Date { return civil.Of(s.now().In(rbac.Zone(ctx))) }

// Audit object types.
const (
	ObjectModule   = "training_module"
	ObjectMaterial = "training_material"
	ObjectQuestion = "training_question"
	ObjectProgram  = "training_program"
	ObjectDuty     = "training_duty"
	ObjectHomework = "training_homework"
	ObjectAttempt  = "training_attempt"
)

func (s *Service) record(ctx context.Context, action, objectType string, id ids.ID, diff any) error {
	return s.audit.Record(ctx, audit.Event{Action: action, ObjectType: objectType, ObjectID: id.String(), Diff: diff})
}

// actorName is how records name the caller.
func actorName(p *rbac.Principal) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Login
}

// shuffle permutes n items with the service's generator.
func (s *Service) shuffle(n int, swap func(i, j int)) {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	s.rand.Shuffle(n, swap)
}
