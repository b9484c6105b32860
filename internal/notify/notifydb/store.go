// Package notifydb stores the notify module's data with bun on SQLite or
// PostgreSQL. Every query is scoped to the principal's tenant.
package notifydb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Store is the bun notify store.
type Store struct{ db *db.DB }

// New returns the store.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ notify.Store = (*Store)(nil)

func (s *Store) conn(ctx context.Context) (bun.IDB, ids.ID, error) {
	t, err := rbac.Tenant(ctx)
	return s.db.Conn(ctx), t, err
}

// chunk is the rows per multi-row statement: 12 columns × 1,000 stays
// under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const chunk = 1000

func (s *Store) InsertNotifications(ctx context.Context, rows []notify.Notification) ([]ids.ID, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []ids.ID
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		for i := range part {
			part[i].TenantID = t
		}
		// DO NOTHING on the (tenant, user, key) index: a key already sent
		// to a user is skipped, and RETURNING names only the rows written.
		var got []ids.ID
		if err := c.NewInsert().Model(&part).On("CONFLICT DO NOTHING").Returning("id").Scan(ctx, &got); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (s *Store) InsertDeliveries(ctx context.Context, rows []notify.Delivery) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		for i := range part {
			part[i].TenantID = t
		}
		if _, err := c.NewInsert().Model(&part).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) EmailChoices(ctx context.Context, category string, userIDs []ids.ID) (map[ids.ID]bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := map[ids.ID]bool{}
	for start := 0; start < len(userIDs); start += chunk {
		var rows []notify.Preference
		if err := c.NewSelect().Model(&rows).Column("user_id", "email").
			Where("tenant_id = ? AND category = ? AND user_id IN (?)", t, category, bun.In(userIDs[start:min(start+chunk, len(userIDs))])).
			Scan(ctx); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.UserID] = r.Email
		}
	}
	return out, nil
}

func (s *Store) Preferences(ctx context.Context, userID ids.ID) ([]notify.Preference, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []notify.Preference
	err = c.NewSelect().Model(&out).Where("tenant_id = ? AND user_id = ?", t, userID).Order("category").Scan(ctx)
	return out, err
}

func (s *Store) SavePreferences(ctx context.Context, prefs []notify.Preference) error {
	if len(prefs) == 0 {
		return nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for i := range prefs {
		prefs[i].TenantID = t
	}
	_, err = c.NewInsert().Model(&prefs).On("CONFLICT (tenant_id, user_id, category) DO UPDATE").
		Set("email = EXCLUDED.email").Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	return err
}

func (s *Store) Inbox(ctx context.Context, userID ids.ID, f notify.InboxFilter) ([]notify.Notification, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []notify.Notification{}
	q := c.NewSelect().Model(&out).Where("tenant_id = ? AND user_id = ?", t, userID)
	if f.UnreadOnly {
		q = q.Where("read_at IS NULL")
	}
	n, err := db.ScanPage(ctx, q.Order("id DESC"), f.Page, f.Size)
	return out, n, err
}

func (s *Store) UnreadCount(ctx context.Context, userID ids.ID, limit int) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	// Counting at most limit rows of the partial unread index keeps the
	// bell cheap however full an inbox gets.
	err = c.NewRaw(`SELECT count(*) FROM (SELECT 1 FROM notify_notifications
		WHERE tenant_id = ? AND user_id = ? AND read_at IS NULL LIMIT ?) AS u`, t, userID, limit).Scan(ctx, &n)
	return n, err
}

func (s *Store) MarkRead(ctx context.Context, userID, id ids.ID, at time.Time) (bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return false, err
	}
	res, err := c.NewUpdate().Table("notify_notifications").Set("read_at = ?", at).
		Where("tenant_id = ? AND user_id = ? AND id = ? AND read_at IS NULL", t, userID, id).Exec(ctx)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	return c.NewSelect().Table("notify_notifications").Where("tenant_id = ? AND user_id = ? AND id = ?", t, userID, id).Exists(ctx)
}

func (s *Store) MarkAllRead(ctx context.Context, userID ids.ID, at time.Time) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	res, err := c.NewUpdate().Table("notify_notifications").Set("read_at = ?", at).
		Where("tenant_id = ? AND user_id = ? AND read_at IS NULL", t, userID).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// rowColumns are a delivery with what it delivers.
const rowColumns = "d.*, n.template, n.params, n.link, n.object_type, n.object_id"

func (s *Store) rows(c bun.IDB, out *[]notify.DeliveryRow) *bun.SelectQuery {
	return c.NewSelect().Model(out).ModelTableExpr("notify_deliveries AS d").ColumnExpr(rowColumns).
		Join("JOIN notify_notifications AS n ON n.tenant_id = d.tenant_id AND n.id = d.notification_id")
}

func (s *Store) DeliveryRows(ctx context.Context, idList []ids.ID) ([]notify.DeliveryRow, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := []notify.DeliveryRow{}
	if len(idList) == 0 {
		return out, nil
	}
	err = s.rows(c, &out).Where("d.tenant_id = ? AND d.id IN (?)", t, bun.In(idList)).Order("d.id").Scan(ctx)
	return out, err
}

func (s *Store) ClaimDelivery(ctx context.Context, d *notify.Delivery, now time.Time) (bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return false, err
	}
	var attempts []int
	err = c.NewRaw(`UPDATE notify_deliveries SET state = 'sending', attempts = attempts + 1, claim_token = ?, claimed_until = ?,
			message_id = ?, address = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ? AND (state = 'pending' OR (state = 'sending' AND claimed_until < ?))
		RETURNING attempts`,
		d.ClaimToken, d.ClaimedUntil, d.MessageID, d.Address, d.UpdatedAt, t, d.ID, now).Scan(ctx, &attempts)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	if len(attempts) == 0 {
		return false, nil
	}
	d.Attempts = attempts[0]
	return true, nil
}

func (s *Store) SaveDelivery(ctx context.Context, d *notify.Delivery, token string) (bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return false, err
	}
	q := c.NewUpdate().Table("notify_deliveries").
		Set("state = ?", d.State).Set("address = ?", d.Address).Set("message_id = ?", d.MessageID).
		Set("last_error = ?", d.LastError).Set("claim_token = ''").Set("claimed_until = NULL").Set("updated_at = ?", d.UpdatedAt).
		Where("tenant_id = ? AND id = ? AND state <> 'sent'", t, d.ID)
	if d.SentAt.IsZero() {
		q = q.Set("sent_at = NULL")
	} else {
		q = q.Set("sent_at = ?", d.SentAt)
	}
	if d.State != notify.DeliverySent {
		// A server that accepted the message settles it whoever held the
		// claim; any other outcome only from the run holding it.
		q = q.Where("(state <> 'sending' OR claim_token = ?)", token)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func (s *Store) Deliveries(ctx context.Context, f notify.DeliveryFilter) ([]notify.DeliveryRow, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []notify.DeliveryRow{}
	q := s.rows(c, &out).Where("d.tenant_id = ?", t)
	if f.State != "" {
		q = q.Where("d.state = ?", f.State)
	}
	if f.UserID != 0 {
		q = q.Where("d.user_id = ?", f.UserID)
	}
	n, err := db.ScanPage(ctx, q.Order("d.id DESC"), f.Page, f.Size)
	return out, n, err
}

func (s *Store) RequeueDelivery(ctx context.Context, id, jobID ids.ID, now time.Time) (bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return false, err
	}
	res, err := c.NewUpdate().Table("notify_deliveries").Set("state = 'pending'").Set("job_id = ?", jobID).
		Set("claim_token = ''").Set("claimed_until = NULL").Set("updated_at = ?", now).
		Where("tenant_id = ? AND id = ? AND state = 'failed'", t, id).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func (s *Store) SMTPSettings(ctx context.Context) (*notify.SMTPSettings, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	st := new(notify.SMTPSettings)
	err = c.NewSelect().Model(st).Where("tenant_id = ?", t).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return st, err
}

func (s *Store) SaveSMTPSettings(ctx context.Context, st *notify.SMTPSettings) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	st.TenantID = t
	if st.Version == 1 {
		_, err := c.NewInsert().Model(st).Exec(ctx)
		return err
	}
	res, err := c.NewUpdate().Model(st).ExcludeColumn("tenant_id", "id", "created_at").
		Where("tenant_id = ? AND id = ? AND version = ?", t, st.ID, st.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) DeleteSMTPSettings(ctx context.Context) (bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return false, err
	}
	res, err := c.NewDelete().Table("notify_smtp_settings").Where("tenant_id = ?", t).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
