// Package authapi exposes sign-in, the caller's own account, user
// administration and API tokens over HTTP.
package authapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

// Handlers serves the auth routes.
type Handlers struct {
	svc *auth.Service
	// secure marks cookies Secure (the server is reached over HTTPS).
	secure bool
}

// Routes registers the route table.
func Routes(api *web.API, svc *auth.Service, secureCookies bool) {
	h := &Handlers{svc: svc, secure: secureCookies}
	tags := []string{"auth"}
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/auth/login", ID: "login", Summary: "Sign in (sets the session cookie)", Tags: tags, Permission: web.Public, MaxBody: 4 << 10}, h.login)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/auth/logout", ID: "logout", Summary: "Sign out", Tags: tags, Permission: web.Authenticated, Restricted: true, Status: 204}, h.logout)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/auth/me", ID: "me", Summary: "The signed-in user", Tags: tags, Permission: web.Authenticated, Restricted: true}, h.me)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/auth/password", ID: "change-password", Summary: "Change own password", Tags: tags, Permission: web.Authenticated, Restricted: true, Status: 204, MaxBody: 4 << 10}, h.changePassword)
	web.Register(api, web.Op{Method: http.MethodPut, Path: "/auth/me/locale", ID: "set-locale", Summary: "Save own language", Tags: tags, Permission: web.Authenticated, Restricted: true, Status: 204}, h.setLocale)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/auth/totp/setup", ID: "totp-setup", Summary: "Generate a two-factor secret", Tags: tags, Permission: web.Authenticated, Restricted: true}, h.totpSetup)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/auth/totp/enable", ID: "totp-enable", Summary: "Turn two-factor sign-in on", Tags: tags, Permission: web.Authenticated, Restricted: true, Status: 204}, h.totpEnable)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/auth/totp/disable", ID: "totp-disable", Summary: "Turn two-factor sign-in off", Tags: tags, Permission: web.Authenticated, Status: 204}, h.totpDisable)

	utags := []string{"users"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/users", ID: "list-users", Summary: "List users", Tags: utags, Permission: rbac.UserRead}, h.listUsers)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/users/export", ID: "export-users", Summary: "Export users", Tags: utags, Permission: rbac.UserRead}, h.exportUsers)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/users", ID: "create-user", Summary: "Create a user", Tags: utags, Permission: rbac.UserCreate, Status: 201}, h.createUser)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/users/{id}", ID: "get-user", Summary: "Get a user", Tags: utags, Permission: rbac.UserRead}, h.getUser)
	web.Register(api, web.Op{Method: http.MethodPatch, Path: "/users/{id}", ID: "update-user", Summary: "Update a user", Tags: utags, Permission: rbac.UserUpdate}, h.updateUser)
	web.Register(api, web.Op{Method: http.MethodPut, Path: "/users/{id}/grants", ID: "set-user-grants", Summary: "Set a user's roles and data scopes", Tags: utags, Permission: rbac.UserUpdate}, h.setGrants)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/users/{id}/reset-password", ID: "reset-user-password", Summary: "Reset a user's password", Tags: utags, Permission: rbac.UserUpdate}, h.resetPassword)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/users/{id}/unlock", ID: "unlock-user", Summary: "Clear a user's lockout", Tags: utags, Permission: rbac.UserUpdate, Status: 204}, h.unlock)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/users/{id}/reset-totp", ID: "reset-user-totp", Summary: "Turn off a user's two-factor sign-in", Tags: utags, Permission: rbac.UserUpdate, Status: 204}, h.resetTOTP)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/users/{id}/sensitive", ID: "reveal-user-sensitive", Summary: "Unmasked personal data (audited)", Tags: utags, Permission: rbac.UserReadSensitive}, h.reveal)

	ttags := []string{"tokens"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/tokens", ID: "list-tokens", Summary: "List own API tokens", Tags: ttags, Permission: rbac.TokenManage}, h.listTokens)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/tokens", ID: "create-token", Summary: "Create an API token", Tags: ttags, Permission: rbac.TokenManage, Status: 201}, h.createToken)
	web.Register(api, web.Op{Method: http.MethodDelete, Path: "/tokens/{id}", ID: "revoke-token", Summary: "Revoke an API token", Tags: ttags, Permission: rbac.TokenManage, Status: 204}, h.revokeToken)
}

// Authenticator resolves the session cookie or bearer token of a request.
func Authenticator(svc *auth.Service) web.Authenticator {
	return func(r *http.Request) (*rbac.Principal, error) {
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				return nil, nil
			}
			return svc.ResolveToken(r.Context(), strings.TrimSpace(token))
		}
		c, err := r.Cookie(web.SessionCookie)
		if err != nil || c.Value == "" {
			return nil, nil
		}
		return svc.ResolveSession(r.Context(), c.Value)
	}
}

type loginInput struct {
	UserAgent string `header:"User-Agent"`
	Body      struct {
		Tenant   string `json:"tenant" maxLength:"64" doc:"tenant code"`
		Login    string `json:"login" maxLength:"64"`
		Password string `json:"password" maxLength:"256"`
		TOTP     string `json:"totp,omitempty" maxLength:"10" required:"false" doc:"two-factor code when enabled"`
	}
}

type loginOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      *auth.Me
}

func (h *Handlers) login(ctx context.Context, in *loginInput) (*loginOutput, error) {
	res, err := h.svc.Login(ctx, auth.LoginInput{Tenant: in.Body.Tenant, Login: in.Body.Login, Password: in.Body.Password, TOTP: in.Body.TOTP, UserAgent: in.UserAgent})
	if err != nil {
		return nil, err
	}
	me, err := h.svc.Me(rbac.WithPrincipal(ctx, res.Principal))
	if err != nil {
		return nil, err
	}
	return &loginOutput{SetCookie: h.cookie(res.Cookie, res.ExpiresAt), Body: me}, nil
}

func (h *Handlers) cookie(value string, expires time.Time) http.Cookie {
	c := http.Cookie{Name: web.SessionCookie, Value: value, Path: "/", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
	}
	return c
}

type logoutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

func (h *Handlers) logout(ctx context.Context, _ *struct{}) (*logoutOutput, error) {
	if err := h.svc.Logout(ctx); err != nil {
		return nil, err
	}
	return &logoutOutput{SetCookie: h.cookie("", time.Time{})}, nil
}

func (h *Handlers) me(ctx context.Context, _ *struct{}) (*web.Body[*auth.Me], error) {
	me, err := h.svc.Me(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(me), nil
}

type passwordInput struct {
	Body struct {
		CurrentPassword string `json:"currentPassword" maxLength:"256"`
		NewPassword     string `json:"newPassword" maxLength:"256"`
	}
}

func (h *Handlers) changePassword(ctx context.Context, in *passwordInput) (*web.Empty, error) {
	return &web.Empty{}, h.svc.ChangePassword(ctx, in.Body.CurrentPassword, in.Body.NewPassword)
}

type localeInput struct {
	Body struct {
		Locale string `json:"locale" enum:"zh-CN,en"`
	}
}

func (h *Handlers) setLocale(ctx context.Context, in *localeInput) (*web.Empty, error) {
	return &web.Empty{}, h.svc.SetLocale(ctx, in.Body.Locale)
}

func (h *Handlers) totpSetup(ctx context.Context, _ *struct{}) (*web.Body[*auth.TOTPSetup], error) {
	s, err := h.svc.SetupTOTP(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(s), nil
}

type totpEnableInput struct {
	Body struct {
		Code string `json:"code" maxLength:"10"`
	}
}

func (h *Handlers) totpEnable(ctx context.Context, in *totpEnableInput) (*web.Empty, error) {
	return &web.Empty{}, h.svc.EnableTOTP(ctx, in.Body.Code)
}

type totpDisableInput struct {
	Body struct {
		Password string `json:"password" maxLength:"256"`
	}
}

func (h *Handlers) totpDisable(ctx context.Context, in *totpDisableInput) (*web.Empty, error) {
	return &web.Empty{}, h.svc.DisableTOTP(ctx, in.Body.Password)
}

type UserQuery struct {
	Q      string `query:"q" maxLength:"100" doc:"login, name or email contains; or an exact mobile or ID number"`
	Status string `query:"status" enum:"active,disabled,locked,"`
	RoleID ids.ID `query:"roleId"`
}

func (f UserQuery) toFilter(q web.PageQuery) auth.UserFilter {
	return auth.UserFilter{Query: f.Q, Status: f.Status, RoleID: f.RoleID, Sort: q.Sort, Page: q.Page, Size: q.PageSize}
}

type listUsersInput struct {
	UserQuery
	web.PageQuery
}

func (h *Handlers) listUsers(ctx context.Context, in *listUsersInput) (*web.Body[*web.Page[auth.UserView]], error) {
	items, total, err := h.svc.Users(ctx, in.toFilter(in.PageQuery))
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, in.PageQuery)), nil
}

type exportUsersInput struct {
	UserQuery
	web.ExportQuery
	Sort     string `query:"sort"`
	Unmasked bool   `query:"unmasked" doc:"include unmasked mobile and ID numbers (needs platform.user.read_sensitive; audited)"`
}

func (h *Handlers) exportUsers(ctx context.Context, in *exportUsersInput) (*huma.StreamResponse, error) {
	if in.Unmasked {
		if _, _, err := rbac.Require(ctx, rbac.UserReadSensitive); err != nil {
			return nil, err
		}
	}
	f := in.toFilter(web.PageQuery{Sort: in.Sort})
	locale := i18n.FromContext(ctx)
	p := rbac.From(ctx)
	loc, _ := time.LoadLocation(p.TimeZone)
	cols := []string{"login", "displayName", "email", "mobile", "idNumber", "status", "grants", "lastLoginAt", "createdAt"}
	return web.Download(i18n.T(locale, "export.users", nil), in.ExportQuery, i18n.T(locale, "export.users", nil), func(ctx context.Context, w export.Writer) error {
		header := make([]string, len(cols))
		for i, c := range cols {
			header[i] = web.FieldLabel(locale, c)
		}
		if err := w.Write(header); err != nil {
			return err
		}
		return h.svc.EachUser(ctx, f, in.Unmasked, func(u auth.UserView) error {
			var roles []string
			for _, g := range u.Grants {
				roles = append(roles, g.RoleName+"("+i18n.T(locale, "scope."+string(g.Scope), nil)+")")
			}
			return w.Write([]string{u.Login, u.DisplayName, u.Email, u.Mobile, u.IDNumber,
				i18n.T(locale, "status."+u.Status, nil), strings.Join(roles, "; "), formatTime(u.LastLoginAt, loc), formatTime(&u.CreatedAt, loc)})
		})
	}), nil
}

func formatTime(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

type grantBody struct {
	RoleID        ids.ID         `json:"roleId"`
	Scope         rbac.ScopeKind `json:"scope,omitempty" required:"false" enum:"self,department,department_tree,departments,tenant"`
	DepartmentIDs []ids.ID       `json:"departmentIds,omitempty" required:"false" maxItems:"200"`
}

func toGrants(in []grantBody) []rbac.GrantInput {
	out := make([]rbac.GrantInput, len(in))
	for i, g := range in {
		out[i] = rbac.GrantInput{RoleID: g.RoleID, Scope: g.Scope, DepartmentIDs: g.DepartmentIDs}
	}
	return out
}

type createUserInput struct {
	Body struct {
		Login       string      `json:"login" maxLength:"64"`
		DisplayName string      `json:"displayName" maxLength:"50"`
		Email       string      `json:"email,omitempty" required:"false" maxLength:"254"`
		Mobile      string      `json:"mobile,omitempty" required:"false" maxLength:"30"`
		IDNumber    string      `json:"idNumber,omitempty" required:"false" maxLength:"30"`
		Locale      string      `json:"locale,omitempty" required:"false" enum:"zh-CN,en,"`
		Password    string      `json:"password,omitempty" required:"false" maxLength:"256" doc:"leave empty to generate an initial password"`
		EmployeeID  ids.ID      `json:"employeeId,omitempty" required:"false" doc:"link the account to an employee record"`
		Grants      []grantBody `json:"grants,omitempty" required:"false" maxItems:"50"`
	}
}

type createdUser struct {
	User            *auth.UserView `json:"user"`
	InitialPassword string         `json:"initialPassword,omitempty" doc:"generated password, shown once"`
}

func (h *Handlers) createUser(ctx context.Context, in *createUserInput) (*web.Body[createdUser], error) {
	b := in.Body
	u, pw, err := h.svc.CreateUser(ctx, auth.NewUser{Login: b.Login, DisplayName: b.DisplayName, Email: b.Email, Mobile: b.Mobile,
		IDNumber: b.IDNumber, Locale: b.Locale, Password: b.Password, EmployeeID: b.EmployeeID, Grants: toGrants(b.Grants)})
	if err != nil {
		return nil, err
	}
	return web.Reply(createdUser{User: u, InitialPassword: pw}), nil
}

func (h *Handlers) getUser(ctx context.Context, in *web.IDPath) (*web.Body[*auth.UserView], error) {
	u, err := h.svc.User(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(u), nil
}

type updateUserInput struct {
	web.IDPath
	Body struct {
		DisplayName *string `json:"displayName,omitempty" required:"false" maxLength:"50"`
		Email       *string `json:"email,omitempty" required:"false" maxLength:"254"`
		Mobile      *string `json:"mobile,omitempty" required:"false" maxLength:"30"`
		IDNumber    *string `json:"idNumber,omitempty" required:"false" maxLength:"30"`
		Status      *string `json:"status,omitempty" required:"false" enum:"active,disabled"`
		Locale      *string `json:"locale,omitempty" required:"false" enum:"zh-CN,en,"`
		EmployeeID  *ids.ID `json:"employeeId,omitempty" required:"false" doc:"link to an employee (\"0\" unlinks)"`
		Version     int     `json:"version" minimum:"1"`
	}
}

func (h *Handlers) updateUser(ctx context.Context, in *updateUserInput) (*web.Body[*auth.UserView], error) {
	b := in.Body
	u, err := h.svc.UpdateUser(ctx, in.ID, auth.UserUpdate{DisplayName: b.DisplayName, Email: b.Email, Mobile: b.Mobile,
		IDNumber: b.IDNumber, Status: b.Status, Locale: b.Locale, EmployeeID: b.EmployeeID, Version: b.Version})
	if err != nil {
		return nil, err
	}
	return web.Reply(u), nil
}

type setGrantsInput struct {
	web.IDPath
	Body struct {
		Grants []grantBody `json:"grants" maxItems:"50"`
	}
}

func (h *Handlers) setGrants(ctx context.Context, in *setGrantsInput) (*web.Body[*auth.UserView], error) {
	u, err := h.svc.SetGrants(ctx, in.ID, toGrants(in.Body.Grants))
	if err != nil {
		return nil, err
	}
	return web.Reply(u), nil
}

type initialPassword struct {
	InitialPassword string `json:"initialPassword"`
}

func (h *Handlers) resetPassword(ctx context.Context, in *web.IDPath) (*web.Body[initialPassword], error) {
	pw, err := h.svc.ResetPassword(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(initialPassword{InitialPassword: pw}), nil
}

func (h *Handlers) unlock(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return &web.Empty{}, h.svc.Unlock(ctx, in.ID)
}

func (h *Handlers) resetTOTP(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return &web.Empty{}, h.svc.ResetTOTP(ctx, in.ID)
}

func (h *Handlers) reveal(ctx context.Context, in *web.IDPath) (*web.Body[*auth.Sensitive], error) {
	s, err := h.svc.RevealSensitive(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(s), nil
}

func (h *Handlers) listTokens(ctx context.Context, _ *struct{}) (*web.Body[web.Page[auth.Token]], error) {
	items, err := h.svc.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(web.Page[auth.Token]{Items: items, Total: len(items), Page: 1, PageSize: len(items)}), nil
}

type createTokenInput struct {
	Body struct {
		Name        string    `json:"name" maxLength:"50"`
		Permissions []string  `json:"permissions" maxItems:"200"`
		ExpiresAt   time.Time `json:"expiresAt"`
	}
}

type createdToken struct {
	Token string      `json:"token" doc:"the bearer value, shown once"`
	Item  *auth.Token `json:"item"`
}

func (h *Handlers) createToken(ctx context.Context, in *createTokenInput) (*web.Body[createdToken], error) {
	t, value, err := h.svc.CreateToken(ctx, auth.NewToken{Name: in.Body.Name, Permissions: in.Body.Permissions, ExpiresAt: in.Body.ExpiresAt})
	if err != nil {
		return nil, err
	}
	return web.Reply(createdToken{Token: value, Item: t}), nil
}

func (h *Handlers) revokeToken(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return &web.Empty{}, h.svc.RevokeToken(ctx, in.ID)
}
