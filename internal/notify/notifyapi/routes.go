// Package notifyapi exposes notifications over HTTP: the caller's inbox
// with its unread count, his channel preferences, and for mail
// administrators the tenant's SMTP settings, a test email and the
// delivery log with retries.
package notifyapi

import (
	"context"
	"net/http"
	"reflect"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/web"
)

type handlers struct{ svc *notify.Service }

// Routes registers the route table.
func Routes(api *web.API, svc *notify.Service) {
	aliasSchemas(api)
	h := &handlers{svc: svc}
	tags := []string{"notifications"}
	o := func(method, path, id, summary, perm string, status int) web.Op {
		return web.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Permission: perm, Status: status}
	}
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
		auth, manage        = web.Authenticated, notify.PermSettings
	)
	// Everyone's inbox and preferences.
	web.Register(api, o(get, "/notifications", "list-notifications", "My notifications, newest first", auth, 0), h.list)
	web.Register(api, o(get, "/notifications/unread-count", "count-unread-notifications", "How many of my notifications are unread (up to 1,000)", auth, 0), h.unread)
	web.Register(api, o(post, "/notifications/{id}/read", "read-notification", "Mark one of my notifications read", auth, 204), h.read)
	web.Register(api, o(post, "/notifications/read-all", "read-all-notifications", "Mark all my notifications read", auth, 0), h.readAll)
	web.Register(api, o(get, "/notification-preferences", "get-notification-preferences", "My channels per category (the inbox is always on)", auth, 0), h.preferences)
	web.Register(api, o(put, "/notification-preferences", "set-notification-preferences", "Choose email per category", auth, 0), h.setPreferences)
	// Mail administration.
	web.Register(api, o(get, "/notification-settings", "get-notification-settings", "The tenant's mail server (the password is never returned)", manage, 0), h.settings)
	web.Register(api, o(put, "/notification-settings", "set-notification-settings", "Set the tenant's mail server", manage, 0), h.saveSettings)
	web.Register(api, o(del, "/notification-settings", "delete-notification-settings", "Remove the tenant's mail server (the installation's applies)", manage, 204), h.deleteSettings)
	web.Register(api, o(post, "/notification-settings/test", "test-notification-settings", "Send a test email now and report the server's answer", manage, 0), h.test)
	web.Register(api, o(get, "/notification-deliveries", "list-notification-deliveries", "Email delivery log", manage, 0), h.deliveries)
	web.Register(api, o(post, "/notification-deliveries/{id}/retry", "retry-notification-delivery", "Send a failed email again", manage, 0), h.retry)
}

// Schema names are global in the OpenAPI document: prefixed names keep
// them apart from other modules'.
type (
	NotificationItem       notify.Item
	NotificationChoice     notify.CategoryChoice
	NotificationSettings   notify.SettingsView
	NotificationDelivery   notify.DeliveryView
	NotificationTestResult notify.TestResult
)

func aliasSchemas(api *web.API) {
	r := api.OpenAPI().Components.Schemas
	for from, to := range map[reflect.Type]reflect.Type{
		reflect.TypeFor[notify.Item]():           reflect.TypeFor[NotificationItem](),
		reflect.TypeFor[notify.CategoryChoice](): reflect.TypeFor[NotificationChoice](),
		reflect.TypeFor[notify.SettingsView]():   reflect.TypeFor[NotificationSettings](),
		reflect.TypeFor[notify.DeliveryView]():   reflect.TypeFor[NotificationDelivery](),
		reflect.TypeFor[notify.TestResult]():     reflect.TypeFor[NotificationTestResult](),
	} {
		r.RegisterTypeAlias(from, to)
	}
}

// ---- inbox

type listInput struct {
	Unread bool `query:"unread" doc:"only unread notifications"`
	web.PageQuery
}

func (h *handlers) list(ctx context.Context, in *listInput) (*web.Body[*web.Page[notify.Item]], error) {
	items, total, err := h.svc.Inbox(ctx, notify.InboxFilter{UnreadOnly: in.Unread, Page: in.Page, Size: in.PageSize})
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, in.PageQuery)), nil
}

// UnreadCount is the bell's number.
type UnreadCount struct {
	Count  int  `json:"count"`
	Capped bool `json:"capped" doc:"the count stopped at 1,000: show 999+"`
}

func (h *handlers) unread(ctx context.Context, _ *struct{}) (*web.Body[UnreadCount], error) {
	n, err := h.svc.UnreadCount(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(UnreadCount{Count: n, Capped: n >= notify.UnreadLimit}), nil
}

func (h *handlers) read(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return &web.Empty{}, h.svc.MarkRead(ctx, in.ID)
}

// ReadAll says how many notifications were marked read.
type ReadAll struct {
	Updated int `json:"updated"`
}

func (h *handlers) readAll(ctx context.Context, _ *struct{}) (*web.Body[ReadAll], error) {
	n, err := h.svc.MarkAllRead(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(ReadAll{Updated: n}), nil
}

// ---- preferences

// Preferences are the caller's choices per category.
type Preferences struct {
	Items []notify.CategoryChoice `json:"items"`
}

func (h *handlers) preferences(ctx context.Context, _ *struct{}) (*web.Body[Preferences], error) {
	items, err := h.svc.Preferences(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(Preferences{Items: items}), nil
}

// PreferenceInput chooses email for one category.
type PreferenceInput struct {
	Category string `json:"category" maxLength:"50"`
	Email    bool   `json:"email"`
}

type setPreferencesInput struct {
	Body struct {
		Items []PreferenceInput `json:"items" maxItems:"50"`
	}
}

func (h *handlers) setPreferences(ctx context.Context, in *setPreferencesInput) (*web.Body[Preferences], error) {
	m := make(map[string]bool, len(in.Body.Items))
	for _, it := range in.Body.Items {
		m[it.Category] = it.Email
	}
	items, err := h.svc.SetPreferences(ctx, m)
	if err != nil {
		return nil, err
	}
	return web.Reply(Preferences{Items: items}), nil
}

// ---- mail settings

func (h *handlers) settings(ctx context.Context, _ *struct{}) (*web.Body[*notify.SettingsView], error) {
	v, err := h.svc.Settings(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(v), nil
}

// SettingsInput is the mail server form.
type SettingsInput struct {
	Host     string  `json:"host" maxLength:"253"`
	Port     int     `json:"port,omitempty" required:"false" doc:"default by TLS mode: 587 starttls, 465 tls, 25 none"`
	Username string  `json:"username,omitempty" required:"false" maxLength:"200"`
	Password *string `json:"password,omitempty" required:"false" maxLength:"500" doc:"omit to keep the stored password; empty removes it"`
	// FromAddress is the sender of every email.
	FromAddress string `json:"fromAddress" maxLength:"254"`
	FromName    string `json:"fromName,omitempty" required:"false" maxLength:"100"`
	TLSMode     string `json:"tlsMode" enum:"starttls,tls,none"`
	Version     int    `json:"version,omitempty" required:"false" doc:"the version read; omit when creating"`
}

type saveSettingsInput struct {
	Body SettingsInput
}

func (h *handlers) saveSettings(ctx context.Context, in *saveSettingsInput) (*web.Body[*notify.SettingsView], error) {
	b := in.Body
	v, err := h.svc.SaveSettings(ctx, notify.SettingsInput{Host: b.Host, Port: b.Port, Username: b.Username, Password: b.Password,
		FromAddress: b.FromAddress, FromName: b.FromName, TLSMode: b.TLSMode, Version: b.Version})
	if err != nil {
		return nil, err
	}
	return web.Reply(v), nil
}

func (h *handlers) deleteSettings(ctx context.Context, _ *struct{}) (*web.Empty, error) {
	return &web.Empty{}, h.svc.DeleteSettings(ctx)
}

type testInput struct {
	Body struct {
		To string `json:"to,omitempty" required:"false" maxLength:"254" doc:"default: my own address"`
	}
}

func (h *handlers) test(ctx context.Context, in *testInput) (*web.Body[*notify.TestResult], error) {
	r, err := h.svc.SendTest(ctx, in.Body.To)
	if err != nil {
		return nil, err
	}
	return web.Reply(r), nil
}

// ---- delivery log

type deliveriesInput struct {
	State  string `query:"state" enum:"pending,sending,sent,failed,skipped," doc:"e.g. failed"`
	UserID ids.ID `query:"userId" doc:"deliveries to one user"`
	web.PageQuery
}

func (h *handlers) deliveries(ctx context.Context, in *deliveriesInput) (*web.Body[*web.Page[notify.DeliveryView]], error) {
	items, total, err := h.svc.Deliveries(ctx, notify.DeliveryFilter{State: in.State, UserID: in.UserID, Page: in.Page, Size: in.PageSize})
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, in.PageQuery)), nil
}

func (h *handlers) retry(ctx context.Context, in *web.IDPath) (*web.Body[*notify.DeliveryView], error) {
	v, err := h.svc.RetryDelivery(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(v), nil
}
