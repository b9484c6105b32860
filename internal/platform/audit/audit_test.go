package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func principal(tenant ids.ID, perms map[string]rbac.Scope) context.Context {
	p := rbac.NewPrincipal(rbac.Principal{TenantID: tenant, UserID: 7, Login: "alice"}, perms)
	return rbac.WithPrincipal(context.Background(), p)
}

func seed(t *testing.T, d *db.DB, l *audit.Log, tenant ids.ID, n int) context.Context {
	t.Helper()
	ctx := principal(tenant, map[string]rbac.Scope{rbac.AuditRead: {All: true}})
	ctx = audit.WithOrigin(ctx, audit.Origin{RequestID: "req-1", IP: "127.0.0.1"})
	for i := 1; i <= n; i++ {
		ev := audit.Event{Action: "update", ObjectType: "user", ObjectID: fmt.Sprint(i),
			Diff: map[string]audit.Change{"displayName": {Before: "a", After: fmt.Sprintf("b%d", i)}}}
		if err := d.WithTx(ctx, func(ctx context.Context) error { return l.Record(ctx, ev) }); err != nil {
			t.Fatal(err)
		}
	}
	return ctx
}

func verify(t *testing.T, l *audit.Log, tenant ids.ID) audit.Report {
	t.Helper()
	r, err := l.Verify(context.Background(), tenant, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestChainVerifiesAndDetectsTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  string // SQL run against the database behind the log's back
		seq     int64
		problem string
	}{
		{"edited diff", "UPDATE audit_log SET diff = '{\"displayName\":{\"before\":\"a\",\"after\":\"evil\"}}' WHERE seq = 3", 3, audit.ProblemEdited},
		{"edited actor", "UPDATE audit_log SET actor_login = 'mallory' WHERE seq = 2", 2, audit.ProblemEdited},
		{"deleted middle", "DELETE FROM audit_log WHERE seq = 4", 4, audit.ProblemDeleted},
		{"deleted tail", "DELETE FROM audit_log WHERE seq = 5", 5, audit.ProblemTail},
		{"re-linked", "UPDATE audit_log SET prev_hash = hash WHERE seq = 2", 2, audit.ProblemEdited},
		{"appended row", "INSERT INTO audit_log (tenant_id, id, seq, at, actor_id, actor_login, action, object_type, object_id, diff, request_id, ip, prev_hash, hash) " +
			"SELECT tenant_id, id + 1, 6, at, actor_id, actor_login, action, object_type, object_id, diff, request_id, ip, hash, hash FROM audit_log WHERE seq = 5", 6, audit.ProblemEdited},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := dbtest.MustOpen(t)
			l := audit.New(d, testKey)
			tenant := ids.New()
			other := ids.New()
			seed(t, d, l, tenant, 5)
			seed(t, d, l, other, 2)
			if r := verify(t, l, tenant); !r.OK() || r.Rows != 5 {
				t.Fatalf("fresh chain: %+v", r)
			}
			if _, err := d.Raw().Exec(tc.tamper + fmt.Sprintf(" AND tenant_id = %d", tenant)); err != nil {
				t.Fatal(err)
			}
			r := verify(t, l, tenant)
			if r.OK() || r.Break.Seq != tc.seq || r.Break.Problem != tc.problem {
				t.Fatalf("got %+v, want seq %d %s", r.Break, tc.seq, tc.problem)
			}
			if r := verify(t, l, other); !r.OK() {
				t.Fatalf("other tenant's chain must stay intact: %+v", r.Break)
			}
		})
	}
}

// The issue asks for tampering with the sqlite3 command-line tool, the
// way an intruder with file access would.
func TestTamperWithSQLiteCLI(t *testing.T) {
	if dbtest.PostgresDSN() != "" {
		t.Skip("SQLite file test")
	}
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed")
	}
	dsn := dbtest.DSN(t)
	d, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	l := audit.New(d, testKey)
	tenant := ids.New()
	seed(t, d, l, tenant, 3)
	path := strings.TrimPrefix(dsn, "sqlite:")
	out, err := exec.Command(sqlite3, path, "UPDATE audit_log SET object_id = '999' WHERE seq = 2;").CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3: %v %s", err, out)
	}
	r := verify(t, l, tenant)
	if r.OK() || r.Break.Seq != 2 || r.Break.Problem != audit.ProblemEdited {
		t.Fatalf("got %+v", r.Break)
	}
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	d := dbtest.MustOpen(t)
	l := audit.New(d, testKey)
	tenant := ids.New()
	ctx := principal(tenant, nil)
	var wg sync.WaitGroup
	errc := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errc <- d.WithTx(ctx, func(ctx context.Context) error {
				return l.Record(ctx, audit.Event{Action: "create", ObjectType: "thing", ObjectID: fmt.Sprint(i)})
			})
		}(i)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	if r := verify(t, l, tenant); !r.OK() || r.Rows != 40 {
		t.Fatalf("%+v", r)
	}
}

func TestRecordRollsBackWithTheWrite(t *testing.T) {
	d := dbtest.MustOpen(t)
	l := audit.New(d, testKey)
	tenant := ids.New()
	ctx := principal(tenant, map[string]rbac.Scope{rbac.AuditRead: {All: true}})
	_ = d.WithTx(ctx, func(ctx context.Context) error {
		if err := l.Record(ctx, audit.Event{Action: "create", ObjectType: "user", ObjectID: "1"}); err != nil {
			t.Fatal(err)
		}
		return errs.E(errs.Invalid, "invalid")
	})
	_, total, err := l.List(ctx, audit.Filter{})
	if err != nil || total != 0 {
		t.Fatalf("total %d err %v: the audit row must roll back with the write", total, err)
	}
	if r := verify(t, l, tenant); !r.OK() {
		t.Fatalf("%+v", r.Break)
	}
}

func TestListFiltersAndScope(t *testing.T) {
	d := dbtest.MustOpen(t)
	l := audit.New(d, testKey)
	tenant := ids.New()
	ctx := seed(t, d, l, tenant, 5)
	seed(t, d, l, ids.New(), 3) // another tenant's rows are never listed
	items, total, err := l.List(ctx, audit.Filter{Page: 1, PageSize: 2})
	if err != nil || total != 5 || len(items) != 2 || items[0].Seq != 5 {
		t.Fatalf("total %d items %d err %v", total, len(items), err)
	}
	var diff map[string]audit.Change
	if err := json.Unmarshal(items[0].Diff, &diff); err != nil || diff["displayName"].After != "b5" {
		t.Fatalf("diff %s", items[0].Diff)
	}
	if items[0].RequestID != "req-1" || items[0].IP != "127.0.0.1" {
		t.Fatalf("origin not recorded: %+v", items[0])
	}
	_, total, _ = l.List(ctx, audit.Filter{ObjectID: "3"})
	if total != 1 {
		t.Fatalf("object filter: %d", total)
	}
	// Self scope: only the caller's own actions.
	self := principal(tenant, map[string]rbac.Scope{rbac.AuditRead: {Self: true}})
	self = rbac.WithPrincipal(self, rbac.NewPrincipal(rbac.Principal{TenantID: tenant, UserID: 8, Login: "bob"}, map[string]rbac.Scope{rbac.AuditRead: {Self: true}}))
	if _, total, _ := l.List(self, audit.Filter{}); total != 0 {
		t.Fatalf("self scope sees %d rows of others", total)
	}
	none := principal(tenant, map[string]rbac.Scope{})
	if _, _, err := l.List(none, audit.Filter{}); errs.KindOf(err) != errs.Forbidden {
		t.Fatalf("want forbidden, got %v", err)
	}
}

type record struct {
	Name     string `json:"name"`
	IDNumber string `json:"idNumber" audit:"redact"`
	Hash     string `json:"-"`
	Secret   string `json:"secret" audit:"-"`
	Same     int    `json:"same"`
}

func TestDiffRedactsAndSkips(t *testing.T) {
	d := audit.Diff(&record{Name: "a", IDNumber: "110101199003074514", Hash: "x", Secret: "s", Same: 1},
		&record{Name: "b", IDNumber: "320102198001011234", Hash: "y", Secret: "t", Same: 1})
	if len(d) != 2 || d["name"].After != "b" || d["idNumber"].Before != audit.Redacted || d["idNumber"].After != audit.Redacted {
		t.Fatalf("%+v", d)
	}
	created := audit.Diff(nil, &record{Name: "n"})
	if created["name"].After != "n" || created["name"].Before != nil {
		t.Fatalf("%+v", created)
	}
}
