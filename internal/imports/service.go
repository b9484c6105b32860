package imports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/sheet"
)

// Defaults.
const (
	// MaxFileBytes is the default upload limit.
	MaxFileBytes = 100 << 20
	// ChunkSize is how many rows go to Target.Check and Target.Apply at a time.
	ChunkSize = 1000
	// SampleRows is how many data rows an upload shows.
	SampleRows = 5
	// MaxMappingName is the longest name of a saved mapping.
	MaxMappingName = 50
)

// ObjectBatch is the audit object type of a batch; ObjectMapping of a
// saved mapping.
const (
	ObjectBatch   = "import_batch"
	ObjectMapping = "import_mapping"
)

// Principals resolves an account into the principal it signs in as, so
// a background run checks and writes with the uploader's permissions and
// data scope (auth.Service.ActAs does it).
type Principals interface {
	ActAs(ctx context.Context, userID ids.ID) (*rbac.Principal, error)
}

// Options tune the service; zero values take the defaults.
type Options struct {
	// Principals resolves the uploader for background runs; nil runs
	// them as the system.
	Principals Principals
	// Limits bound what a file may cost (sheet's defaults, with MaxBytes
	// MaxFileBytes).
	Limits    sheet.Limits
	ChunkSize int
	Logger    *slog.Logger
	// SpillDir keeps the dry runs' cleaned rows for their commits
	// (spill.go); "" is renshi-imports in the system's temporary
	// directory, "-" keeps none (every commit reads the file again).
	SpillDir string
	// SpillKey (32 bytes) seals the spills; nil draws a key for this
	// process, so a commit run by another process reads the file.
	// Processes sharing SpillDir and SpillKey use each other's spills.
	SpillKey []byte
	// SpillTTL is how long an unused spill is kept (default SpillTTL).
	SpillTTL time.Duration
}

// Service runs imports: the target registry, batches, dry runs and
// commits as background jobs, rollback, saved mappings and templates.
type Service struct {
	db    *db.DB
	store Store
	jobs  *jobs.Queue
	files *files.Service
	audit *audit.Log
	opts  Options
	log   *slog.Logger
	now   func() time.Time

	mu      sync.RWMutex
	targets map[string]Target
	order   []string

	runsMu sync.Mutex
	runs   map[ids.ID]*localRun

	spill     *spillStore // nil: no spills
	sweepMu   sync.Mutex
	lastSweep time.Time
}

// NewService builds the service. Register the targets, then the jobs
// (RegisterJobs) before the queue starts.
func NewService(d *db.DB, s Store, q *jobs.Queue, f *files.Service, a *audit.Log, opts Options) *Service {
	if opts.Limits.MaxBytes <= 0 {
		opts.Limits.MaxBytes = MaxFileBytes
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = ChunkSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	svc := &Service{db: d, store: s, jobs: q, files: f, audit: a, opts: opts, log: opts.Logger.With("module", "imports"),
		now: time.Now, targets: map[string]Target{}, runs: map[ids.ID]*localRun{}}
	sp, err := newSpillStore(opts)
	if err != nil {
		svc.log.Error("import spills off: every commit reads its file again", "error", err)
	}
	svc.spill = sp
	return svc
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// MaxBytes is the upload limit.
func (s *Service) MaxBytes() int64 { return s.opts.Limits.MaxBytes }

// Register adds a target. Names are unique; registering one twice panics
// (two modules must not fight over a name).
func (s *Service) Register(t Target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := t.Name()
	if name == "" {
		panic("imports: a target needs a name")
	}
	if _, dup := s.targets[name]; dup {
		panic("imports: target registered twice: " + name)
	}
	if len(t.Keys()) == 0 {
		panic("imports: target " + name + " has no upsert key")
	}
	s.targets[name] = t
	s.order = append(s.order, name)
}

// Target returns a registered target.
func (s *Service) Target(name string) (Target, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.targets[name]
	return t, ok
}

func (s *Service) target(name string) (Target, error) {
	if t, ok := s.Target(name); ok {
		return t, nil
	}
	return nil, errs.NotFoundf("object.import_target")
}

func (s *Service) targetList() []Target {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Target, 0, len(s.order))
	for _, n := range s.order {
		out = append(out, s.targets[n])
	}
	return out
}

// ---- predefined mappings

// Preset is a predefined, read-only mapping of a target: the columns of
// a file exported from another system ({header: column key}).
type Preset struct {
	Target  string
	Name    string
	Label   string // i18n key or text
	Mapping Mapping
}

var presets = struct {
	sync.RWMutex
	list []Preset
}{}

// RegisterPreset adds a predefined mapping for a target ("orangehrm",
// "frappe"): header texts of the other system's file to column keys.
// Modules call it from init or when they register their targets; a name
// registered twice for one target panics.
func RegisterPreset(target, name, label string, mapping map[string]string) {
	presets.Lock()
	defer presets.Unlock()
	for _, p := range presets.list {
		if p.Target == target && p.Name == name {
			panic("imports: preset registered twice: " + target + "/" + name)
		}
	}
	m := Mapping{}
	for h, k := range mapping {
		m[h] = k
	}
	presets.list = append(presets.list, Preset{Target: target, Name: name, Label: label, Mapping: m})
}

// Presets lists the predefined mappings of a target.
func Presets(target string) []Preset {
	presets.RLock()
	defer presets.RUnlock()
	var out []Preset
	for _, p := range presets.list {
		if p.Target == target {
			out = append(out, p)
		}
	}
	return out
}

// ---- targets as the API shows them

// TargetInfo describes a target to a caller, labels in his language.
type TargetInfo struct {
	Name       string   `json:"name"`
	Label      string   `json:"label"`
	Columns    []Column `json:"columns"`
	Keys       []string `json:"keys"`
	Permission string   `json:"permission"`
}

// Targets lists the targets the caller may import into, with their
// columns (the tenant's custom fields included).
func (s *Service) Targets(ctx context.Context) ([]TargetInfo, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	out := []TargetInfo{}
	for _, t := range s.targetList() {
		if !p.Can(t.Permission()) {
			continue
		}
		info, err := s.info(ctx, t)
		if err != nil {
			return nil, err
		}
		out = append(out, *info)
	}
	return out, nil
}

func (s *Service) info(ctx context.Context, t Target) (*TargetInfo, error) {
	cols, err := t.Columns(ctx)
	if err != nil {
		return nil, err
	}
	locale := i18n.FromContext(ctx)
	shown := make([]Column, len(cols))
	for i, c := range cols {
		c.Label = i18n.T(locale, c.Label, nil)
		shown[i] = c
	}
	return &TargetInfo{Name: t.Name(), Label: i18n.T(locale, t.Label(), nil), Columns: shown, Keys: t.Keys(), Permission: t.Permission()}, nil
}

// ---- access

// require checks the caller may import into t and returns him with his
// scope.
func require(ctx context.Context, t Target) (*rbac.Principal, rbac.Scope, error) {
	return rbac.Require(ctx, t.Permission())
}

// batchFor reads a batch the caller may work with: of his tenant (404
// otherwise), of a target whose permission he holds (403), and his own
// unless his scope of that permission is the whole tenant (404). With
// lock the row is locked for change (call inside a transaction).
func (s *Service) batchFor(ctx context.Context, id ids.ID, lock bool) (*Batch, Target, *rbac.Principal, error) {
	read := s.store.Batch
	if lock {
		read = s.store.LockBatch
	}
	b, err := read(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	t, ok := s.Target(b.Target)
	if !ok {
		return nil, nil, nil, errs.NotFoundf("object.import_target")
	}
	p, scope, err := require(ctx, t)
	if err != nil {
		return nil, nil, nil, err
	}
	if !scope.All && !p.System && b.CreatedBy != p.UserID {
		return nil, nil, nil, errs.NotFoundf("object.import_batch")
	}
	return b, t, p, nil
}

// access lists which batches the caller sees in the history.
func (s *Service) access(ctx context.Context) (Access, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return Access{}, err
	}
	a := Access{User: p.UserID}
	for _, t := range s.targetList() {
		sc, ok := p.Scope(t.Permission())
		switch {
		case !ok:
		case sc.All || p.System:
			a.All = append(a.All, t.Name())
		default:
			a.Own = append(a.Own, t.Name())
		}
	}
	return a, nil
}

// system is the system principal of the caller's tenant, for the job
// queue's management calls (the caller's right was checked on the batch).
func system(ctx context.Context, tenantID ids.ID) context.Context {
	sp := rbac.SystemPrincipal(tenantID, "imports")
	if p := rbac.From(ctx); p != nil {
		sp.TimeZone = p.TimeZone
	}
	return rbac.WithPrincipal(ctx, sp)
}

func actorName(p *rbac.Principal) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Login
}

func (s *Service) record(ctx context.Context, action, objectType string, id ids.ID, diff any) error {
	return s.audit.Record(ctx, audit.Event{Action: action, ObjectType: objectType, ObjectID: id.String(), Diff: diff})
}

// ---- reading batches

// Get returns a batch with its counts and the progress of its job.
func (s *Service) Get(ctx context.Context, id ids.ID) (*View, error) {
	b, t, _, err := s.batchFor(ctx, id, false)
	if err != nil {
		return nil, err
	}
	if b, err = s.settle(ctx, b); err != nil {
		return nil, err
	}
	return s.view(ctx, b, t, nil, true)
}

// List returns a page of the history the caller may see, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]View, int, error) {
	a, err := s.access(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.State != "" && !slices.Contains(States, f.State) {
		return nil, 0, errs.InvalidField("state", "invalid_choice")
	}
	if f.Target != "" {
		if _, ok := s.Target(f.Target); !ok {
			return []View{}, 0, nil
		}
	}
	if len(a.All) == 0 && len(a.Own) == 0 {
		return []View{}, 0, nil
	}
	f.Page, f.PageSize = db.NormalizePage(f.Page, f.PageSize)
	list, total, err := s.store.Batches(ctx, f, a)
	if err != nil {
		return nil, 0, err
	}
	out := make([]View, 0, len(list))
	for i := range list {
		b := &list[i]
		t, _ := s.Target(b.Target)
		v, err := s.view(ctx, b, t, nil, false)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *v)
	}
	return out, total, nil
}

// view dresses a batch for the API; withJob reads its job.
func (s *Service) view(ctx context.Context, b *Batch, t Target, sample [][]string, withJob bool) (*View, error) {
	locale := i18n.FromContext(ctx)
	v := &View{Batch: b, Counts: b.Counts(), Sample: sample, Committed: b.Phase == PhaseCommit, Unmapped: []string{}, Missing: []string{}}
	if b.Sheets == nil {
		b.Sheets = []string{}
	}
	if b.Header == nil {
		b.Header = []string{}
	}
	if b.Mapping == nil {
		b.Mapping = Mapping{}
	}
	for _, h := range b.Header {
		if b.Mapping[h] == "" {
			v.Unmapped = append(v.Unmapped, h)
		}
	}
	if t != nil {
		v.TargetLabel = i18n.T(locale, t.Label(), nil)
		if withJob {
			cols, err := t.Columns(ctx)
			if err != nil {
				return nil, err
			}
			v.Missing = missing(b.Mapping, cols)
		}
	}
	if b.Failure != "" {
		v.FailureMessage = i18n.T(locale, b.Failure, b.FailureParams)
	}
	switch b.State {
	case StateChecked:
		v.Progress, v.FinishedAt = 100, b.CheckedAt
	case StateImported:
		v.Progress, v.FinishedAt = 100, b.ImportedAt
	case StateRolledBack:
		v.Progress, v.FinishedAt = 100, b.RolledBackAt
	}
	if withJob && b.JobID != 0 && s.jobs != nil {
		j, err := s.jobs.Get(system(ctx, b.TenantID), b.JobID)
		switch {
		case err == nil:
			v.Job = j
			if b.running() {
				v.Progress, v.Message = j.Progress, j.Message
			}
			if j.State.Finished() && !j.FinishedAt.IsZero() && v.FinishedAt == nil {
				at := j.FinishedAt
				v.FinishedAt = &at
			}
		case errs.KindOf(err) == errs.NotFound: // cleaned up after 30 days
		default:
			return nil, err
		}
	}
	if r := s.local(b.ID); r != nil && b.running() {
		// On SQLite the commit's progress is written inside its
		// transaction, invisible until it ends: this process knows it.
		v.Progress, v.Message = r.progress()
	}
	return v, nil
}

// missing lists the required columns no header is mapped to.
func missing(m Mapping, cols []Column) []string {
	used := map[string]bool{}
	for _, k := range m {
		used[k] = true
	}
	out := []string{}
	for _, c := range cols {
		if c.Required && !used[c.Key] {
			out = append(out, c.Key)
		}
	}
	return out
}

// settle repairs a batch whose job ended without telling it (its process
// died on the last attempt, or it was cancelled while queued elsewhere).
func (s *Service) settle(ctx context.Context, b *Batch) (*Batch, error) {
	if !b.running() || b.JobID == 0 || s.jobs == nil || s.local(b.ID) != nil {
		return b, nil
	}
	j, err := s.jobs.Get(system(ctx, b.TenantID), b.JobID)
	if err != nil && errs.KindOf(err) != errs.NotFound {
		return nil, err
	}
	state, failure := "", ""
	switch {
	case err != nil:
		state, failure = StateFailed, "imports.job_lost"
	case j.State == jobs.Cancelled:
		state = StateCancelled
	case j.State == jobs.Failed:
		state, failure = StateFailed, "imports.job_lost"
	default:
		return b, nil
	}
	var out *Batch
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.store.LockBatch(ctx, b.ID)
		if err != nil {
			return err
		}
		if cur.State != b.State || cur.JobID != b.JobID {
			out = cur
			return nil
		}
		cur.State, cur.Failure, cur.FailureParams = state, failure, nil
		cur.UpdatedAt = s.nowUTC()
		cur.Version++
		out = cur
		return s.store.UpdateBatch(ctx, cur)
	})
	return out, err
}

// ---- runs in this process

// localRun is a dry run or commit running in this process: it can be
// cancelled at once (on SQLite the commit holds the only writer, so a
// cancel flag in the table could not be written until it ended) and
// reports progress the table may not show yet.
type localRun struct {
	cancel context.CancelCauseFunc
	done   chan struct{}

	mu      sync.Mutex
	percent int
	message string
}

func (r *localRun) set(percent int, message string) {
	r.mu.Lock()
	r.percent, r.message = percent, message
	r.mu.Unlock()
}

func (r *localRun) progress() (int, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.percent, r.message
}

func (s *Service) local(id ids.ID) *localRun {
	s.runsMu.Lock()
	defer s.runsMu.Unlock()
	return s.runs[id]
}

func (s *Service) startLocal(id ids.ID, cancel context.CancelCauseFunc) (*localRun, error) {
	s.runsMu.Lock()
	defer s.runsMu.Unlock()
	if _, busy := s.runs[id]; busy {
		return nil, errs.E(errs.Conflict, "imports.running")
	}
	r := &localRun{cancel: cancel, done: make(chan struct{})}
	s.runs[id] = r
	return r, nil
}

func (s *Service) endLocal(id ids.ID, r *localRun) {
	s.runsMu.Lock()
	if s.runs[id] == r {
		delete(s.runs, id)
	}
	s.runsMu.Unlock()
	close(r.done)
}

// ---- helpers

func sortedKeys(m Mapping) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// errText is a run's failure as a message key and params.
func errText(err error) (string, map[string]any) {
	var e *errs.Error
	if errors.As(err, &e) && e.Kind != errs.Internal {
		params := map[string]any{}
		for k, v := range e.Params {
			params[k] = v
		}
		if len(e.Fields) > 0 {
			params["field"] = e.Fields[0].Field
			if e.Code == "invalid" {
				return e.Fields[0].Code, params
			}
		}
		return e.Code, params
	}
	return "imports.run_failed", nil
}

func percent(done, total int) int {
	if total <= 0 {
		return 0
	}
	return min(99, done*100/total)
}

func progressText(done, total int) string {
	if total <= 0 {
		return fmt.Sprintf("%d", done)
	}
	return fmt.Sprintf("%d/%d", done, total)
}
