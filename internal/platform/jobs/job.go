// Package jobs is Renshi's durable background-job queue: jobs live in the
// platform_jobs table next to the business data, are enqueued in the same
// transaction as the write that causes them, and are claimed by workers in
// any number of processes with leases, retries and progress the UI shows.
// ADR 0001 explains why this is ours rather than river.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/ids"
)

// State is where a job is in its life.
type State string

const (
	Queued    State = "queued"    // waiting for run_at and a free worker
	Running   State = "running"   // claimed by a worker holding a lease
	Succeeded State = "succeeded" // finished; Result holds its outcome
	Failed    State = "failed"    // attempts exhausted or a permanent error
	Cancelled State = "cancelled" // stopped at a user's request
)

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	switch s {
	case Queued, Running, Succeeded, Failed, Cancelled:
		return true
	}
	return false
}

// Finished reports whether the job will not run again unless retried.
func (s State) Finished() bool { return s == Succeeded || s == Failed || s == Cancelled }

// Job is one row of platform_jobs. Args stay out of JSON: they may hold
// personal data the job list must not show.
type Job struct {
	bun.BaseModel `bun:"table:platform_jobs"`

	TenantID        ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID              ids.ID    `bun:"id,pk" json:"id"`
	Kind            string    `bun:"kind" json:"kind"`
	Args            string    `bun:"args" json:"-"`
	State           State     `bun:"state" json:"state"`
	Attempt         int       `bun:"attempt" json:"attempt"`
	MaxAttempts     int       `bun:"max_attempts" json:"maxAttempts"`
	RunAt           time.Time `bun:"run_at" json:"runAt"`
	LeaseOwner      string    `bun:"lease_owner" json:"-"`
	LeaseUntil      time.Time `bun:"lease_until,nullzero" json:"-"`
	Progress        int       `bun:"progress" json:"progress"`
	Message         string    `bun:"message" json:"message"`
	Result          RawJSON   `bun:"result" json:"result"`
	LastError       string    `bun:"last_error" json:"lastError"`
	UniqueKey       string    `bun:"unique_key,nullzero" json:"-"`
	CancelRequested bool      `bun:"cancel_requested" json:"cancelRequested"`
	CreatedBy       ids.ID    `bun:"created_by" json:"createdBy"`
	CreatedAt       time.Time `bun:"created_at" json:"createdAt"`
	StartedAt       time.Time `bun:"started_at,nullzero" json:"startedAt,omitzero"`
	FinishedAt      time.Time `bun:"finished_at,nullzero" json:"finishedAt,omitzero"`
	UpdatedAt       time.Time `bun:"updated_at" json:"updatedAt"`
}

var _ bun.AfterScanRowHook = (*Job)(nil)

// AfterScanRow shows every instant in UTC whichever driver read it.
func (j *Job) AfterScanRow(context.Context) error {
	for _, t := range []*time.Time{&j.RunAt, &j.LeaseUntil, &j.CreatedAt, &j.StartedAt, &j.FinishedAt, &j.UpdatedAt} {
		if !t.IsZero() {
			*t = t.UTC()
		}
	}
	return nil
}

// DecodeArgs unmarshals the job's arguments into v.
func (j *Job) DecodeArgs(v any) error { return json.Unmarshal([]byte(j.Args), v) }

// RawJSON is JSON text kept in a TEXT column; empty means none (JSON null).
type RawJSON string

// MarshalJSON embeds the text as JSON.
func (r RawJSON) MarshalJSON() ([]byte, error) {
	if r == "" {
		return []byte("null"), nil
	}
	return []byte(r), nil
}

// UnmarshalJSON keeps the JSON text as it is.
func (r *RawJSON) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*r = ""
		return nil
	}
	*r = RawJSON(b)
	return nil
}

// ErrCancelled is returned by Progress.Set (and is the cause of the
// handler's context) once a user asked to cancel the running job.
var ErrCancelled = errors.New("jobs: cancelled")

// errLeaseLost means another process reclaimed the job (this one stalled
// past its lease): the handler is cancelled and its outcome discarded.
var errLeaseLost = errors.New("jobs: lease lost")

// errShutdown cancels handlers still running when Stop's deadline passes;
// their jobs go back to the queue without spending an attempt.
var errShutdown = errors.New("jobs: queue stopped")

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying: the job fails at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
