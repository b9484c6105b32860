package audit

import (
	"context"
	"fmt"

	"github.com/renshi/renshi/internal/platform/ids"
)

// Problem kinds found by Verify.
const (
	ProblemEdited   = "edited"   // the row's content no longer matches its hash
	ProblemDeleted  = "deleted"  // a sequence number is missing
	ProblemInserted = "inserted" // the row does not link to its predecessor
	ProblemTail     = "tail"     // rows after the last one were deleted, or the head was altered
)

// Break is the first place a tenant's chain is broken.
type Break struct {
	TenantID ids.ID `json:"tenantId"`
	Seq      int64  `json:"seq"`
	EntryID  ids.ID `json:"entryId"`
	Problem  string `json:"problem"`
}

func (b Break) String() string {
	return fmt.Sprintf("tenant %d: row seq %d (id %d) %s", b.TenantID, b.Seq, b.EntryID, b.Problem)
}

// Report is the outcome of verifying one tenant's chain.
type Report struct {
	TenantID ids.ID `json:"tenantId"`
	Rows     int64  `json:"rows"`
	Break    *Break `json:"break,omitempty"`
}

// OK reports whether the chain is intact.
func (r Report) OK() bool { return r.Break == nil }

const verifyBatch = 2000

// Verify walks a tenant's chain in order and reports the first edited,
// inserted or deleted row. progress, if not nil, is called with rows
// checked and the total.
func (l *Log) Verify(ctx context.Context, tenantID ids.ID, progress func(done, total int64)) (Report, error) {
	rep := Report{TenantID: tenantID}
	conn := l.db.Conn(ctx)
	total, err := conn.NewSelect().Model((*Entry)(nil)).Where("tenant_id = ?", tenantID).Count(ctx)
	if err != nil {
		return rep, err
	}
	prevHash, lastSeq := genesis, int64(0)
	for {
		var batch []Entry
		if err := conn.NewSelect().Model(&batch).Where("tenant_id = ?", tenantID).Where("seq > ?", lastSeq).
			Order("seq").Limit(verifyBatch).Scan(ctx); err != nil {
			return rep, err
		}
		for i := range batch {
			e := &batch[i]
			rep.Rows++
			switch {
			case e.Seq > lastSeq+1:
				rep.Break = &Break{TenantID: tenantID, Seq: lastSeq + 1, EntryID: e.ID, Problem: ProblemDeleted}
			case e.computeHash(l.key) != e.Hash:
				rep.Break = &Break{TenantID: tenantID, Seq: e.Seq, EntryID: e.ID, Problem: ProblemEdited}
			case e.PrevHash != prevHash:
				rep.Break = &Break{TenantID: tenantID, Seq: e.Seq, EntryID: e.ID, Problem: ProblemInserted}
			}
			if rep.Break != nil {
				return rep, nil
			}
			prevHash, lastSeq = e.Hash, e.Seq
		}
		if progress != nil {
			progress(rep.Rows, int64(total))
		}
		if len(batch) < verifyBatch {
			break
		}
	}
	var head struct {
		Seq  int64  `bun:"seq"`
		Hash string `bun:"hash"`
	}
	err = conn.NewRaw("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?", tenantID).Scan(ctx, &head)
	if isNoRows(err) {
		if lastSeq != 0 {
			rep.Break = &Break{TenantID: tenantID, Seq: lastSeq, Problem: ProblemTail}
		}
		return rep, nil
	}
	if err != nil {
		return rep, err
	}
	switch {
	case lastSeq > head.Seq: // rows appended behind the log's back
		rep.Break = &Break{TenantID: tenantID, Seq: head.Seq + 1, Problem: ProblemInserted}
	case lastSeq < head.Seq || head.Hash != prevHash:
		rep.Break = &Break{TenantID: tenantID, Seq: lastSeq + 1, Problem: ProblemTail}
	}
	return rep, nil
}

// Tenants lists the tenants that have an audit chain.
func (l *Log) Tenants(ctx context.Context) ([]ids.ID, error) {
	var out []ids.ID
	err := l.db.Conn(ctx).NewRaw("SELECT tenant_id FROM audit_heads ORDER BY tenant_id").Scan(ctx, &out)
	return out, err
}
