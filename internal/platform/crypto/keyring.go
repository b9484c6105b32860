// Package crypto encrypts sensitive personal data at rest with AES-256-GCM
// under a key ring, and computes keyed hashes for exact-match lookups.
//
// Keys: a master key (32 bytes, from RENSHI_MASTER_KEY or a key file; never
// stored in the database) wraps the data keys kept in crypto_keys. Each
// ciphertext names the data key that sealed it, so `renshi keys rotate` can
// add a new active key and re-encrypt old values without downtime.
package crypto

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Key purposes in crypto_keys.
const (
	purposeData  = "data"  // seals values; one is active
	purposeIndex = "index" // keys the blind index (never rotated: indexes would change)
	purposeAudit = "audit" // keys the audit hash chain
)

// prefix marks our ciphertexts: v1.<key id>.<base64(nonce|sealed)>.
const prefix = "v1."

// ErrWrongMasterKey means the stored keys cannot be unwrapped.
var ErrWrongMasterKey = errors.New("crypto: the master key does not unwrap the stored keys (wrong RENSHI_MASTER_KEY or key file?)")

// Keyring holds the unwrapped keys in memory.
type Keyring struct {
	db     *db.DB
	master cipher.AEAD

	mu     sync.RWMutex
	data   map[string]cipher.AEAD
	active string
	index  []byte
	audit  []byte
}

type keyRow struct {
	bun.BaseModel `bun:"table:crypto_keys"`

	ID        string    `bun:"id,pk"`
	Purpose   string    `bun:"purpose"`
	Wrapped   string    `bun:"wrapped"`
	Active    bool      `bun:"active"`
	CreatedAt time.Time `bun:"created_at"`
}

// NewMasterKey returns 32 random bytes, base64-encoded, for a key file.
func NewMasterKey() string {
	return base64.StdEncoding.EncodeToString(randBytes(32))
}

// ParseMasterKey decodes a base64 master key of 32 bytes.
func ParseMasterKey(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != 32 {
		return nil, errors.New("crypto: master key must be 32 bytes, base64-encoded (generate one with `openssl rand -base64 32`)")
	}
	return b, nil
}

// Open loads the key ring, creating the first keys on a new database.
func Open(ctx context.Context, d *db.DB, master []byte) (*Keyring, error) {
	m, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	k := &Keyring{db: d, master: m}
	if err := k.ensure(ctx); err != nil {
		return nil, err
	}
	return k, k.Reload(ctx)
}

func (k *Keyring) ensure(ctx context.Context) error {
	return k.db.WithTx(ctx, func(ctx context.Context) error {
		var purposes []string
		if err := k.db.Conn(ctx).NewRaw("SELECT DISTINCT purpose FROM crypto_keys").Scan(ctx, &purposes); err != nil {
			return err
		}
		have := map[string]bool{}
		for _, p := range purposes {
			have[p] = true
		}
		for _, p := range []string{purposeData, purposeIndex, purposeAudit} {
			if !have[p] {
				if err := k.insertKey(ctx, p, true); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (k *Keyring) insertKey(ctx context.Context, purpose string, active bool) error {
	id := purpose[:1] + ids.New().String()
	raw := randBytes(32)
	row := &keyRow{ID: id, Purpose: purpose, Wrapped: k.wrap(id, raw), Active: active, CreatedAt: time.Now().UTC()}
	// ON CONFLICT keeps two servers starting on one new database from
	// failing; the loser just loads the winner's keys.
	_, err := k.db.Conn(ctx).NewInsert().Model(row).On("CONFLICT DO NOTHING").Exec(ctx)
	return err
}

// Reload re-reads the keys (after another process rotated them).
func (k *Keyring) Reload(ctx context.Context) error {
	var rows []keyRow
	if err := k.db.Conn(ctx).NewSelect().Model(&rows).Order("created_at").Scan(ctx); err != nil {
		return err
	}
	data := map[string]cipher.AEAD{}
	var active string
	var index, auditKey []byte
	for _, r := range rows {
		raw, err := k.unwrap(r.ID, r.Wrapped)
		if err != nil {
			return err
		}
		switch r.Purpose {
		case purposeData:
			a, err := newAEAD(raw)
			if err != nil {
				return err
			}
			data[r.ID] = a
			if r.Active {
				active = r.ID
			}
		case purposeIndex:
			if index == nil {
				index = raw
			}
		case purposeAudit:
			if auditKey == nil {
				auditKey = raw
			}
		}
	}
	if active == "" || index == nil || auditKey == nil {
		return errors.New("crypto: key ring incomplete")
	}
	k.mu.Lock()
	k.data, k.active, k.index, k.audit = data, active, index, auditKey
	k.mu.Unlock()
	return nil
}

// ActiveKeyID names the data key new values are sealed with.
func (k *Keyring) ActiveKeyID() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.active
}

// AuditKey keys the audit log's hash chain.
func (k *Keyring) AuditKey() []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.audit
}

// AAD binds a ciphertext to its column and tenant, so a value copied into
// another column or tenant does not decrypt.
func AAD(table, column string, tenantID ids.ID) string {
	return fmt.Sprintf("%s.%s/%d", table, column, tenantID)
}

// Encrypt seals plain under the active key. Empty stays empty, so "not
// given" needs no ciphertext.
func (k *Keyring) Encrypt(aad, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	k.mu.RLock()
	id, a := k.active, k.data[k.active]
	k.mu.RUnlock()
	nonce := randBytes(a.NonceSize())
	sealed := a.Seal(nonce, nonce, []byte(plain), []byte(aad))
	return prefix + id + "." + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a value sealed by Encrypt.
func (k *Keyring) Decrypt(ctx context.Context, aad, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	id, body, ok := splitSealed(sealed)
	if !ok {
		return "", errors.New("crypto: not a sealed value")
	}
	k.mu.RLock()
	a := k.data[id]
	k.mu.RUnlock()
	if a == nil { // sealed by a key another process just created
		if err := k.Reload(ctx); err != nil {
			return "", err
		}
		k.mu.RLock()
		a = k.data[id]
		k.mu.RUnlock()
		if a == nil {
			return "", fmt.Errorf("crypto: unknown key %s", id)
		}
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < a.NonceSize() {
		return "", errors.New("crypto: corrupt sealed value")
	}
	plain, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], []byte(aad))
	if err != nil {
		return "", errors.New("crypto: sealed value does not open (tampered or moved)")
	}
	return string(plain), nil
}

// KeyIDOf returns the key id a sealed value names.
func KeyIDOf(sealed string) string {
	id, _, _ := splitSealed(sealed)
	return id
}

func splitSealed(s string) (id, body string, ok bool) {
	if !strings.HasPrefix(s, prefix) {
		return "", "", false
	}
	id, body, ok = strings.Cut(s[len(prefix):], ".")
	return id, body, ok
}

// BlindIndex is a keyed hash of a normalised value for exact-match lookup
// of encrypted fields. field separates columns so equal values in two
// columns do not match each other.
func (k *Keyring) BlindIndex(field, value string) string {
	if value == "" {
		return ""
	}
	k.mu.RLock()
	key := k.index
	k.mu.RUnlock()
	m := hmac.New(sha256.New, key)
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(value))))
	return hex.EncodeToString(m.Sum(nil))
}

func (k *Keyring) wrap(id string, raw []byte) string {
	nonce := randBytes(k.master.NonceSize())
	return base64.StdEncoding.EncodeToString(k.master.Seal(nonce, nonce, raw, []byte("renshi-key/"+id)))
}

func (k *Keyring) unwrap(id, wrapped string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(wrapped)
	if err != nil || len(b) < k.master.NonceSize() {
		return nil, ErrWrongMasterKey
	}
	raw, err := k.master.Open(nil, b[:k.master.NonceSize()], b[k.master.NonceSize():], []byte("renshi-key/"+id))
	if err != nil {
		return nil, ErrWrongMasterKey
	}
	return raw, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, errors.New("crypto: AES-256 needs a 32-byte key")
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}
