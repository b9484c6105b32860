package imports

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/clean"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/sheet"
)

// Progress receives a run's progress (0-100) and a message ("3000/10000"
// rows); an error (jobs.ErrCancelled) stops the run.
type Progress func(ctx context.Context, percent int, message string) error

type jobArgs struct {
	Batch ids.ID `json:"batch"`
}

// RegisterJobs registers the dry run and the commit with the queue. A
// run whose process died is run again from the start (once): a dry run
// rewrites its errors, a commit never left anything behind.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	q.Register(JobCheck, func(ctx context.Context, j *jobs.Job, p *jobs.Progress) error {
		return s.handle(ctx, j, p, PhaseCheck)
	}, jobs.KindOptions{MaxAttempts: 2})
	q.Register(JobCommit, func(ctx context.Context, j *jobs.Job, p *jobs.Progress) error {
		return s.handle(ctx, j, p, PhaseCommit)
	}, jobs.KindOptions{MaxAttempts: 2})
}

// Check starts the dry run of a batch as a background job: every row is
// cleaned, mapped and checked by the target without writing, and counted
// (new, updated, unchanged, failed) with its problems per cell.
func (s *Service) Check(ctx context.Context, id ids.ID) (*View, error) {
	return s.start(ctx, id, PhaseCheck, true)
}

// Commit starts the commit of a checked batch as a background job. In
// all-or-nothing mode it is refused while the dry run found failures.
func (s *Service) Commit(ctx context.Context, id ids.ID) (*View, error) {
	return s.start(ctx, id, PhaseCommit, true)
}

// CheckNow runs the dry run in the caller's goroutine (the CLI).
func (s *Service) CheckNow(ctx context.Context, id ids.ID, p Progress) (*View, error) {
	return s.runNow(ctx, id, PhaseCheck, p)
}

// CommitNow runs the commit in the caller's goroutine (the CLI).
func (s *Service) CommitNow(ctx context.Context, id ids.ID, p Progress) (*View, error) {
	return s.runNow(ctx, id, PhaseCommit, p)
}

func (s *Service) runNow(ctx context.Context, id ids.ID, phase string, p Progress) (*View, error) {
	if _, err := s.start(ctx, id, phase, false); err != nil {
		return nil, err
	}
	b, t, _, err := s.batchFor(ctx, id, false)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = func(context.Context, int, string) error { return nil }
	}
	if err := s.execute(ctx, ctx, b, t, phase, p); err != nil && !errors.Is(err, errReported) {
		if ctx.Err() != nil { // interrupted (Ctrl-C): a commit has written nothing
			s.dropSpill(context.WithoutCancel(ctx), b)
			if ferr := s.finish(context.WithoutCancel(ctx), b.ID, 0, StateCancelled, nil); ferr != nil {
				return nil, errors.Join(err, ferr)
			}
		}
		return nil, err
	}
	return s.Get(ctx, id)
}

// start moves a batch into checking or importing and, with background,
// enqueues its job in the same transaction.
func (s *Service) start(ctx context.Context, id ids.ID, phase string, background bool) (*View, error) {
	var out *View
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		b, t, p, err := s.batchFor(ctx, id, true)
		if err != nil {
			return err
		}
		kind, next := JobCheck, StateChecking
		if phase == PhaseCheck {
			if !slices.Contains(editable, b.State) {
				return errs.E(errs.Conflict, "imports.not_checkable", errs.Params{"state": b.State})
			}
			cols, err := t.Columns(ctx)
			if err != nil {
				return err
			}
			if _, _, _, err := validate(ctx, t, cols, b.Header, MappingInput{Mapping: b.Mapping, Key: b.Key, Mode: b.Mode}); err != nil {
				return err
			}
			if err := s.store.DeleteErrors(ctx, b.ID); err != nil {
				return err
			}
			b.setCounts(Counts{})
			b.ErrorCount, b.CheckedAt = 0, nil
		} else {
			kind, next = JobCommit, StateImporting
			if b.State != StateChecked {
				return errs.E(errs.Conflict, "imports.not_checked", errs.Params{"state": b.State})
			}
			if b.Mode == ModeAll && b.Failed > 0 {
				return errs.E(errs.Conflict, "imports.has_failures", errs.Params{"failed": b.Failed})
			}
		}
		b.State, b.Phase, b.Failure, b.FailureParams, b.JobID = next, phase, "", nil, 0
		if background {
			j, err := s.jobs.Enqueue(ctx, b.TenantID, kind, jobArgs{Batch: b.ID}, jobs.EnqueueOptions{CreatedBy: p.UserID})
			if err != nil {
				return err
			}
			b.JobID = j.ID
		}
		b.UpdatedAt = s.nowUTC()
		b.Version++
		if err := s.store.UpdateBatch(ctx, b); err != nil {
			return err
		}
		out, err = s.view(ctx, b, t, nil, background)
		return err
	})
	return out, err
}

// Cancel stops a running dry run or commit; a commit leaves nothing
// written. A run in this process stops at once; a queued job is
// cancelled; a job running in another process stops at its next progress
// report.
func (s *Service) Cancel(ctx context.Context, id ids.ID) (*View, error) {
	b, _, _, err := s.batchFor(ctx, id, false)
	if err != nil {
		return nil, err
	}
	if !b.running() {
		return nil, errs.E(errs.Conflict, "imports.not_running", errs.Params{"state": b.State})
	}
	if r := s.local(b.ID); r != nil {
		r.cancel(jobs.ErrCancelled)
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return s.Get(ctx, id)
	}
	if b.JobID != 0 {
		j, err := s.jobs.Cancel(system(ctx, b.TenantID), b.JobID)
		switch {
		case err == nil && j.State == jobs.Cancelled: // it was still queued: no handler will tell the batch
			if err := s.finish(ctx, b.ID, b.JobID, StateCancelled, nil); err != nil {
				return nil, err
			}
		case err == nil, errs.Is(err, errs.Conflict, ""): // flagged, or finished meanwhile
		default:
			return nil, err
		}
	}
	return s.Get(ctx, id)
}

// handle runs a job: as the uploader (his permissions and scope), in a
// context a cancel in this process stops at once.
func (s *Service) handle(ctx context.Context, j *jobs.Job, p *jobs.Progress, phase string) error {
	var args jobArgs
	if err := j.DecodeArgs(&args); err != nil {
		return jobs.Permanent(err)
	}
	b, err := s.store.Batch(ctx, args.Batch)
	if errs.KindOf(err) == errs.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	want := StateChecking
	if phase == PhaseCommit {
		want = StateImporting
	}
	if b.State != want || b.JobID != j.ID {
		return nil // cancelled while queued, or superseded
	}
	t, ok := s.Target(b.Target)
	if !ok {
		return reported(s.fail(ctx, b, errs.NotFoundf("object.import_target")))
	}
	actx := ctx
	if s.opts.Principals != nil && b.CreatedBy != 0 {
		sys := rbac.From(ctx)
		up, err := s.opts.Principals.ActAs(ctx, b.CreatedBy)
		if err != nil {
			return reported(s.fail(ctx, b, err))
		}
		if up.TimeZone == "" && sys != nil {
			up.TimeZone = sys.TimeZone
		}
		actx = rbac.WithPrincipal(ctx, up)
	}
	err = s.execute(ctx, actx, b, t, phase, func(ctx context.Context, pct int, msg string) error { return p.Set(ctx, pct, msg) })
	switch {
	case err == nil, errors.Is(err, errReported):
		return nil
	case errors.Is(err, jobs.ErrCancelled):
		return jobs.ErrCancelled
	default:
		return err
	}
}

// errReported says a run's failure is recorded on its batch already.
var errReported = errors.New("imports: failure recorded on the batch")

// reported ends a job whose failure the batch shows: no retry.
func reported(err error) error {
	if errors.Is(err, errReported) {
		return nil
	}
	return err
}

// execute runs a phase of a batch with ctx's principal and records the
// outcome on the batch. base is the job's own context: when it ends
// (the queue stops, the lease is lost) the batch is left as it is for
// the job's next attempt.
func (s *Service) execute(base, ctx context.Context, b *Batch, t Target, phase string, report Progress) error {
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	lr, err := s.startLocal(b.ID, cancel)
	if err != nil {
		return err
	}
	defer s.endLocal(b.ID, lr)
	if _, _, err := require(rctx, t); err != nil {
		return s.fail(context.WithoutCancel(ctx), b, err)
	}
	prog := func(ctx context.Context, pct int, msg string) error {
		lr.set(pct, msg)
		if rctx.Err() != nil {
			return context.Cause(rctx)
		}
		return report(ctx, pct, msg)
	}
	if phase == PhaseCheck {
		err = s.check(rctx, b, t, prog)
	} else {
		err = s.commit(rctx, b, t, prog)
		// Whatever came of it, the next commit needs a dry run first;
		// unless the job stopped with its process and will run again.
		if base.Err() == nil {
			s.dropSpill(context.WithoutCancel(ctx), b)
		}
	}
	cause := context.Cause(rctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jobs.ErrCancelled) || errors.Is(cause, jobs.ErrCancelled):
		if ferr := s.finish(context.WithoutCancel(ctx), b.ID, b.JobID, StateCancelled, nil); ferr != nil {
			return ferr
		}
		return jobs.ErrCancelled
	case base.Err() != nil:
		return err
	case errors.Is(err, errReported):
		return err
	default:
		if code, _ := errText(err); code == "imports.run_failed" {
			s.log.ErrorContext(ctx, "import run failed", "batch", b.ID, "phase", phase, "error", err)
		}
		return s.fail(context.WithoutCancel(ctx), b, err)
	}
}

// fail records why a run failed and reports it recorded.
func (s *Service) fail(ctx context.Context, b *Batch, cause error) error {
	code, params := errText(cause)
	if err := s.finish(ctx, b.ID, b.JobID, StateFailed, &failure{code: code, params: params}); err != nil {
		return err
	}
	return errReported
}

type failure struct {
	code   string
	params map[string]any
}

// finish moves a running batch to a final state, unless it moved on.
func (s *Service) finish(ctx context.Context, id, jobID ids.ID, state string, f *failure) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		b, err := s.store.LockBatch(ctx, id)
		if err != nil {
			return err
		}
		if !b.running() || b.JobID != jobID {
			return nil
		}
		b.State, b.Failure, b.FailureParams = state, "", nil
		if f != nil {
			b.Failure, b.FailureParams = f.code, f.params
		}
		b.UpdatedAt = s.nowUTC()
		b.Version++
		return s.store.UpdateBatch(ctx, b)
	})
}

// ---- the dry run

func (s *Service) check(ctx context.Context, b *Batch, t Target, prog Progress) error {
	cols, err := t.Columns(ctx)
	if err != nil {
		return err
	}
	pl, err := newPlan(b, cols)
	if err != nil {
		return err
	}
	if err := s.db.WithTx(ctx, func(ctx context.Context) error { return s.store.DeleteErrors(ctx, b.ID) }); err != nil {
		return err
	}
	// The cleaned rows go to a spill the commit replays (spill.go); a
	// dry run goes on without one if it cannot be written.
	s.dropSpill(ctx, b)
	s.sweepSpills(ctx)
	var sw *spillWriter
	if s.spill != nil {
		if sw, err = s.spill.create(b, pl, fingerprint(b, pl, s.opts)); err != nil {
			s.log.WarnContext(ctx, "import dry run without a spill", "batch", b.ID, "error", err)
			sw = nil
		}
	}
	defer func() {
		if sw != nil {
			sw.abort()
		}
	}()
	total := s.estimate(ctx, b)
	if err := prog(ctx, 0, progressText(0, total)); err != nil {
		return err
	}
	run := &Run{BatchID: b.ID.String(), Key: b.Key, CreateDepartments: b.CreateDepartments, DryRun: true, State: map[string]any{}}
	var counts Counts
	seq, done := 0, 0
	fin, finishes := t.(Finisher)
	var actions map[int]string // by line, for Finish to overrule
	if finishes {
		actions = map[int]string{}
	}
	err = s.stream(ctx, b, pl, func(rows []Row) error {
		// Spilled before Check, as the engine made them: the commit's
		// Check gets what this one got.
		if sw != nil {
			if err := sw.add(rows, pl); err != nil {
				s.log.WarnContext(ctx, "import spill dropped", "batch", b.ID, "error", err)
				sw.abort()
				sw = nil
			}
		}
		outs, err := t.Check(ctx, run, rows)
		if err != nil {
			return err
		}
		if len(outs) != len(rows) {
			return fmt.Errorf("imports: target %s checked %d rows and returned %d outcomes", t.Name(), len(rows), len(outs))
		}
		var cells []CellError
		for i := range rows {
			action, ce := pl.outcome(b, &rows[i], &outs[i], &seq)
			counts.add(action)
			cells = append(cells, ce...)
			if finishes {
				actions[rows[i].Line] = action
			}
		}
		if len(cells) > 0 {
			if err := s.db.WithTx(ctx, func(ctx context.Context) error { return s.store.InsertErrors(ctx, cells) }); err != nil {
				return err
			}
		}
		done += len(rows)
		return prog(ctx, percent(done, total), progressText(done, total))
	})
	if err != nil {
		// A dry run that stopped half-way leaves no half list behind.
		if derr := s.db.WithTx(context.WithoutCancel(ctx), func(ctx context.Context) error { return s.store.DeleteErrors(ctx, b.ID) }); derr != nil {
			s.log.ErrorContext(ctx, "clear errors of a stopped dry run", "batch", b.ID, "error", derr)
		}
		return err
	}
	if finishes {
		late, err := fin.Finish(ctx, run)
		if err != nil {
			return err
		}
		cells := pl.lateErrors(b, late, &seq)
		for line := range late {
			if a, ok := actions[line]; ok && a != ActionFailed {
				counts.remove(a)
				counts.add(ActionFailed)
				actions[line] = ActionFailed
			}
		}
		if len(cells) > 0 {
			if err := s.db.WithTx(ctx, func(ctx context.Context) error { return s.store.InsertErrors(ctx, cells) }); err != nil {
				return err
			}
		}
	}
	if sw != nil {
		err := sw.finish(done, counts)
		sw = nil
		if err != nil {
			s.log.WarnContext(ctx, "import spill dropped", "batch", b.ID, "error", err)
		}
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.store.LockBatch(ctx, b.ID)
		if err != nil {
			return err
		}
		if cur.State != StateChecking || cur.JobID != b.JobID {
			return errReported // cancelled or superseded meanwhile
		}
		now := s.nowUTC()
		cur.State, cur.Rows, cur.ErrorCount, cur.CheckedAt, cur.UpdatedAt = StateChecked, done, seq, &now, now
		cur.setCounts(counts)
		cur.Version++
		return s.store.UpdateBatch(ctx, cur)
	})
	if err != nil {
		s.dropSpill(ctx, b)
	}
	return err
}

// estimate guesses the rows of a batch's file for the progress bar.
func (s *Service) estimate(ctx context.Context, b *Batch) int {
	rc, f, err := s.files.Open(ctx, b.FileID)
	if err != nil {
		return 0
	}
	ra, done, err := readerAt(rc, f.Size)
	if err != nil {
		return 0
	}
	defer done()
	return estimateRows(ra, f.Size, b)
}

// ---- the commit

// source hands the rows of a batch to fn a chunk at a time.
type source func(ctx context.Context, fn func(rows []Row) error) error

func (s *Service) commit(ctx context.Context, b *Batch, t Target, prog Progress) error {
	cols, err := t.Columns(ctx)
	if err != nil {
		return err
	}
	pl, err := newPlan(b, cols)
	if err != nil {
		return err
	}
	fromFile := func(ctx context.Context, fn func(rows []Row) error) error { return s.stream(ctx, b, pl, fn) }
	if s.spill == nil {
		return s.commitFrom(ctx, b, t, pl, fromFile, prog)
	}
	sp, err := s.spill.open(b, pl, fingerprint(b, pl, s.opts))
	if err != nil {
		s.log.InfoContext(ctx, "import commit reads the file", "batch", b.ID, "reason", err)
		return s.commitFrom(ctx, b, t, pl, fromFile, prog)
	}
	err = s.commitFrom(ctx, b, t, pl, sp.replay, prog)
	sp.close()
	var bad *spillError
	if !errors.As(err, &bad) {
		return err
	}
	// Damaged under the commit's feet: nothing was written, start over
	// from the file.
	s.log.WarnContext(ctx, "import commit reads the file after all", "batch", b.ID, "reason", err)
	return s.commitFrom(ctx, b, t, pl, fromFile, prog)
}

// commitFrom runs the commit's transaction over the rows of src.
func (s *Service) commitFrom(ctx context.Context, b *Batch, t Target, pl *plan, src source, prog Progress) error {
	total := b.Rows
	var (
		counts  Counts
		refused []CellError
		seq     int
		changes int
		done    int
	)
	errRefused := errs.E(errs.Conflict, "imports.changed_since_check")
	err := s.db.WithTx(ctx, func(tx context.Context) error {
		if err := s.db.BulkLoad(tx); err != nil {
			return err
		}
		// Progress joins the transaction on SQLite, whose one writer it
		// holds; PostgreSQL writes it beside, where the UI sees it and a
		// cancel flag can reach it.
		pctx := ctx
		if s.db.Engine == db.SQLite {
			pctx = tx
		}
		if err := prog(pctx, 0, progressText(0, total)); err != nil {
			return err
		}
		if err := s.store.DeleteErrors(tx, b.ID); err != nil {
			return err
		}
		run := &Run{BatchID: b.ID.String(), Key: b.Key, CreateDepartments: b.CreateDepartments, State: map[string]any{}}
		err := src(tx, func(rows []Row) error {
			// The database may have changed since the dry run: check again.
			outs, err := t.Check(tx, run, rows)
			if err != nil {
				return err
			}
			if len(outs) != len(rows) {
				return fmt.Errorf("imports: target %s checked %d rows and returned %d outcomes", t.Name(), len(rows), len(outs))
			}
			var (
				cells   []CellError
				apply   []Row
				applied []Outcome
			)
			for i := range rows {
				action, ce := pl.outcome(b, &rows[i], &outs[i], &seq)
				counts.add(action)
				cells = append(cells, ce...)
				if action == ActionNew || action == ActionUpdate {
					apply, applied = append(apply, rows[i]), append(applied, outs[i])
				}
			}
			if b.Mode == ModeAll && len(cells) > 0 {
				refused = cells
				return errRefused
			}
			if len(apply) > 0 {
				list, err := t.Apply(tx, run, apply, applied)
				if err != nil {
					return err
				}
				recs := make([]ChangeRecord, len(list))
				for i, c := range list {
					changes++
					recs[i] = ChangeRecord{BatchID: b.ID, Seq: changes, ObjectType: c.ObjectType, ObjectID: c.ObjectID,
						Action: c.Action, Before: string(c.Before), After: string(c.After), Version: c.Version}
				}
				if err := s.store.InsertChanges(tx, recs); err != nil {
					return err
				}
			}
			if len(cells) > 0 {
				if err := s.store.InsertErrors(tx, cells); err != nil {
					return err
				}
			}
			done += len(rows)
			return prog(pctx, percent(done, total), progressText(done, total))
		})
		if err != nil {
			return err
		}
		if fin, ok := t.(Finisher); ok {
			late, err := fin.Finish(tx, run)
			if err != nil {
				return err
			}
			if cells := pl.lateErrors(b, late, &seq); len(cells) > 0 {
				refused = cells
				return errRefused
			}
		}
		cur, err := s.store.LockBatch(tx, b.ID)
		if err != nil {
			return err
		}
		if cur.State != StateImporting || cur.JobID != b.JobID {
			return errs.E(errs.Conflict, "stale")
		}
		now := s.nowUTC()
		cur.State, cur.Rows, cur.ErrorCount, cur.ChangeCount, cur.ImportedAt, cur.UpdatedAt = StateImported, done, seq, changes, &now, now
		cur.setCounts(counts)
		cur.Version++
		if err := s.store.UpdateBatch(tx, cur); err != nil {
			return err
		}
		return s.record(tx, "import", ObjectBatch, b.ID, map[string]any{"target": b.Target, "fileName": b.FileName,
			"mode": b.Mode, "key": b.Key, "counts": counts, "changes": changes})
	})
	if err == errRefused {
		// Nothing was written; say which rows no longer pass.
		err := s.db.WithTx(context.WithoutCancel(ctx), func(ctx context.Context) error {
			cur, err := s.store.LockBatch(ctx, b.ID)
			if err != nil {
				return err
			}
			if cur.State != StateImporting || cur.JobID != b.JobID {
				return nil
			}
			if err := s.store.DeleteErrors(ctx, b.ID); err != nil {
				return err
			}
			if err := s.store.InsertErrors(ctx, refused); err != nil {
				return err
			}
			cur.State, cur.Failure, cur.FailureParams = StateFailed, "imports.changed_since_check", map[string]any{"line": refused[0].Line}
			cur.ErrorCount, cur.UpdatedAt = len(refused), s.nowUTC()
			cur.Version++
			return s.store.UpdateBatch(ctx, cur)
		})
		if err != nil {
			return err
		}
		return errReported
	}
	return err
}

// ---- reading the file

// openFile opens a batch's stored file on its sheet.
func (s *Service) openFile(ctx context.Context, b *Batch) (*sheet.Reader, func(), error) {
	rc, f, err := s.files.Open(ctx, b.FileID)
	if err != nil {
		return nil, nil, err
	}
	ra, cleanup, err := readerAt(rc, f.Size)
	if err != nil {
		return nil, nil, err
	}
	rd, err := sheet.Open(ra, f.Size, s.opts.Limits)
	if err != nil {
		cleanup()
		return nil, nil, fileError(err)
	}
	if b.Sheet != "" {
		if err := rd.UseSheet(b.Sheet); err != nil {
			rd.Close()
			cleanup()
			return nil, nil, fileError(err)
		}
	}
	return rd, func() { rd.Close(); cleanup() }, nil
}

// seekHeader finds the batch's header row again (by its own texts), so
// Next gives the data rows.
func seekHeader(rd *sheet.Reader, b *Batch) error {
	known := map[string]bool{}
	for _, h := range b.Header {
		known[sheet.Normalise(h)] = true
	}
	if _, err := rd.Header(func(n string) bool { return known[n] }); err != nil {
		return fileError(err)
	}
	return nil
}

// stream reads the data rows of a batch's file, cleaned and mapped, and
// hands them to fn a chunk at a time; only one chunk is held.
func (s *Service) stream(ctx context.Context, b *Batch, pl *plan, fn func(rows []Row) error) error {
	rd, done, err := s.openFile(ctx, b)
	if err != nil {
		return err
	}
	defer done()
	if err := seekHeader(rd, b); err != nil {
		return err
	}
	size := s.opts.ChunkSize
	rows := make([]Row, 0, size)
	first := true
	for rd.Next() {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if first {
			first = false
			if pl.example(rd.Row()) {
				continue
			}
		}
		row, ok := pl.row(rd.Line(), rd.Row())
		if !ok {
			continue
		}
		rows = append(rows, row)
		if len(rows) == size {
			if err := fn(rows); err != nil {
				return err
			}
			rows = make([]Row, 0, size)
		}
	}
	if err := rd.Err(); err != nil {
		return fileError(err)
	}
	if len(rows) > 0 {
		return fn(rows)
	}
	return nil
}

// plan is how a batch's file columns become a target's: which file
// column feeds which target column.
type plan struct {
	cols     []Column // mapped columns
	index    []int    // their file column
	examples []map[string]bool
	header   []string
	byKey    map[string]int // column key -> position in cols
}

func newPlan(b *Batch, cols []Column) (*plan, error) {
	byKey := map[string]Column{}
	for _, c := range cols {
		byKey[c.Key] = c
	}
	pl := &plan{header: b.Header, byKey: map[string]int{}}
	for i, h := range b.Header {
		k := b.Mapping[h]
		if k == "" {
			continue
		}
		c, ok := byKey[k]
		if !ok {
			return nil, errs.E(errs.Conflict, "imports.column_gone", errs.Params{"column": k})
		}
		pl.byKey[k] = len(pl.cols)
		pl.cols = append(pl.cols, c)
		pl.index = append(pl.index, i)
		pl.examples = append(pl.examples, examples(c))
	}
	if len(pl.cols) == 0 {
		return nil, errs.E(errs.Invalid, "imports.nothing_mapped")
	}
	return pl, nil
}

// example reports whether a row is the template's example row, left in.
func (pl *plan) example(cells []string) bool {
	filled := false
	for i := range pl.cols {
		v := ""
		if j := pl.index[i]; j < len(cells) {
			v = clean.Text(cells[j])
		}
		if v != "" {
			filled = true
		}
		if !pl.examples[i][v] {
			return false
		}
	}
	return filled
}

// row cleans the mapped cells of a file row; rows whose mapped cells are
// all empty are skipped.
func (pl *plan) row(line int, cells []string) (Row, bool) {
	r := Row{Line: line, Values: make(map[string]string, len(pl.cols))}
	empty := true
	for i, c := range pl.cols {
		raw := ""
		if j := pl.index[i]; j < len(cells) {
			// Renshi's exports put an apostrophe before what a spreadsheet
			// would run as a formula (as a spreadsheet's own text marker
			// does): read back, the value is what was exported.
			raw = export.Unescape(cells[j])
		}
		v, code, params := cleanCell(c, raw)
		if raw != v || code != "" {
			r.typed = append(r.typed, typedCell{key: c.Key, text: raw})
		}
		if v != "" || raw != "" {
			empty = false
		}
		if code != "" {
			r.Errors = append(r.Errors, FieldError{Column: c.Key, Code: code, Params: params})
			continue
		}
		r.Values[c.Key] = v
	}
	if empty {
		return Row{}, false
	}
	for _, c := range pl.cols {
		if v, ok := r.Values[c.Key]; c.Required && ok && v == "" {
			r.Errors = append(r.Errors, FieldError{Column: c.Key, Code: "imports.required_value"})
		}
	}
	return r, true
}

// cleanCell reads a cell by its column's kind. Kinds the target knows
// better (ID numbers, departments, employees) are only trimmed here.
func cleanCell(c Column, raw string) (string, string, map[string]any) {
	v := clean.Text(raw)
	if v == "" {
		return "", "", nil
	}
	code := ""
	switch c.Kind {
	case KindDate:
		d, e := clean.Date(v)
		if code = e; e == "" {
			v = d.String()
		}
	case KindEnum:
		v, code = clean.Enum(v, c.Choices)
	case KindMobile:
		v, code = clean.Mobile(v)
	case KindEmail:
		v, code = clean.Email(v)
	case KindDecimal:
		d, e := clean.Decimal(v)
		if code = e; e == "" {
			v = d.String()
		}
	case KindBool:
		b, e := clean.Bool(v)
		if code = e; e == "" {
			v = strconv.FormatBool(b)
		}
	}
	if code != "" {
		return "", code, nil
	}
	if c.Max > 0 && utf8.RuneCountInString(v) > c.Max {
		return "", "imports.too_long", map[string]any{"max": c.Max}
	}
	return v, "", nil
}

// outcome settles a row: the engine's cleaning problems and the
// target's, as cell errors (numbered from *seq); any problem fails it.
func (pl *plan) outcome(b *Batch, r *Row, out *Outcome, seq *int) (string, []CellError) {
	// A cell the engine could not clean is missing from Values: what
	// the target says about that column follows from it and is dropped.
	fes := slices.Clone(r.Errors)
	for _, fe := range out.Errors {
		if fe.Column == "" || !slices.ContainsFunc(r.Errors, func(e FieldError) bool { return e.Column == fe.Column }) {
			fes = append(fes, fe)
		}
	}
	action := out.Action
	switch {
	case len(fes) > 0:
		action = ActionFailed
	case action != ActionNew && action != ActionUpdate && action != ActionUnchanged:
		action = ActionFailed
		fes = append(fes, FieldError{Code: "imports.row_failed"})
	}
	if action != ActionFailed {
		return action, nil
	}
	cells := make([]CellError, 0, len(fes))
	seen := map[[2]string]bool{}
	for _, fe := range fes {
		k := [2]string{fe.Column, fe.Code}
		if seen[k] {
			continue
		}
		seen[k] = true
		*seq++
		ce := CellError{BatchID: b.ID, Seq: *seq, Line: r.Line, Index: -1, Column: fe.Column, Code: fe.Code, Params: fe.Params}
		if i, ok := pl.byKey[fe.Column]; ok {
			c := pl.cols[i]
			ce.Index, ce.Header = pl.index[i], pl.header[pl.index[i]]
			ce.Value = r.typedText(fe.Column)
			if c.Sensitive {
				ce.Value = Mask(ce.Value)
			}
		}
		cells = append(cells, ce)
	}
	return action, cells
}

// lateErrors turns a Finisher's problems into cell errors, in line
// order (the cell's value is not at hand any more).
func (pl *plan) lateErrors(b *Batch, late map[int][]FieldError, seq *int) []CellError {
	lines := slices.Sorted(maps.Keys(late))
	var cells []CellError
	for _, line := range lines {
		for _, fe := range late[line] {
			*seq++
			ce := CellError{BatchID: b.ID, Seq: *seq, Line: line, Index: -1, Column: fe.Column, Code: fe.Code, Params: fe.Params}
			if i, ok := pl.byKey[fe.Column]; ok {
				ce.Index, ce.Header = pl.index[i], pl.header[pl.index[i]]
			}
			cells = append(cells, ce)
		}
	}
	return cells
}

// Mask hides most of a sensitive value: "110105********002X".
func Mask(s string) string {
	r := []rune(s)
	n := len(r)
	switch {
	case n == 0:
		return ""
	case n <= 4:
		return "****"
	case n <= 8:
		return string(r[:1]) + "****" + string(r[n-1:])
	}
	keepHead, keepTail := min(6, n/3), min(4, n/4)
	out := make([]rune, 0, n)
	out = append(out, r[:keepHead]...)
	for range n - keepHead - keepTail {
		out = append(out, '*')
	}
	return string(append(out, r[n-keepTail:]...))
}
