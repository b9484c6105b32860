// Package audit keeps the append-only, hash-chained audit log. Every write
// records who did what to which object, with a before/after diff, in the
// same transaction as the write; reads of sensitive personal data are
// recorded too.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

func init() {
	i18n.Register(i18n.ZH, map[string]string{
		"export.audit":     "审计日志",
		"field.at":         "时间",
		"field.actor":      "操作人",
		"field.action":     "动作",
		"field.objectType": "对象类型",
		"field.objectId":   "对象编号",
		"field.diff":       "变更内容",
		"field.requestId":  "请求编号",
		"field.ip":         "IP 地址",
	})
	i18n.Register(i18n.EN, map[string]string{
		"export.audit":     "audit-log",
		"field.at":         "Time",
		"field.actor":      "Actor",
		"field.action":     "Action",
		"field.objectType": "Object type",
		"field.objectId":   "Object id",
		"field.diff":       "Changes",
		"field.requestId":  "Request id",
		"field.ip":         "IP address",
	})
}

// Entry is one row of the log.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	TenantID   ids.ID          `bun:"tenant_id,pk" json:"-"`
	ID         ids.ID          `bun:"id,pk" json:"id"`
	Seq        int64           `bun:"seq" json:"seq"`
	At         time.Time       `bun:"at" json:"at"`
	ActorID    ids.ID          `bun:"actor_id" json:"actorId"`
	ActorLogin string          `bun:"actor_login" json:"actorLogin"`
	Action     string          `bun:"action" json:"action"`
	ObjectType string          `bun:"object_type" json:"objectType"`
	ObjectID   string          `bun:"object_id" json:"objectId"`
	Diff       json.RawMessage `bun:"diff,type:text" json:"diff"`
	RequestID  string          `bun:"request_id" json:"requestId"`
	IP         string          `bun:"ip" json:"ip"`
	PrevHash   string          `bun:"prev_hash" json:"-"`
	Hash       string          `bun:"hash" json:"-"`
}

// Event is what a service records. Diff is usually the result of Diff();
// for sensitive reads it lists the fields read.
type Event struct {
	Action     string // verb in snake case: create, update, delete, login, read_sensitive ...
	ObjectType string // e.g. "user", "role"
	ObjectID   string
	Diff       any
}

// Origin describes where a request came from; the web layer puts it in ctx.
type Origin struct {
	RequestID string
	IP        string
}

type originKey struct{}

// WithOrigin stores the request origin for audit records.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFrom returns the request origin in ctx, if any.
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// Log writes and reads the audit log.
type Log struct {
	db  *db.DB
	key []byte
	now func() time.Time
}

// New returns the audit log on d. Rows are chained with HMAC-SHA-256 under
// key (derived from the master key), so someone who can write to the
// database but does not hold the key cannot forge a consistent chain.
func New(d *db.DB, key []byte) *Log {
	if len(key) < 32 {
		panic("audit: chain key must be at least 32 bytes")
	}
	return &Log{db: d, key: key, now: time.Now}
}

const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Record appends an event for the calling principal's tenant. It joins
// the transaction in ctx, so the audit row commits or rolls back with the
// write it describes.
func (l *Log) Record(ctx context.Context, ev Event) error {
	p := rbac.From(ctx)
	if p == nil || p.TenantID == 0 {
		return fmt.Errorf("audit: no principal for %s %s", ev.Action, ev.ObjectType)
	}
	return l.RecordFor(ctx, p.TenantID, p.UserID, p.Login, ev)
}

// RecordFor appends an event with an explicit actor: used where no
// principal exists yet (a failed login) or for operator CLI commands.
func (l *Log) RecordFor(ctx context.Context, tenantID, actorID ids.ID, actorLogin string, ev Event) error {
	diff := []byte("{}")
	if ev.Diff != nil {
		b, err := json.Marshal(ev.Diff)
		if err != nil {
			return fmt.Errorf("audit: diff: %w", err)
		}
		diff = b
	}
	o := OriginFrom(ctx)
	return l.db.WithTx(ctx, func(ctx context.Context) error {
		conn := l.db.Conn(ctx)
		// Bumping the head first takes its row lock on PostgreSQL, so
		// concurrent writers of one tenant append one after another.
		seq, prev, err := bumpHead(ctx, conn, tenantID)
		if err != nil {
			return err
		}
		e := &Entry{
			TenantID: tenantID, ID: ids.New(), Seq: seq,
			// Microseconds: both engines store that precision, and the
			// hash must be recomputable from the stored row.
			At:      l.now().UTC().Truncate(time.Microsecond),
			ActorID: actorID, ActorLogin: actorLogin,
			Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID,
			Diff: diff, RequestID: o.RequestID, IP: o.IP, PrevHash: prev,
		}
		e.Hash = e.computeHash(l.key)
		if _, err := conn.NewInsert().Model(e).Exec(ctx); err != nil {
			return fmt.Errorf("audit: insert: %w", err)
		}
		if _, err := conn.NewUpdate().Table("audit_heads").Set("hash = ?", e.Hash).Where("tenant_id = ?", tenantID).Exec(ctx); err != nil {
			return fmt.Errorf("audit: head: %w", err)
		}
		return nil
	})
}

func bumpHead(ctx context.Context, conn bun.IDB, tenantID ids.ID) (int64, string, error) {
	for range 2 {
		var head struct {
			Seq  int64  `bun:"seq"`
			Hash string `bun:"hash"`
		}
		err := conn.NewRaw("UPDATE audit_heads SET seq = seq + 1 WHERE tenant_id = ? RETURNING seq, hash", tenantID).Scan(ctx, &head)
		if err == nil {
			return head.Seq, head.Hash, nil
		}
		if !isNoRows(err) {
			return 0, "", fmt.Errorf("audit: head: %w", err)
		}
		if _, err := conn.NewRaw("INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?, 0, ?) ON CONFLICT (tenant_id) DO NOTHING", tenantID, genesis).Exec(ctx); err != nil {
			return 0, "", fmt.Errorf("audit: head: %w", err)
		}
	}
	return 0, "", fmt.Errorf("audit: head for tenant %d not found", tenantID)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// computeHash covers every stored field and the previous hash, so editing,
// inserting or deleting a row breaks the chain from that row on.
func (e *Entry) computeHash(key []byte) string {
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "%d\x1f%d\x1f%d\x1f%s\x1f%d\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
		e.TenantID, e.ID, e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.ActorLogin,
		e.Action, e.ObjectType, e.ObjectID, canonicalJSON(e.Diff), e.RequestID, e.IP, e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalJSON re-encodes JSON so that PostgreSQL and SQLite round trips
// hash alike (key order and spacing normalised).
func canonicalJSON(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return string(b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
