package auth

import (
	"context"
	"time"

	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Store persists accounts, sessions and tokens of the principal's tenant.
type Store interface {
	InsertUser(ctx context.Context, u *User) error
	// UpdateUser saves profile, status and password fields if the stored
	// version is u.Version-1.
	UpdateUser(ctx context.Context, u *User) error
	// CountFailedLogin adds one failed sign-in atomically and returns the count.
	CountFailedLogin(ctx context.Context, userID ids.ID) (int, error)
	// SaveLoginState saves lockout counters, last login, TOTP step and a
	// rehashed password without touching the version.
	SaveLoginState(ctx context.Context, u *User) error
	User(ctx context.Context, id ids.ID) (*User, error)
	UserByLogin(ctx context.Context, login string) (*User, error)
	UserByEmployee(ctx context.Context, employeeID ids.ID) (*User, error)
	// Users lists one page; scope limits the rows to what the caller may see.
	Users(ctx context.Context, f UserFilter, scope rbac.Scope, self ids.ID) ([]User, int, error)
	// EachUser streams every matching user (exports).
	EachUser(ctx context.Context, f UserFilter, scope rbac.Scope, self ids.ID, fn func(*User) error) error
	// UsersByHash finds accounts by a blind-index column value.
	UsersByHash(ctx context.Context, column, hash string) ([]User, error)

	InsertSession(ctx context.Context, s *Session) error
	Session(ctx context.Context, id string) (*Session, error)
	TouchSession(ctx context.Context, s *Session) error
	SetSessionMFA(ctx context.Context, id string, pending bool) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions signs a user out everywhere except keep.
	DeleteUserSessions(ctx context.Context, userID ids.ID, keep string) error
	// DeleteExpiredSessions removes dead sessions of every tenant.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	InsertToken(ctx context.Context, t *Token) error
	Token(ctx context.Context, id ids.ID) (*Token, error)
	Tokens(ctx context.Context, userID ids.ID) ([]Token, error)
	RevokeToken(ctx context.Context, id ids.ID, at time.Time) error
	TouchToken(ctx context.Context, id ids.ID, at time.Time) error
}
