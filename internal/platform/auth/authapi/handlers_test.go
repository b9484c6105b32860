package authapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/tenant"
)

func TestLoginScenarios(t *testing.T) {
	e := apptest.New(t)
	e.User("alice", "employee")
	cases := []struct {
		name   string
		lang   string
		body   any
		status int
		code   string
		fields []string
	}{
		{"ok", "", map[string]any{"tenant": "acme", "login": "alice", "password": apptest.Password}, 200, "", nil},
		{"login is case-insensitive", "", map[string]any{"tenant": "ACME", "login": "Alice", "password": apptest.Password}, 200, "", nil},
		{"missing fields named", "", map[string]any{"tenant": "acme"}, 422, "invalid", []string{"login:required", "password:required"}},
		{"unknown tenant", "", map[string]any{"tenant": "nope", "login": "alice", "password": apptest.Password}, 401, "auth.invalid_credentials", nil},
		{"unknown login", "", map[string]any{"tenant": "acme", "login": "bob", "password": apptest.Password}, 401, "auth.invalid_credentials", nil},
		{"unknown field", "", map[string]any{"tenant": "acme", "login": "alice", "password": "x", "admin": true}, 422, "invalid", []string{"admin:unknown_field"}},
		{"malformed json", "", `{"tenant": "acme",`, 400, "malformed", nil},
		{"wrong type", "en", `{"tenant": 1, "login": "a", "password": "b"}`, 422, "invalid", []string{"tenant:expected_type"}},
		{"oversized body", "", `{"tenant":"` + strings.Repeat("x", 8<<10) + `"}`, 413, "too_large", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := e.Anonymous()
			cl.Lang = c.lang
			r := cl.Do("POST", "/api/v1/auth/login", c.body)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if c.code != "" && r.Code() != c.code {
				t.Fatalf("code %q, want %q: %s", r.Code(), c.code, r.Body)
			}
			for _, f := range c.fields {
				if !slices.Contains(r.FieldCodes(), f) {
					t.Fatalf("want field problem %s in %v", f, r.FieldCodes())
				}
			}
			if c.status >= 400 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("content type %q", r.Header.Get("Content-Type"))
			}
			if c.status == 200 && !strings.Contains(r.Header.Get("Set-Cookie"), "HttpOnly") {
				t.Fatalf("cookie %q", r.Header.Get("Set-Cookie"))
			}
		})
	}
}

func TestMessagesFollowAcceptLanguage(t *testing.T) {
	e := apptest.New(t)
	zh := e.Anonymous()
	r := zh.Do("POST", "/api/v1/auth/login", map[string]any{"tenant": "acme"})
	if msg := r.JSON()["errors"].([]any)[0].(map[string]any)["message"]; msg != "登录名不能为空" {
		t.Fatalf("zh message %q", msg)
	}
	en := e.Anonymous()
	en.Lang = "en-US,en;q=0.9"
	r = en.Do("POST", "/api/v1/auth/login", map[string]any{"tenant": "acme"})
	if msg := r.JSON()["errors"].([]any)[0].(map[string]any)["message"]; msg != "Login is required" {
		t.Fatalf("en message %q", msg)
	}
}

func TestLockoutWithBackoff(t *testing.T) {
	e := apptest.New(t)
	e.User("carol", "employee")
	cl := e.Anonymous()
	bad := map[string]any{"tenant": "acme", "login": "carol", "password": "wrong-password-1"}
	for i := 1; i <= 4; i++ {
		if r := cl.Do("POST", "/api/v1/auth/login", bad); r.Status != 401 || r.Code() != "auth.invalid_credentials" {
			t.Fatalf("attempt %d: %d %s", i, r.Status, r.Body)
		}
	}
	if r := cl.Do("POST", "/api/v1/auth/login", bad); r.Status != 429 || r.Code() != "auth.locked" {
		t.Fatalf("fifth failure must lock: %d %s", r.Status, r.Body)
	}
	// Even the right password is refused while locked.
	good := map[string]any{"tenant": "acme", "login": "carol", "password": apptest.Password}
	if r := cl.Do("POST", "/api/v1/auth/login", good); r.Status != 429 {
		t.Fatalf("locked account accepted: %d", r.Status)
	}
	// An admin sees and clears the lock.
	root := e.Login("root")
	list := root.Do("GET", "/api/v1/users?status=locked", nil)
	var page struct {
		Items []auth.UserView
		Total int
	}
	list.Decode(t, &page)
	if page.Total != 1 || page.Items[0].Login != "carol" || !page.Items[0].Locked {
		t.Fatalf("locked filter: %s", list.Body)
	}
	if r := root.Do("POST", "/api/v1/users/"+page.Items[0].ID.String()+"/unlock", nil); r.Status != 204 {
		t.Fatalf("unlock %d %s", r.Status, r.Body)
	}
	if r := cl.Do("POST", "/api/v1/auth/login", good); r.Status != 200 {
		t.Fatalf("after unlock: %d %s", r.Status, r.Body)
	}
	audit := root.Do("GET", "/api/v1/audit?action=login_failed&actor=carol", nil)
	if n := audit.JSON()["total"].(float64); n != 5 {
		t.Fatalf("want 5 failed logins audited, got %v", n)
	}
}

func TestSessionsCookiesAndLogout(t *testing.T) {
	e := apptest.New(t)
	e.User("dave", "employee")
	a := e.Login("dave")
	b := e.Login("dave")
	forged := e.Anonymous()
	req, _ := http.NewRequest("GET", e.Server.URL+"/api/v1/auth/me", nil)
	req.AddCookie(&http.Cookie{Name: "renshi_session", Value: e.Tenant.ID.String() + "." + strings.Repeat("A", 43)})
	res, _ := http.DefaultClient.Do(req)
	if res.StatusCode != 401 {
		t.Fatalf("forged cookie: %d", res.StatusCode)
	}
	_ = forged
	if r := a.Do("POST", "/api/v1/auth/logout", nil); r.Status != 204 {
		t.Fatalf("logout %d", r.Status)
	}
	if r := a.Do("GET", "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("after logout %d", r.Status)
	}
	if r := b.Do("GET", "/api/v1/auth/me", nil); r.Status != 200 {
		t.Fatalf("other session must live: %d", r.Status)
	}
	// Idle expiry: move the clock past the tenant's idle timeout.
	e.App.Auth.SetClock(func() time.Time { return time.Now().Add(3 * time.Hour) })
	defer e.App.Auth.SetClock(time.Now)
	if r := b.Do("GET", "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("idle session must expire: %d", r.Status)
	}
}

func TestChangePasswordPolicyAndOtherSessions(t *testing.T) {
	e := apptest.New(t)
	e.User("erin", "employee")
	a, b := e.Login("erin"), e.Login("erin")
	cases := []struct {
		current, next string
		field         string
	}{
		{"wrong", "Another-Passw0rd!", "currentPassword:auth.wrong_password"},
		{apptest.Password, "short1", "newPassword:too_short"},
		{apptest.Password, "onlyletterslong", "newPassword:auth.password_classes"},
		{apptest.Password, "1qaz2wsx3edc", "newPassword:auth.password_common"},
		{apptest.Password, "erin-is-1234", "newPassword:auth.password_contains_login"},
		{apptest.Password, apptest.Password, "newPassword:auth.same_password"},
	}
	for _, c := range cases {
		r := a.Do("POST", "/api/v1/auth/password", map[string]any{"currentPassword": c.current, "newPassword": c.next})
		if r.Status != 422 || !slices.Contains(r.FieldCodes(), c.field) {
			t.Fatalf("%q: %d %v", c.next, r.Status, r.FieldCodes())
		}
	}
	if r := a.Do("POST", "/api/v1/auth/password", map[string]any{"currentPassword": apptest.Password, "newPassword": "Brand-New-Passw0rd"}); r.Status != 204 {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := a.Do("GET", "/api/v1/auth/me", nil); r.Status != 200 {
		t.Fatal("current session must survive")
	}
	if r := b.Do("GET", "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatal("other sessions must end")
	}
}

func TestTOTPAndAdminRequirement(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	// The tenant requires two-factor sign-in for super admins.
	tenant := root.Do("GET", "/api/v1/tenant", nil).JSON()
	r := root.Do("PATCH", "/api/v1/tenant", map[string]any{"requireAdminTotp": true, "version": tenant["version"]})
	if r.Status != 200 {
		t.Fatalf("tenant: %d %s", r.Status, r.Body)
	}
	admin := e.Login("root")
	if me := admin.Do("GET", "/api/v1/auth/me", nil).JSON(); me["totpEnrollmentRequired"] != true {
		t.Fatalf("me: %v", me)
	}
	if r := admin.Do("GET", "/api/v1/users", nil); r.Status != 403 || r.Code() != "auth.totp_enrollment_required" {
		t.Fatalf("restricted session reached users: %d %s", r.Status, r.Body)
	}
	setup := admin.Do("POST", "/api/v1/auth/totp/setup", nil).JSON()
	secret := setup["secret"].(string)
	if !strings.HasPrefix(setup["otpauthUrl"].(string), "otpauth://totp/") {
		t.Fatalf("url %v", setup["otpauthUrl"])
	}
	if r := admin.Do("POST", "/api/v1/auth/totp/enable", map[string]any{"code": "000000"}); r.Status != 422 {
		t.Fatalf("wrong code accepted: %d", r.Status)
	}
	now := time.Now()
	code := auth.TOTPCode(secret, auth.TOTPStep(now))
	if r := admin.Do("POST", "/api/v1/auth/totp/enable", map[string]any{"code": code}); r.Status != 204 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	if r := admin.Do("GET", "/api/v1/users", nil); r.Status != 200 {
		t.Fatalf("after enrolment: %d %s", r.Status, r.Body)
	}
	// Sign-in now needs the code; the used code cannot be replayed.
	cl := e.Anonymous()
	login := map[string]any{"tenant": "acme", "login": "root", "password": apptest.Password}
	if r := cl.Do("POST", "/api/v1/auth/login", login); r.Status != 401 || r.Code() != "auth.totp_required" {
		t.Fatalf("no code: %d %s", r.Status, r.Body)
	}
	login["totp"] = code
	if r := cl.Do("POST", "/api/v1/auth/login", login); r.Status != 401 || !slices.Contains(r.FieldCodes(), "totp:auth.invalid_totp") {
		t.Fatalf("replayed code: %d %s", r.Status, r.Body)
	}
	login["totp"] = auth.TOTPCode(secret, auth.TOTPStep(now)+1)
	if r := cl.Do("POST", "/api/v1/auth/login", login); r.Status != 200 {
		t.Fatalf("next code: %d %s", r.Status, r.Body)
	}
	// A super admin of this tenant cannot turn it off.
	if r := cl.Do("POST", "/api/v1/auth/totp/disable", map[string]any{"password": apptest.Password}); r.Status != 409 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
}

func TestUserAdministration(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	roles := root.Do("GET", "/api/v1/roles", nil).JSON()["items"].([]any)
	roleID := map[string]string{}
	for _, x := range roles {
		m := x.(map[string]any)
		roleID[m["code"].(string)] = m["id"].(string)
	}
	// Field problems are all reported at once.
	r := root.Do("POST", "/api/v1/users", map[string]any{"login": "Bad Login!", "displayName": "", "email": "nope", "mobile": "123", "idNumber": "110105194912310029"})
	for _, f := range []string{"login:auth.login_format", "displayName:required", "email:invalid_email", "mobile:invalid_mobile", "idNumber:invalid_id_number"} {
		if !slices.Contains(r.FieldCodes(), f) {
			t.Fatalf("want %s in %v", f, r.FieldCodes())
		}
	}
	r = root.Do("POST", "/api/v1/users", map[string]any{
		"login": "frank", "displayName": "冯帆", "email": "frank@example.com", "mobile": "+86 139 1234 5678",
		"idNumber": "11010519491231002x", "grants": []any{map[string]any{"roleId": roleID["hr_admin"]}},
	})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	created := r.JSON()
	user := created["user"].(map[string]any)
	pw := created["initialPassword"].(string)
	if user["mobile"] != "139****5678" || user["idNumber"] != "1101**********002X" {
		t.Fatalf("masking: %v %v", user["mobile"], user["idNumber"])
	}
	id := user["id"].(string)
	if r := root.Do("POST", "/api/v1/users", map[string]any{"login": "frank", "displayName": "x"}); !slices.Contains(r.FieldCodes(), "login:auth.login_taken") {
		t.Fatalf("duplicate login: %s", r.Body)
	}
	// Search an encrypted field by exact value through the blind index.
	if n := root.Do("GET", "/api/v1/users?q=13912345678", nil).JSON()["total"]; n != 1.0 {
		t.Fatalf("search by mobile: %v", n)
	}
	if n := root.Do("GET", "/api/v1/users?q=11010519491231002X", nil).JSON()["total"]; n != 1.0 {
		t.Fatalf("search by id number: %v", n)
	}
	if n := root.Do("GET", "/api/v1/users?q=冯", nil).JSON()["total"]; n != 1.0 {
		t.Fatalf("search by name: %v", n)
	}
	// Reveal is audited.
	if s := root.Do("GET", "/api/v1/users/"+id+"/sensitive", nil).JSON(); s["idNumber"] != "11010519491231002X" {
		t.Fatalf("reveal: %v", s)
	}
	if n := root.Do("GET", "/api/v1/audit?action=read_sensitive&objectId="+id, nil).JSON()["total"]; n != 1.0 {
		t.Fatalf("reveal not audited: %v", n)
	}
	// The audit diff of the creation never holds the ID number.
	a := root.Do("GET", "/api/v1/audit?action=create&objectType=user&objectId="+id, nil)
	if strings.Contains(string(a.Body), "1101051949") || !strings.Contains(string(a.Body), "***") {
		t.Fatalf("audit diff leaks or lacks redaction: %s", a.Body)
	}
	// A first sign-in with the generated password must change it first.
	fr := e.Anonymous()
	if r := fr.Do("POST", "/api/v1/auth/login", map[string]any{"tenant": "acme", "login": "frank", "password": pw}); r.Status != 200 || r.JSON()["mustChangePassword"] != true {
		t.Fatalf("first login: %d %s", r.Status, r.Body)
	}
	if r := fr.Do("GET", "/api/v1/users", nil); r.Status != 403 || r.Code() != "auth.password_change_required" {
		t.Fatalf("restricted: %d %s", r.Status, r.Body)
	}
	if r := fr.Do("POST", "/api/v1/auth/password", map[string]any{"currentPassword": pw, "newPassword": "Fr4nk-Strong-Pw"}); r.Status != 204 {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := fr.Do("GET", "/api/v1/users", nil); r.Status != 200 {
		t.Fatalf("after change: %d %s", r.Status, r.Body)
	}
	// An HR admin cannot hand out the super admin role (escalation).
	if r := fr.Do("PUT", "/api/v1/users/"+id+"/grants", map[string]any{"grants": []any{map[string]any{"roleId": roleID["super_admin"]}}}); r.Status != 403 || r.Code() != "rbac.cannot_grant" {
		t.Fatalf("escalation: %d %s", r.Status, r.Body)
	}
	// Optimistic locking.
	if r := root.Do("PATCH", "/api/v1/users/"+id, map[string]any{"displayName": "冯帆2", "version": 999}); r.Status != 409 || r.Code() != "stale" {
		t.Fatalf("stale: %d %s", r.Status, r.Body)
	}
	// Nobody may disable himself.
	me := root.Do("GET", "/api/v1/auth/me", nil).JSON()
	self := root.Do("GET", "/api/v1/users/"+me["id"].(string), nil).JSON()
	if r := root.Do("PATCH", "/api/v1/users/"+me["id"].(string), map[string]any{"status": "disabled", "version": self["version"]}); !slices.Contains(r.FieldCodes(), "status:auth.cannot_disable_self") {
		t.Fatalf("self disable: %d %s", r.Status, r.Body)
	}
	// Disabling a user ends his sessions.
	u := root.Do("GET", "/api/v1/users/"+id, nil).JSON()
	if r := root.Do("PATCH", "/api/v1/users/"+id, map[string]any{"status": "disabled", "version": u["version"]}); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if r := fr.Do("GET", "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("disabled user still signed in: %d", r.Status)
	}
}

func TestTenantIsolation(t *testing.T) {
	e := apptest.New(t)
	if _, err := e.App.Tenants.Create(t.Context(), tenantNew("other")); err != nil {
		t.Fatal(err)
	}
	stranger := e.UserIn("other", "stranger", "super_admin")
	root := e.Login("root")
	if r := root.Do("GET", "/api/v1/users/"+stranger.ID.String(), nil); r.Status != 404 {
		t.Fatalf("other tenant's user visible: %d %s", r.Status, r.Body)
	}
	if r := root.Do("PATCH", "/api/v1/users/"+stranger.ID.String(), map[string]any{"displayName": "x", "version": 1}); r.Status != 404 {
		t.Fatalf("other tenant's user editable: %d", r.Status)
	}
	var page struct{ Items []auth.UserView }
	root.Do("GET", "/api/v1/users?pageSize=200", nil).Decode(t, &page)
	for _, u := range page.Items {
		if u.Login == "stranger" {
			t.Fatal("other tenant's user listed")
		}
	}
	// An employee sees only himself.
	e.User("gina", "employee")
	g := e.Login("gina")
	if r := g.Do("GET", "/api/v1/users", nil); r.Status != 403 {
		t.Fatalf("employee lists users: %d", r.Status)
	}
}

func TestAPITokens(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	exp := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	r := root.Do("POST", "/api/v1/tokens", map[string]any{"name": "HR sync", "permissions": []string{"platform.user.read"}, "expiresAt": exp})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	tok := r.JSON()["token"].(string)
	id := r.JSON()["item"].(map[string]any)["id"].(string)
	bot := e.Anonymous()
	bot.Bearer = tok
	if r := bot.Do("GET", "/api/v1/users", nil); r.Status != 200 {
		t.Fatalf("token read: %d %s", r.Status, r.Body)
	}
	if r := bot.Do("GET", "/api/v1/roles", nil); r.Status != 403 {
		t.Fatalf("token exceeded its permissions: %d", r.Status)
	}
	if r := bot.Do("POST", "/api/v1/tokens", map[string]any{"name": "x", "permissions": []string{"platform.user.read"}, "expiresAt": exp}); r.Status != 403 {
		t.Fatalf("token minted a token: %d", r.Status)
	}
	bad := e.Anonymous()
	bad.Bearer = tok[:len(tok)-2] + "xx"
	if r := bad.Do("GET", "/api/v1/users", nil); r.Status != 401 {
		t.Fatalf("forged token: %d", r.Status)
	}
	if r := root.Do("POST", "/api/v1/tokens", map[string]any{"name": "x", "permissions": []string{"platform.user.read"}, "expiresAt": time.Now().AddDate(2, 0, 0).Format(time.RFC3339)}); !slices.Contains(r.FieldCodes(), "expiresAt:auth.token_expiry") {
		t.Fatalf("expiry over a year: %s", r.Body)
	}
	if r := root.Do("DELETE", "/api/v1/tokens/"+id, nil); r.Status != 204 {
		t.Fatalf("revoke: %d", r.Status)
	}
	if r := bot.Do("GET", "/api/v1/users", nil); r.Status != 401 {
		t.Fatalf("revoked token works: %d", r.Status)
	}
}

func TestCSRFRefusesCrossSiteCookieRequests(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	_ = root
	req, _ := http.NewRequest("POST", e.Server.URL+"/api/v1/auth/logout", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 403 {
		t.Fatalf("cross-site POST: %d", res.StatusCode)
	}
	req, _ = http.NewRequest("POST", e.Server.URL+"/api/v1/auth/login", strings.NewReader(`{}`))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Content-Type", "application/json")
	res, _ = http.DefaultClient.Do(req)
	if res.StatusCode != 422 {
		t.Fatalf("same-origin POST must pass CSRF: %d", res.StatusCode)
	}
}

func TestExportUsersMaskedAndEscaped(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	root.Do("POST", "/api/v1/users", map[string]any{"login": "henry", "displayName": "=HYPERLINK(\"http://evil\")", "mobile": "13712345678"})
	r := root.Do("GET", "/api/v1/users/export?format=csv", nil)
	body := string(r.Body)
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Fatalf("%d %v", r.Status, r.Header)
	}
	if !strings.Contains(body, `"'=HYPERLINK(""http://evil"")"`) || !strings.Contains(body, "137****5678") || strings.Contains(body, "13712345678") {
		t.Fatalf("csv: %s", body)
	}
	r = root.Do("GET", "/api/v1/users/export?format=csv&unmasked=true", nil)
	if !strings.Contains(string(r.Body), "13712345678") {
		t.Fatalf("unmasked export: %s", r.Body)
	}
	if n := root.Do("GET", "/api/v1/audit?action=export_sensitive", nil).JSON()["total"]; n != 1.0 {
		t.Fatalf("sensitive export not audited: %v", n)
	}
	x := root.Do("GET", "/api/v1/users/export?format=xlsx", nil)
	if x.Status != 200 || !strings.HasPrefix(string(x.Body), "PK") {
		t.Fatalf("xlsx: %d %q", x.Status, fmt.Sprint(x.Body[:4]))
	}
}

func tenantNew(code string) tenant.New { return tenant.New{Code: code, Name: code} }

// Password spraying: many accounts, one address. After 30 failures in ten
// minutes the address is refused, even with right credentials.
func TestFailedSignInsThrottledPerAddress(t *testing.T) {
	e := apptest.New(t)
	e.User("kate", "employee")
	cl := e.Anonymous()
	for i := 0; i < 30; i++ {
		r := cl.Do("POST", "/api/v1/auth/login", map[string]any{"tenant": "acme", "login": fmt.Sprintf("user%d", i), "password": "Summer2026!"})
		if r.Status != 401 {
			t.Fatalf("attempt %d: %d %s", i, r.Status, r.Body)
		}
	}
	r := cl.Do("POST", "/api/v1/auth/login", map[string]any{"tenant": "acme", "login": "kate", "password": apptest.Password})
	if r.Status != 429 || r.Code() != "auth.rate_limited" {
		t.Fatalf("want the address throttled: %d %s", r.Status, r.Body)
	}
}
