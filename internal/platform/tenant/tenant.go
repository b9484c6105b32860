// Package tenant manages tenants: the customer companies or groups that
// share an installation, each with its own time zone, language and
// security settings.
package tenant

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Tenant is a customer company or group.
type Tenant struct {
	bun.BaseModel `bun:"table:platform_tenants"`

	ID                 ids.ID    `bun:"id,pk" json:"id"`
	Code               string    `bun:"code" json:"code"`
	Name               string    `bun:"name" json:"name"`
	TimeZone           string    `bun:"time_zone" json:"timeZone"`
	Locale             string    `bun:"locale" json:"locale"`
	Status             string    `bun:"status" json:"status"`
	RequireAdminTOTP   bool      `bun:"require_admin_totp" json:"requireAdminTotp"`
	PasswordMinLength  int       `bun:"password_min_length" json:"passwordMinLength"`
	SessionIdleMinutes int       `bun:"session_idle_minutes" json:"sessionIdleMinutes"`
	SessionMaxHours    int       `bun:"session_max_hours" json:"sessionMaxHours"`
	Version            int       `bun:"version" json:"version"`
	CreatedAt          time.Time `bun:"created_at" json:"createdAt"`
	UpdatedAt          time.Time `bun:"updated_at" json:"updatedAt"`
}

// Status values.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Defaults for a new tenant.
const (
	DefaultTimeZone           = "Asia/Shanghai"
	DefaultPasswordMinLength  = 10
	DefaultSessionIdleMinutes = 120
	DefaultSessionMaxHours    = 12
)

// New describes a tenant to create.
type New struct {
	Code     string
	Name     string
	TimeZone string
	Locale   string
}

var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

// Validate checks and normalises the new tenant.
func (n *New) Validate() error {
	n.Code = strings.ToLower(strings.TrimSpace(n.Code))
	n.Name = strings.TrimSpace(n.Name)
	if n.TimeZone == "" {
		n.TimeZone = DefaultTimeZone
	}
	if n.Locale == "" {
		n.Locale = i18n.ZH
	}
	var f errs.Fields
	f.Check(codePattern.MatchString(n.Code), "code", "invalid_format")
	checkName(&f, n.Name)
	checkZone(&f, n.TimeZone)
	f.Check(i18n.Valid(n.Locale), "locale", "invalid_choice")
	return f.Err()
}

// Update holds the settings a tenant admin may change; nil means keep.
type Update struct {
	Name               *string
	TimeZone           *string
	Locale             *string
	RequireAdminTOTP   *bool
	PasswordMinLength  *int
	SessionIdleMinutes *int
	SessionMaxHours    *int
	Version            int
}

// Apply validates u and applies it to t.
func (u *Update) Apply(t *Tenant) error {
	var f errs.Fields
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
		checkName(&f, *u.Name)
		t.Name = *u.Name
	}
	if u.TimeZone != nil {
		checkZone(&f, *u.TimeZone)
		t.TimeZone = *u.TimeZone
	}
	if u.Locale != nil {
		f.Check(i18n.Valid(*u.Locale), "locale", "invalid_choice")
		t.Locale = *u.Locale
	}
	if u.RequireAdminTOTP != nil {
		t.RequireAdminTOTP = *u.RequireAdminTOTP
	}
	if u.PasswordMinLength != nil {
		v := *u.PasswordMinLength
		f.Check(v >= 8 && v <= 64, "passwordMinLength", "out_of_range", errs.Params{"min": 8, "max": 64})
		t.PasswordMinLength = v
	}
	if u.SessionIdleMinutes != nil {
		v := *u.SessionIdleMinutes
		f.Check(v >= 5 && v <= 1440, "sessionIdleMinutes", "out_of_range", errs.Params{"min": 5, "max": 1440})
		t.SessionIdleMinutes = v
	}
	if u.SessionMaxHours != nil {
		v := *u.SessionMaxHours
		f.Check(v >= 1 && v <= 720, "sessionMaxHours", "out_of_range", errs.Params{"min": 1, "max": 720})
		t.SessionMaxHours = v
	}
	if t.SessionIdleMinutes > t.SessionMaxHours*60 && !f.Has("sessionIdleMinutes") {
		f.Add("sessionIdleMinutes", "tenant.idle_over_max")
	}
	return f.Err()
}

func checkName(f *errs.Fields, name string) {
	f.Check(name != "", "name", "required")
	f.Check(utf8.RuneCountInString(name) <= 100, "name", "too_long", errs.Params{"max": 100})
}

func checkZone(f *errs.Fields, zone string) {
	_, err := time.LoadLocation(zone)
	f.Check(zone != "" && err == nil, "timeZone", "invalid_choice")
}

// Location returns the tenant's time zone (Asia/Shanghai if unknown).
func (t *Tenant) Location() *time.Location {
	if loc, err := time.LoadLocation(t.TimeZone); err == nil {
		return loc
	}
	loc, _ := time.LoadLocation(DefaultTimeZone)
	return loc
}

func init() {
	i18n.Register(i18n.ZH, map[string]string{
		"tenant.code_taken":        "租户代码已被使用",
		"tenant.idle_over_max":     "空闲超时不能长于会话最长时间",
		"field.code":               "代码",
		"field.name":               "名称",
		"field.timeZone":           "时区",
		"field.locale":             "语言",
		"field.passwordMinLength":  "密码最短长度",
		"field.sessionIdleMinutes": "空闲超时（分钟）",
		"field.sessionMaxHours":    "会话最长时间（小时）",
		"field.tenant":             "租户",
	})
	i18n.Register(i18n.EN, map[string]string{
		"tenant.code_taken":        "The tenant code is taken",
		"tenant.idle_over_max":     "The idle timeout cannot be longer than the maximum session length",
		"field.code":               "Code",
		"field.name":               "Name",
		"field.timeZone":           "Time zone",
		"field.locale":             "Language",
		"field.passwordMinLength":  "Minimum password length",
		"field.sessionIdleMinutes": "Idle timeout (minutes)",
		"field.sessionMaxHours":    "Maximum session length (hours)",
		"field.tenant":             "Tenant",
	})
}
