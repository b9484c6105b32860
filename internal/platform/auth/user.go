// Package auth signs people in (passwords, sessions, two-factor codes,
// API tokens) and manages the tenant's user accounts.
package auth

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// User is an account that can sign in to one tenant. Mobile and ID
// number are personal information: stored sealed, found by blind index.
type User struct {
	bun.BaseModel `bun:"table:auth_users,alias:u"`

	TenantID           ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID                 ids.ID     `bun:"id,pk" json:"id"`
	Login              string     `bun:"login" json:"login"`
	DisplayName        string     `bun:"display_name" json:"displayName"`
	Email              string     `bun:"email" json:"email"`
	MobileEnc          string     `bun:"mobile_enc" json:"-"`
	MobileHash         string     `bun:"mobile_hash" json:"-"`
	IDNumberEnc        string     `bun:"id_number_enc" json:"-"`
	IDNumberHash       string     `bun:"id_number_hash" json:"-"`
	PasswordHash       string     `bun:"password_hash" json:"-"`
	PasswordChangedAt  time.Time  `bun:"password_changed_at" json:"passwordChangedAt" audit:"-"`
	MustChangePassword bool       `bun:"must_change_password" json:"mustChangePassword"`
	Status             string     `bun:"status" json:"status"`
	Locale             string     `bun:"locale" json:"locale"`
	EmployeeID         *ids.ID    `bun:"employee_id" json:"employeeId"`
	FailedLogins       int        `bun:"failed_logins" json:"-"`
	LockedUntil        *time.Time `bun:"locked_until" json:"lockedUntil" audit:"-"`
	LastLoginAt        *time.Time `bun:"last_login_at" json:"lastLoginAt" audit:"-"`
	TOTPSecretEnc      string     `bun:"totp_secret_enc" json:"-"`
	TOTPEnabled        bool       `bun:"totp_enabled" json:"totpEnabled"`
	TOTPLastStep       int64      `bun:"totp_last_step" json:"-"`
	Version            int        `bun:"version" json:"version"`
	CreatedAt          time.Time  `bun:"created_at" json:"createdAt"`
	UpdatedAt          time.Time  `bun:"updated_at" json:"updatedAt" audit:"-"`

	// Decrypted values, filled by the service when needed; the audit diff
	// records only that they changed.
	Mobile   string `bun:"-" json:"mobile" audit:"redact"`
	IDNumber string `bun:"-" json:"idNumber" audit:"redact"`
}

// Encrypted columns of auth_users, for key rotation.
var (
	colMobile   = crypto.Column{Table: "auth_users", Column: "mobile_enc"}
	colIDNumber = crypto.Column{Table: "auth_users", Column: "id_number_enc"}
	colTOTP     = crypto.Column{Table: "auth_users", Column: "totp_secret_enc"}
)

func init() {
	crypto.RegisterColumn(colMobile)
	crypto.RegisterColumn(colIDNumber)
	crypto.RegisterColumn(colTOTP)
}

// User statuses.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// Locked reports whether the account is locked out at now.
func (u *User) Locked(now time.Time) bool {
	return u.LockedUntil != nil && u.LockedUntil.After(now)
}

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{1,63}$`)

// NewUser describes an account to create.
type NewUser struct {
	Login       string
	DisplayName string
	Email       string
	Mobile      string
	IDNumber    string
	Locale      string
	// EmployeeID links the account to an employee record (self-service,
	// department data scopes); zero for none.
	EmployeeID ids.ID
	// Password, if empty, is generated and returned once; the user must
	// change it at first sign-in.
	Password string
	Grants   []rbac.GrantInput
}

// Validate normalises and checks the new account's fields.
func (n *NewUser) Validate() error {
	var f errs.Fields
	n.Login = strings.ToLower(validate.Normalize(n.Login))
	f.Check(n.Login != "", "login", "required")
	if n.Login != "" {
		f.Check(loginPattern.MatchString(n.Login), "login", "auth.login_format")
	}
	checkProfile(&f, &n.DisplayName, &n.Email, &n.Mobile, &n.IDNumber)
	if n.Locale != "" {
		f.Check(i18n.Valid(n.Locale), "locale", "invalid_choice")
	}
	return f.Err()
}

// UserUpdate changes an account; nil keeps the value.
type UserUpdate struct {
	DisplayName *string
	Email       *string
	Mobile      *string
	IDNumber    *string
	Status      *string
	Locale      *string
	// EmployeeID links (non-zero) or unlinks (zero) the employee record.
	EmployeeID *ids.ID
	Version    int
}

// Apply validates u and applies it to the account (with decrypted
// Mobile and IDNumber filled).
func (up *UserUpdate) Apply(u *User) error {
	name, email, mobile, idn := u.DisplayName, u.Email, u.Mobile, u.IDNumber
	if up.DisplayName != nil {
		name = *up.DisplayName
	}
	if up.Email != nil {
		email = *up.Email
	}
	if up.Mobile != nil {
		mobile = *up.Mobile
	}
	if up.IDNumber != nil {
		idn = *up.IDNumber
	}
	var f errs.Fields
	checkProfile(&f, &name, &email, &mobile, &idn)
	if up.Status != nil {
		f.Check(*up.Status == StatusActive || *up.Status == StatusDisabled, "status", "invalid_choice")
		u.Status = *up.Status
	}
	if up.Locale != nil {
		f.Check(*up.Locale == "" || i18n.Valid(*up.Locale), "locale", "invalid_choice")
		u.Locale = *up.Locale
	}
	u.DisplayName, u.Email, u.Mobile, u.IDNumber = name, email, mobile, idn
	return f.Err()
}

func checkProfile(f *errs.Fields, name, email, mobile, idNumber *string) {
	*name = validate.Normalize(*name)
	f.Check(*name != "", "displayName", "required")
	f.Check(utf8.RuneCountInString(*name) <= 50, "displayName", "too_long", errs.Params{"max": 50})
	if *email != "" {
		e, ok := validate.Email(*email)
		f.Check(ok && len(e) <= 254, "email", "invalid_email")
		*email = e
	}
	if *mobile != "" {
		m, ok := validate.Mobile(*mobile)
		f.Check(ok, "mobile", "invalid_mobile")
		*mobile = m
	}
	if *idNumber != "" {
		info, ok := validate.IDNumber(*idNumber)
		f.Check(ok, "idNumber", "invalid_id_number")
		if ok {
			*idNumber = info.Number
		}
	}
}

// UserFilter narrows the user list.
type UserFilter struct {
	Query  string // login, name or email contains; exact mobile
	Status string // active, disabled, locked
	RoleID ids.ID
	Sort   string // login, -login, displayName, createdAt, -createdAt, lastLoginAt, -lastLoginAt
	Page   int
	Size   int

	// Set by the service when Query is a mobile or ID number: encrypted
	// fields are matched by blind index instead of text.
	mobileHash, idNumberHash string
}

// MobileHash and IDNumberHash expose the blind-index lookups to the store.
func (f UserFilter) MobileHash() string   { return f.mobileHash }
func (f UserFilter) IDNumberHash() string { return f.idNumberHash }
