package auth

import (
	"context"
	"slices"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Me is what the signed-in user sees of himself.
type Me struct {
	ID                     ids.ID   `json:"id"`
	Login                  string   `json:"login"`
	DisplayName            string   `json:"displayName"`
	Email                  string   `json:"email"`
	Locale                 string   `json:"locale"`
	Tenant                 MeTenant `json:"tenant"`
	Roles                  []string `json:"roles"`
	Permissions            []string `json:"permissions"`
	MustChangePassword     bool     `json:"mustChangePassword"`
	TOTPEnabled            bool     `json:"totpEnabled"`
	TOTPEnrollmentRequired bool     `json:"totpEnrollmentRequired"`
	PasswordMinLength      int      `json:"passwordMinLength"`
}

// MeTenant is the caller's tenant as /auth/me shows it.
type MeTenant struct {
	ID       ids.ID `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	TimeZone string `json:"timeZone"`
	Locale   string `json:"locale"`
}

// Me describes the caller.
func (s *Service) Me(ctx context.Context) (*Me, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.store.User(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	t, err := s.tenants.Get(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	roles := p.Roles
	if roles == nil {
		roles = []string{}
	}
	return &Me{
		ID: u.ID, Login: u.Login, DisplayName: u.DisplayName, Email: u.Email, Locale: p.Locale,
		Tenant: MeTenant{ID: t.ID, Code: t.Code, Name: t.Name, TimeZone: t.TimeZone, Locale: t.Locale},
		Roles:  roles, Permissions: p.Permissions(),
		MustChangePassword:     u.MustChangePassword,
		TOTPEnabled:            u.TOTPEnabled,
		TOTPEnrollmentRequired: p.Restriction == "auth.totp_enrollment_required",
		PasswordMinLength:      t.PasswordMinLength,
	}, nil
}

// ChangePassword replaces the caller's password after checking the
// current one, and signs him out of every other session.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	u, err := s.store.User(ctx, p.UserID)
	if err != nil {
		return err
	}
	t, err := s.tenants.Get(ctx, p.TenantID)
	if err != nil {
		return err
	}
	if ok, _ := CheckPassword(u.PasswordHash, current); !ok {
		return errs.InvalidField("currentPassword", "auth.wrong_password")
	}
	if err := CheckPasswordPolicy("newPassword", next, u.Login, t.PasswordMinLength); err != nil {
		return err
	}
	if current == next {
		return errs.InvalidField("newPassword", "auth.same_password")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		u.PasswordHash = HashPassword(next)
		u.PasswordChangedAt = s.now().UTC()
		u.MustChangePassword = false
		u.Version++
		u.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.store.DeleteUserSessions(ctx, u.ID, p.SessionID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "change_password", ObjectType: "user", ObjectID: u.ID.String()})
	})
}

// SetLocale saves the caller's language.
func (s *Service) SetLocale(ctx context.Context, locale string) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	if !i18n.Valid(locale) {
		return errs.InvalidField("locale", "invalid_choice")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.store.User(ctx, p.UserID)
		if err != nil {
			return err
		}
		before := *u
		u.Locale = locale
		u.Version++
		u.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: "user", ObjectID: u.ID.String(), Diff: audit.Diff(&before, u)})
	})
}

// TOTPSetup is a new, not yet enabled, two-factor secret.
type TOTPSetup struct {
	Secret     string `json:"secret"`
	OtpauthURL string `json:"otpauthUrl"`
}

// SetupTOTP generates a secret for the caller; it takes effect once
// EnableTOTP confirms a code from the app.
func (s *Service) SetupTOTP(ctx context.Context) (*TOTPSetup, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var out *TOTPSetup
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.store.User(ctx, p.UserID)
		if err != nil {
			return err
		}
		if u.TOTPEnabled {
			return errs.E(errs.Conflict, "auth.totp_already_enabled")
		}
		t, err := s.tenants.Get(ctx, p.TenantID)
		if err != nil {
			return err
		}
		secret := NewTOTPSecret()
		if u.TOTPSecretEnc, err = s.seal(colTOTP, u, secret); err != nil {
			return err
		}
		if err := s.store.SaveLoginState(ctx, u); err != nil {
			return err
		}
		out = &TOTPSetup{Secret: secret, OtpauthURL: TOTPURL("Renshi "+t.Name, u.Login, secret)}
		return nil
	})
	return out, err
}

// EnableTOTP turns two-factor sign-in on after checking a code.
func (s *Service) EnableTOTP(ctx context.Context, code string) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.store.User(ctx, p.UserID)
		if err != nil {
			return err
		}
		if u.TOTPEnabled {
			return errs.E(errs.Conflict, "auth.totp_already_enabled")
		}
		if u.TOTPSecretEnc == "" {
			return errs.E(errs.Conflict, "auth.totp_not_set_up")
		}
		secret, err := s.open(ctx, colTOTP, u, u.TOTPSecretEnc)
		if err != nil {
			return err
		}
		step, ok := CheckTOTP(secret, code, s.now(), u.TOTPLastStep)
		if !ok {
			return errs.InvalidField("code", "auth.invalid_totp")
		}
		before := *u
		u.TOTPEnabled, u.TOTPLastStep = true, step
		u.Version++
		u.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		if p.SessionID != "" {
			if err := s.store.SetSessionMFA(ctx, p.SessionID, false); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Event{Action: "enable_totp", ObjectType: "user", ObjectID: u.ID.String(), Diff: audit.Diff(&before, u)})
	})
}

// DisableTOTP turns two-factor sign-in off after checking the password.
// A super admin whose tenant requires it cannot.
func (s *Service) DisableTOTP(ctx context.Context, password string) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.store.User(ctx, p.UserID)
		if err != nil {
			return err
		}
		if ok, _ := CheckPassword(u.PasswordHash, password); !ok {
			return errs.InvalidField("password", "auth.wrong_password")
		}
		t, err := s.tenants.Get(ctx, p.TenantID)
		if err != nil {
			return err
		}
		if t.RequireAdminTOTP && slices.Contains(p.Roles, rbac.SuperAdmin) {
			return errs.E(errs.Conflict, "auth.totp_required_by_tenant")
		}
		return s.clearTOTP(ctx, u)
	})
}

func (s *Service) clearTOTP(ctx context.Context, u *User) error {
	before := *u
	u.TOTPEnabled, u.TOTPSecretEnc, u.TOTPLastStep = false, "", 0
	u.Version++
	u.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Event{Action: "disable_totp", ObjectType: "user", ObjectID: u.ID.String(), Diff: audit.Diff(&before, u)})
}
