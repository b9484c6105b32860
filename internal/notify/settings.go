package notify

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// TLS modes of a mail server connection.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, required (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption (a relay on the local network)
)

// TLSModes lists the modes.
var TLSModes = []string{TLSStartTLS, TLSImplicit, TLSNone}

// SMTPSettings is a tenant's outgoing mail server.
type SMTPSettings struct {
	bun.BaseModel `bun:"table:notify_smtp_settings"`

	TenantID    ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID          ids.ID    `bun:"id,pk" json:"-"`
	Host        string    `bun:"host" json:"host"`
	Port        int       `bun:"port" json:"port"`
	Username    string    `bun:"username" json:"username"`
	PasswordEnc string    `bun:"password_enc" json:"-" audit:"-"`
	FromAddress string    `bun:"from_address" json:"fromAddress"`
	FromName    string    `bun:"from_name" json:"fromName"`
	TLSMode     string    `bun:"tls_mode" json:"tlsMode"`
	Version     int       `bun:"version" json:"version"`
	UpdatedBy   ids.ID    `bun:"updated_by" json:"-"`
	CreatedAt   time.Time `bun:"created_at" json:"-" audit:"-"`
	UpdatedAt   time.Time `bun:"updated_at" json:"-" audit:"-"`
}

var colPassword = crypto.Column{Table: "notify_smtp_settings", Column: "password_enc"}

func init() { crypto.RegisterColumn(colPassword) }

// SMTPConfig is a resolved mail server: the tenant's settings with the
// password opened, or the installation's RENSHI_SMTP_URL.
type SMTPConfig struct {
	Host        string
	Port        int
	Username    string
	Password    string
	FromAddress string
	FromName    string
	TLSMode     string
}

// ParseSMTPURL reads an installation mail server written as
// smtp://user:pass@host:587?from=hr@example.com&tls=starttls (smtps://
// means tls=tls; the port defaults by mode; &name= sets the sender name).
func ParseSMTPURL(s string) (*SMTPConfig, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp url: %w", err)
	}
	c := &SMTPConfig{Host: u.Hostname(), TLSMode: TLSStartTLS}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		c.TLSMode = TLSImplicit
	default:
		return nil, fmt.Errorf("notify: smtp url: scheme must be smtp or smtps")
	}
	q := u.Query()
	if m := q.Get("tls"); m != "" {
		if !slices.Contains(TLSModes, m) {
			return nil, fmt.Errorf("notify: smtp url: tls must be one of %v", TLSModes)
		}
		c.TLSMode = m
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return nil, fmt.Errorf("notify: smtp url: bad port %q", p)
		}
	} else {
		c.Port = defaultPort(c.TLSMode)
	}
	c.FromAddress, c.FromName = q.Get("from"), q.Get("name")
	if c.Host == "" {
		return nil, fmt.Errorf("notify: smtp url: no host")
	}
	if _, ok := validate.Email(c.FromAddress); !ok {
		return nil, fmt.Errorf("notify: smtp url: from=%q is not an email address", c.FromAddress)
	}
	return c, nil
}

func defaultPort(mode string) int {
	switch mode {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	}
	return 587
}

// SettingsView is what the settings page shows. The password is never
// returned, only whether one is stored.
type SettingsView struct {
	// Source says which server mail goes through: "tenant" (these
	// settings), "installation" (the server's RENSHI_SMTP_URL) or "none".
	Source      string `json:"source" enum:"tenant,installation,none"`
	Host        string `json:"host"`
	Port        int    `json:"port"`
	Username    string `json:"username"`
	HasPassword bool   `json:"hasPassword"`
	FromAddress string `json:"fromAddress"`
	FromName    string `json:"fromName"`
	TLSMode     string `json:"tlsMode"`
	Version     int    `json:"version"`
}

// SettingsInput changes the tenant's mail settings. A nil Password keeps
// the stored one; an empty one removes it.
type SettingsInput struct {
	Host        string
	Port        int
	Username    string
	Password    *string
	FromAddress string
	FromName    string
	TLSMode     string
	Version     int // 0 when creating
}

// Settings returns the tenant's mail settings. Needs notify.settings.manage.
func (s *Service) Settings(ctx context.Context) (*SettingsView, error) {
	if _, _, err := rbac.Require(ctx, PermSettings); err != nil {
		return nil, err
	}
	st, err := s.store.SMTPSettings(ctx)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return &SettingsView{Source: "tenant", Host: st.Host, Port: st.Port, Username: st.Username, HasPassword: st.PasswordEnc != "",
			FromAddress: st.FromAddress, FromName: st.FromName, TLSMode: st.TLSMode, Version: st.Version}, nil
	}
	if c := s.installation; c != nil {
		// The installation's server is shown without its credentials.
		return &SettingsView{Source: "installation", Host: c.Host, Port: c.Port, FromAddress: c.FromAddress, FromName: c.FromName, TLSMode: c.TLSMode}, nil
	}
	return &SettingsView{Source: "none", TLSMode: TLSStartTLS, Port: defaultPort(TLSStartTLS)}, nil
}

// SaveSettings creates or changes the tenant's mail settings (audited;
// the password only as "changed"). Needs notify.settings.manage.
func (s *Service) SaveSettings(ctx context.Context, in SettingsInput) (*SettingsView, error) {
	p, _, err := rbac.Require(ctx, PermSettings)
	if err != nil {
		return nil, err
	}
	in.Host, in.Username, in.FromName = strings.TrimSpace(in.Host), strings.TrimSpace(in.Username), strings.TrimSpace(in.FromName)
	var f errs.Fields
	f.Check(in.Host != "", "host", "required")
	f.Check(len(in.Host) <= 253 && !strings.ContainsAny(in.Host, " /:@"), "host", "invalid_format")
	f.Check(in.Port == 0 || in.Port >= 1 && in.Port <= 65535, "port", "out_of_range", errs.Params{"min": 1, "max": 65535})
	f.Check(slices.Contains(TLSModes, in.TLSMode), "tlsMode", "invalid_choice")
	from, ok := validate.Email(in.FromAddress)
	f.Check(in.FromAddress != "", "fromAddress", "required")
	f.Check(in.FromAddress == "" || ok, "fromAddress", "invalid_email")
	f.Check(len(in.Username) <= 200, "username", "too_long", errs.Params{"max": 200})
	f.Check(len([]rune(in.FromName)) <= 100, "fromName", "too_long", errs.Params{"max": 100})
	f.Check(in.Password == nil || len(*in.Password) <= 500, "password", "too_long", errs.Params{"max": 500})
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Port == 0 {
		in.Port = defaultPort(in.TLSMode)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.store.SMTPSettings(ctx)
		if err != nil {
			return err
		}
		st := &SMTPSettings{TenantID: p.TenantID, ID: ids.New(), Version: 1, CreatedAt: now}
		var before SMTPSettings
		if old != nil {
			if in.Version != old.Version {
				return errs.E(errs.Conflict, "stale")
			}
			before = *old
			c := *old
			st = &c
			st.Version = old.Version + 1
		}
		st.Host, st.Port, st.Username, st.FromAddress, st.FromName, st.TLSMode = in.Host, in.Port, in.Username, from, in.FromName, in.TLSMode
		st.UpdatedBy, st.UpdatedAt = p.UserID, now
		passwordChanged := false
		if in.Password != nil {
			sealed, err := s.keys.Encrypt(crypto.AAD(colPassword.Table, colPassword.Column, p.TenantID), *in.Password)
			if err != nil {
				return err
			}
			passwordChanged = *in.Password != "" || old != nil && old.PasswordEnc != ""
			st.PasswordEnc = sealed
		}
		if err := s.store.SaveSMTPSettings(ctx, st); err != nil {
			return err
		}
		var diff map[string]audit.Change
		if old == nil {
			diff = audit.Diff(nil, st)
		} else {
			diff = audit.Diff(&before, st)
		}
		if passwordChanged {
			diff["password"] = audit.Change{Before: audit.Redacted, After: audit.Redacted}
		}
		action := "update"
		if old == nil {
			action = "create"
		}
		return s.audit.Record(ctx, audit.Event{Action: action, ObjectType: ObjectSettings, ObjectID: st.ID.String(), Diff: diff})
	})
	if err != nil {
		return nil, err
	}
	return s.Settings(ctx)
}

// DeleteSettings removes the tenant's mail settings: mail then goes
// through the installation's server, if any. Needs notify.settings.manage.
func (s *Service) DeleteSettings(ctx context.Context) error {
	if _, _, err := rbac.Require(ctx, PermSettings); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		ok, err := s.store.DeleteSMTPSettings(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return errs.NotFoundf("object.smtp_settings")
		}
		return s.audit.Record(ctx, audit.Event{Action: "delete", ObjectType: ObjectSettings})
	})
}

// smtpConfig resolves the server mail of the principal's tenant goes
// through: its own settings, else the installation's; nil when neither.
func (s *Service) smtpConfig(ctx context.Context) (*SMTPConfig, error) {
	st, err := s.store.SMTPSettings(ctx)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.installation, nil
	}
	pw, err := s.keys.Decrypt(ctx, crypto.AAD(colPassword.Table, colPassword.Column, st.TenantID), st.PasswordEnc)
	if err != nil {
		return nil, err
	}
	return &SMTPConfig{Host: st.Host, Port: st.Port, Username: st.Username, Password: pw, FromAddress: st.FromAddress,
		FromName: st.FromName, TLSMode: st.TLSMode}, nil
}
