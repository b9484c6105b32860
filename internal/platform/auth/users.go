package auth

import (
	"context"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// UserView is an account as lists and forms show it: personal fields
// masked, roles attached.
type UserView struct {
	ID                 ids.ID       `json:"id"`
	Login              string       `json:"login"`
	DisplayName        string       `json:"displayName"`
	Email              string       `json:"email"`
	Mobile             string       `json:"mobile"`
	IDNumber           string       `json:"idNumber"`
	Status             string       `json:"status"`
	Locked             bool         `json:"locked"`
	LockedUntil        *time.Time   `json:"lockedUntil"`
	LastLoginAt        *time.Time   `json:"lastLoginAt"`
	MustChangePassword bool         `json:"mustChangePassword"`
	TOTPEnabled        bool         `json:"totpEnabled"`
	Locale             string       `json:"locale"`
	EmployeeID         *ids.ID      `json:"employeeId"`
	Grants             []rbac.Grant `json:"grants"`
	CreatedAt          time.Time    `json:"createdAt"`
	Version            int          `json:"version"`
}

// Sensitive is the unmasked personal data of an account.
type Sensitive struct {
	Mobile   string `json:"mobile"`
	IDNumber string `json:"idNumber"`
}

func (s *Service) view(ctx context.Context, u *User, grants []rbac.Grant) (UserView, error) {
	if err := s.decryptProfile(ctx, u); err != nil {
		return UserView{}, err
	}
	if grants == nil {
		grants = []rbac.Grant{}
	}
	now := s.now()
	return UserView{
		ID: u.ID, Login: u.Login, DisplayName: u.DisplayName, Email: u.Email,
		Mobile: crypto.MaskMobile(u.Mobile), IDNumber: crypto.MaskIDNumber(u.IDNumber),
		Status: u.Status, Locked: u.Locked(now), LockedUntil: u.LockedUntil, LastLoginAt: u.LastLoginAt,
		MustChangePassword: u.MustChangePassword, TOTPEnabled: u.TOTPEnabled, Locale: u.Locale, EmployeeID: u.EmployeeID,
		Grants: grants, CreatedAt: u.CreatedAt, Version: u.Version,
	}, nil
}

// hashFilter turns an exact mobile or ID number query into a blind-index
// lookup, so encrypted fields are searchable without decrypting a table.
func (s *Service) hashFilter(f *UserFilter) {
	if m, ok := validate.Mobile(f.Query); ok {
		f.mobileHash = s.keys.BlindIndex("mobile", m)
	} else if info, ok := validate.IDNumber(f.Query); ok {
		f.idNumberHash = s.keys.BlindIndex("id_number", info.Number)
	}
}

// Users lists accounts the caller may see.
func (s *Service) Users(ctx context.Context, f UserFilter) ([]UserView, int, error) {
	p, scope, err := rbac.Require(ctx, rbac.UserRead)
	if err != nil {
		return nil, 0, err
	}
	s.hashFilter(&f)
	users, total, err := s.store.Users(ctx, f, scope, p.UserID)
	if err != nil {
		return nil, 0, err
	}
	idList := make([]ids.ID, len(users))
	for i := range users {
		idList[i] = users[i].ID
	}
	grants, err := s.roles.GrantsOf(ctx, idList)
	if err != nil {
		return nil, 0, err
	}
	out := make([]UserView, len(users))
	for i := range users {
		if out[i], err = s.view(ctx, &users[i], grants[users[i].ID]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// EachUser streams the accounts the caller may see (exports). With
// unmask, personal fields come unmasked: the caller must hold
// platform.user.read_sensitive and the export is audited.
func (s *Service) EachUser(ctx context.Context, f UserFilter, unmask bool, fn func(UserView) error) error {
	p, scope, err := rbac.Require(ctx, rbac.UserRead)
	if err != nil {
		return err
	}
	if unmask {
		if _, _, err := rbac.Require(ctx, rbac.UserReadSensitive); err != nil {
			return err
		}
		if err := s.db.WithTx(ctx, func(ctx context.Context) error {
			return s.audit.Record(ctx, audit.Event{Action: "export_sensitive", ObjectType: "user", Diff: map[string]any{"fields": []string{"mobile", "idNumber"}}})
		}); err != nil {
			return err
		}
	}
	s.hashFilter(&f)
	return s.store.EachUser(ctx, f, scope, p.UserID, func(u *User) error {
		grants, err := s.roles.Grants(ctx, u.ID)
		if err != nil {
			return err
		}
		v, err := s.view(ctx, u, grants)
		if err != nil {
			return err
		}
		if unmask {
			v.Mobile, v.IDNumber = u.Mobile, u.IDNumber
		}
		return fn(v)
	})
}

// visibleUser loads an account the caller may see under perm.
func (s *Service) visibleUser(ctx context.Context, perm string, id ids.ID) (*rbac.Principal, *User, error) {
	p, scope, err := rbac.Require(ctx, perm)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.User(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !scope.All && u.ID != p.UserID {
		return nil, nil, errs.NotFoundf("object.user")
	}
	return p, u, nil
}

// User returns one account.
func (s *Service) User(ctx context.Context, id ids.ID) (*UserView, error) {
	_, u, err := s.visibleUser(ctx, rbac.UserRead, id)
	if err != nil {
		return nil, err
	}
	grants, err := s.roles.Grants(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, u, grants)
	return &v, err
}

// RevealSensitive returns an account's unmasked personal data and
// records that the caller read it.
func (s *Service) RevealSensitive(ctx context.Context, id ids.ID) (*Sensitive, error) {
	_, u, err := s.visibleUser(ctx, rbac.UserReadSensitive, id)
	if err != nil {
		return nil, err
	}
	if err := s.decryptProfile(ctx, u); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		return s.audit.Record(ctx, audit.Event{Action: "read_sensitive", ObjectType: "user", ObjectID: u.ID.String(),
			Diff: map[string]any{"fields": []string{"mobile", "idNumber"}}})
	})
	if err != nil {
		return nil, err
	}
	return &Sensitive{Mobile: u.Mobile, IDNumber: u.IDNumber}, nil
}

// CreateUser adds an account. Without a password one is generated and
// returned once; the user must change it at first sign-in.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (*UserView, string, error) {
	p, _, err := rbac.Require(ctx, rbac.UserCreate)
	if err != nil {
		return nil, "", err
	}
	if err := n.Validate(); err != nil {
		return nil, "", err
	}
	t, err := s.tenants.Get(ctx, p.TenantID)
	if err != nil {
		return nil, "", err
	}
	initial := ""
	if n.Password == "" {
		initial = GeneratePassword()
		n.Password = initial
	} else if err := CheckPasswordPolicy("password", n.Password, n.Login, t.PasswordMinLength); err != nil {
		return nil, "", err
	}
	now := s.now().UTC()
	u := &User{
		TenantID: p.TenantID, ID: ids.New(), Login: n.Login, DisplayName: n.DisplayName, Email: n.Email,
		Mobile: n.Mobile, IDNumber: n.IDNumber, PasswordHash: HashPassword(n.Password), PasswordChangedAt: now,
		MustChangePassword: initial != "", Status: StatusActive, Locale: n.Locale, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.sealProfile(u); err != nil {
		return nil, "", err
	}
	if n.EmployeeID != 0 {
		if err := s.checkEmployee(ctx, p.TenantID, n.EmployeeID, 0); err != nil {
			return nil, "", err
		}
		u.EmployeeID = &n.EmployeeID
	}
	var view UserView
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.UserByLogin(ctx, u.Login); err == nil {
			return errs.InvalidField("login", "auth.login_taken")
		}
		if err := s.store.InsertUser(ctx, u); err != nil {
			return err
		}
		grants, err := s.roles.ReplaceGrants(ctx, u.ID, n.Grants)
		if err != nil {
			return err
		}
		diff := audit.Diff(nil, u)
		diff["grants"] = audit.Change{After: grantSummary(grants)}
		if err := s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: "user", ObjectID: u.ID.String(), Diff: diff}); err != nil {
			return err
		}
		view, err = s.view(ctx, u, grants)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return &view, initial, nil
}

// UpdateUser changes an account's profile or status.
func (s *Service) UpdateUser(ctx context.Context, id ids.ID, up UserUpdate) (*UserView, error) {
	var view UserView
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		p, u, err := s.visibleUser(ctx, rbac.UserUpdate, id)
		if err != nil {
			return err
		}
		if up.Version != u.Version {
			return errs.E(errs.Conflict, "stale")
		}
		if err := s.decryptProfile(ctx, u); err != nil {
			return err
		}
		before := *u
		if err := up.Apply(u); err != nil {
			return err
		}
		if u.ID == p.UserID && u.Status != StatusActive {
			return errs.InvalidField("status", "auth.cannot_disable_self")
		}
		if up.EmployeeID != nil {
			if *up.EmployeeID == 0 {
				u.EmployeeID = nil
			} else {
				if err := s.checkEmployee(ctx, p.TenantID, *up.EmployeeID, u.ID); err != nil {
					return err
				}
				u.EmployeeID = up.EmployeeID
			}
		}
		if err := s.sealProfile(u); err != nil {
			return err
		}
		u.Version++
		u.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		if u.Status != StatusActive && before.Status == StatusActive {
			if err := s.store.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		if err := s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: "user", ObjectID: u.ID.String(), Diff: audit.Diff(&before, u)}); err != nil {
			return err
		}
		grants, err := s.roles.Grants(ctx, u.ID)
		if err != nil {
			return err
		}
		view, err = s.view(ctx, u, grants)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// SetGrants replaces an account's roles and scopes.
func (s *Service) SetGrants(ctx context.Context, id ids.ID, in []rbac.GrantInput) (*UserView, error) {
	var view UserView
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, u, err := s.visibleUser(ctx, rbac.UserUpdate, id)
		if err != nil {
			return err
		}
		before, err := s.roles.Grants(ctx, u.ID)
		if err != nil {
			return err
		}
		after, err := s.roles.ReplaceGrants(ctx, u.ID, in)
		if err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Event{Action: "set_grants", ObjectType: "user", ObjectID: u.ID.String(),
			Diff: map[string]audit.Change{"grants": {Before: grantSummary(before), After: grantSummary(after)}}}); err != nil {
			return err
		}
		view, err = s.view(ctx, u, after)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// checkEmployee makes sure the employee exists and has no other account.
func (s *Service) checkEmployee(ctx context.Context, tenantID, employeeID, self ids.ID) error {
	if s.directory == nil {
		return errs.InvalidField("employeeId", "invalid_choice")
	}
	if _, err := s.directory.DepartmentOf(ctx, tenantID, employeeID); err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return errs.InvalidField("employeeId", "invalid_choice")
		}
		return err
	}
	if other, err := s.store.UserByEmployee(ctx, employeeID); err == nil && other.ID != self {
		return errs.InvalidField("employeeId", "auth.employee_has_account", errs.Params{"login": other.Login})
	}
	return nil
}

func grantSummary(gs []rbac.Grant) []string {
	out := []string{}
	for _, g := range gs {
		out = append(out, g.RoleCode+":"+string(g.Scope))
	}
	return out
}

// ResetPassword gives an account a new generated password that must be
// changed at the next sign-in, and ends its sessions.
func (s *Service) ResetPassword(ctx context.Context, id ids.ID) (string, error) {
	pw := GeneratePassword()
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, u, err := s.visibleUser(ctx, rbac.UserUpdate, id)
		if err != nil {
			return err
		}
		u.PasswordHash, u.PasswordChangedAt, u.MustChangePassword = HashPassword(pw), s.now().UTC(), true
		u.FailedLogins, u.LockedUntil = 0, nil
		u.Version++
		u.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.store.SaveLoginState(ctx, u); err != nil {
			return err
		}
		if err := s.store.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "reset_password", ObjectType: "user", ObjectID: u.ID.String()})
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// Unlock clears an account's lockout.
func (s *Service) Unlock(ctx context.Context, id ids.ID) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		_, u, err := s.visibleUser(ctx, rbac.UserUpdate, id)
		if err != nil {
			return err
		}
		u.FailedLogins, u.LockedUntil = 0, nil
		if err := s.store.SaveLoginState(ctx, u); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "unlock", ObjectType: "user", ObjectID: u.ID.String()})
	})
}

// ResetTOTP turns off another user's two-factor sign-in (lost phone).
func (s *Service) ResetTOTP(ctx context.Context, id ids.ID) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		_, u, err := s.visibleUser(ctx, rbac.UserUpdate, id)
		if err != nil {
			return err
		}
		return s.clearTOTP(ctx, u)
	})
}
