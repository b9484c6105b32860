package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/ids"
)

// Session is a signed-in browser. The cookie carries "<tenant>.<secret>";
// the database keeps only the secret's SHA-256, so a leaked table cannot
// be replayed as cookies.
type Session struct {
	bun.BaseModel `bun:"table:auth_sessions"`

	TenantID      ids.ID    `bun:"tenant_id,pk"`
	ID            string    `bun:"id,pk"`
	UserID        ids.ID    `bun:"user_id"`
	CreatedAt     time.Time `bun:"created_at"`
	LastSeenAt    time.Time `bun:"last_seen_at"`
	IdleExpiresAt time.Time `bun:"idle_expires_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
	MFAPending    bool      `bun:"mfa_pending"`
	IP            string    `bun:"ip"`
	UserAgent     string    `bun:"user_agent"`
}

// Token is an API token for integrations, scoped to some of its owner's
// permissions. The bearer value is "rs_<tenant>_<id>_<secret>"; only the
// secret's SHA-256 is stored.
type Token struct {
	bun.BaseModel `bun:"table:auth_tokens"`

	TenantID    ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID          ids.ID     `bun:"id,pk" json:"id"`
	UserID      ids.ID     `bun:"user_id" json:"userId"`
	Name        string     `bun:"name" json:"name"`
	SecretHash  string     `bun:"secret_hash" json:"-"`
	Prefix      string     `bun:"prefix" json:"prefix"`
	Permissions []string   `bun:"permissions,type:text" json:"permissions"`
	ExpiresAt   time.Time  `bun:"expires_at" json:"expiresAt"`
	RevokedAt   *time.Time `bun:"revoked_at" json:"revokedAt"`
	LastUsedAt  *time.Time `bun:"last_used_at" json:"lastUsedAt" audit:"-"`
	CreatedAt   time.Time  `bun:"created_at" json:"createdAt"`
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func sameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// sessionCookieValue joins tenant and secret.
func sessionCookieValue(tenant ids.ID, secret string) string {
	return tenant.String() + "." + secret
}

// parseSessionCookie splits a cookie value; ok is false for garbage.
func parseSessionCookie(v string) (ids.ID, string, bool) {
	t, secret, ok := strings.Cut(v, ".")
	if !ok || len(secret) != 43 {
		return 0, "", false
	}
	id, err := ids.Parse(t)
	return id, secret, err == nil
}

const tokenPrefix = "rs_"

func tokenValue(tenant, id ids.ID, secret string) string {
	return tokenPrefix + tenant.String() + "_" + id.String() + "_" + secret
}

func parseToken(v string) (tenant, id ids.ID, secret string, ok bool) {
	if !strings.HasPrefix(v, tokenPrefix) {
		return 0, 0, "", false
	}
	parts := strings.SplitN(v[len(tokenPrefix):], "_", 3)
	if len(parts) != 3 || len(parts[2]) != 43 {
		return 0, 0, "", false
	}
	t, err1 := strconv.ParseInt(parts[0], 10, 64)
	i, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || t <= 0 || i <= 0 {
		return 0, 0, "", false
	}
	return ids.ID(t), ids.ID(i), parts[2], true
}
