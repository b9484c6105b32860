package crypto

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/ids"
)

// Column is an encrypted column: each module registers its own, so key
// rotation re-encrypts them all. The table's key is (tenant_id, id) and
// values are sealed with AAD(Table, Column, tenant_id).
type Column struct {
	Table  string
	Column string
}

var (
	colMu   sync.Mutex
	columns = map[Column]bool{}
)

// RegisterColumn declares an encrypted column.
func RegisterColumn(c Column) {
	colMu.Lock()
	defer colMu.Unlock()
	columns[c] = true
}

// Columns lists the registered encrypted columns.
func Columns() []Column {
	colMu.Lock()
	defer colMu.Unlock()
	out := make([]Column, 0, len(columns))
	for c := range columns {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Table+out[i].Column < out[j].Table+out[j].Column })
	return out
}

// Rotate creates a new active data key. Old keys stay to open old values
// until Reencrypt has resealed them.
func (k *Keyring) Rotate(ctx context.Context) (string, error) {
	err := k.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := k.db.Conn(ctx).NewRaw("UPDATE crypto_keys SET active = FALSE WHERE purpose = ?", purposeData).Exec(ctx); err != nil {
			return err
		}
		return k.insertKey(ctx, purposeData, true)
	})
	if err != nil {
		return "", err
	}
	if err := k.Reload(ctx); err != nil {
		return "", err
	}
	return k.ActiveKeyID(), nil
}

const reencryptBatch = 500

// Reencrypt reseals every registered column's values that are not under
// the active key, in small transactions, and returns how many changed. A
// value changed by a user meanwhile is left alone (it is already sealed
// under the active key).
func (k *Keyring) Reencrypt(ctx context.Context, progress func(col Column, done int)) (int, error) {
	active := k.ActiveKeyID()
	total := 0
	for _, c := range Columns() {
		done := 0
		for {
			var rows []struct {
				TenantID ids.ID `bun:"tenant_id"`
				ID       ids.ID `bun:"id"`
				Value    string `bun:"value"`
			}
			err := k.db.Conn(ctx).NewRaw("SELECT tenant_id, id, ? AS value FROM ? WHERE ? <> '' AND ? NOT LIKE ? ORDER BY tenant_id, id LIMIT ?",
				bun.Ident(c.Column), bun.Ident(c.Table), bun.Ident(c.Column), bun.Ident(c.Column), prefix+active+".%", reencryptBatch).Scan(ctx, &rows)
			if err != nil {
				return total, fmt.Errorf("crypto: scan %s.%s: %w", c.Table, c.Column, err)
			}
			if len(rows) == 0 {
				break
			}
			err = k.db.WithTx(ctx, func(ctx context.Context) error {
				for _, r := range rows {
					aad := AAD(c.Table, c.Column, r.TenantID)
					plain, err := k.Decrypt(ctx, aad, r.Value)
					if err != nil {
						return fmt.Errorf("crypto: %s.%s tenant %d id %d: %w", c.Table, c.Column, r.TenantID, r.ID, err)
					}
					sealed, err := k.Encrypt(aad, plain)
					if err != nil {
						return err
					}
					if _, err := k.db.Conn(ctx).NewRaw("UPDATE ? SET ? = ? WHERE tenant_id = ? AND id = ? AND ? = ?",
						bun.Ident(c.Table), bun.Ident(c.Column), sealed, r.TenantID, r.ID, bun.Ident(c.Column), r.Value).Exec(ctx); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return total, err
			}
			done += len(rows)
			total += len(rows)
			if progress != nil {
				progress(c, done)
			}
		}
	}
	return total, nil
}
