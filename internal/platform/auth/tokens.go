package auth

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// NewToken asks for an API token.
type NewToken struct {
	Name        string
	Permissions []string
	ExpiresAt   time.Time
}

// Tokens lists the caller's API tokens.
func (s *Service) Tokens(ctx context.Context) ([]Token, error) {
	p, _, err := rbac.Require(ctx, rbac.TokenManage)
	if err != nil {
		return nil, err
	}
	return s.store.Tokens(ctx, p.UserID)
}

// CreateToken issues an API token acting as the caller, limited to the
// chosen permissions (which the caller must hold). The secret is returned
// once and never stored.
func (s *Service) CreateToken(ctx context.Context, n NewToken) (*Token, string, error) {
	p, _, err := rbac.Require(ctx, rbac.TokenManage)
	if err != nil {
		return nil, "", err
	}
	if p.TokenID != 0 {
		// A token must not mint tokens: it could outlive its own expiry.
		return nil, "", errs.Denied(rbac.TokenManage)
	}
	now := s.now().UTC()
	var f errs.Fields
	n.Name = strings.TrimSpace(n.Name)
	f.Check(n.Name != "", "name", "required")
	f.Check(utf8.RuneCountInString(n.Name) <= 50, "name", "too_long", errs.Params{"max": 50})
	f.Check(len(n.Permissions) > 0, "permissions", "required")
	for _, perm := range n.Permissions {
		if !rbac.Known(perm) || !p.Can(perm) {
			f.Add("permissions", "rbac.cannot_grant", errs.Params{"permission": perm})
			break
		}
	}
	f.Check(n.ExpiresAt.After(now) && n.ExpiresAt.Before(now.AddDate(1, 0, 1)), "expiresAt", "auth.token_expiry")
	if err := f.Err(); err != nil {
		return nil, "", err
	}
	secret := newSecret()
	t := &Token{TenantID: p.TenantID, ID: ids.New(), UserID: p.UserID, Name: n.Name, SecretHash: hashSecret(secret),
		Permissions: normalize(n.Permissions), ExpiresAt: n.ExpiresAt.UTC(), CreatedAt: now}
	value := tokenValue(p.TenantID, t.ID, secret)
	t.Prefix = value[:len(tokenPrefix)+8] + "…"
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.InsertToken(ctx, t); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: "token", ObjectID: t.ID.String(), Diff: audit.Diff(nil, t)})
	})
	if err != nil {
		return nil, "", err
	}
	return t, value, nil
}

// RevokeToken ends one of the caller's tokens.
func (s *Service) RevokeToken(ctx context.Context, id ids.ID) error {
	p, _, err := rbac.Require(ctx, rbac.TokenManage)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.store.Token(ctx, id)
		if err != nil || t.UserID != p.UserID {
			return errs.NotFoundf("object.token")
		}
		if t.RevokedAt != nil {
			return nil
		}
		now := s.now().UTC()
		if err := s.store.RevokeToken(ctx, id, now); err != nil {
			return err
		}
		before := *t
		t.RevokedAt = &now
		return s.audit.Record(ctx, audit.Event{Action: "revoke", ObjectType: "token", ObjectID: id.String(), Diff: audit.Diff(&before, t)})
	})
}

func normalize(perms []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range perms {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
