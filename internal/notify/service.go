package notify

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// Recipient is what sending an email needs to know about a user.
type Recipient struct {
	UserID ids.ID
	Name   string
	Email  string
	Locale string // "" for the tenant's
	Active bool
}

// Directory looks up accounts of a tenant; the app implements it with
// the account service.
type Directory interface {
	Recipients(ctx context.Context, tenantID ids.ID, userIDs []ids.ID) (map[ids.ID]Recipient, error)
}

// Tenants lists tenants and their locale and time zone (*tenant.Service).
type Tenants interface {
	Get(ctx context.Context, id ids.ID) (*tenant.Tenant, error)
	List(ctx context.Context) ([]tenant.Tenant, error)
}

// Options tune the service; zero values take the defaults.
type Options struct {
	// BaseURL is the public URL of the server; emails link to BaseURL+Link.
	BaseURL string
	// SMTPURL is the installation's mail server for tenants without
	// settings of their own (RENSHI_SMTP_URL), e.g.
	// smtp://user:pass@mail.example.com:587?from=hr@example.com&tls=starttls.
	SMTPURL string
	// EmailBatch is how many deliveries one email job sends (100).
	EmailBatch int
	// ClaimTTL is how long a run holds a delivery it is sending before
	// another run may take it over (2 minutes): longer than any one SMTP
	// conversation, so two live runs never send the same delivery.
	ClaimTTL time.Duration
	// SMTPTimeout limits connecting and each SMTP command (30 s).
	SMTPTimeout time.Duration
	// EmailAttempts is how often an email job runs before its deliveries
	// fail (10: with the queue's backoff about 9 minutes in all).
	EmailAttempts int
	// ReminderEvery is how often the reminder schedule looks for tenants
	// whose day has no reminder run yet (1 hour).
	ReminderEvery time.Duration
	// ReminderHour is the tenant-local hour from which a day's reminders
	// are sent (8: nobody is mailed at midnight). -1 means from midnight.
	ReminderHour int
	Logger       *slog.Logger
	Now          func() time.Time
}

// Kinds of the module's jobs.
const (
	KindEmail     = "notify.email"
	KindReminders = "notify.reminders"
)

// Service sends notifications and serves the inbox.
type Service struct {
	db      *db.DB
	store   Store
	jobs    *jobs.Queue
	audit   *audit.Log
	keys    *crypto.Keyring
	tenants Tenants
	dir     Directory
	opts    Options
	log     *slog.Logger
	now     func() time.Time

	installation *SMTPConfig

	mu      sync.Mutex
	sources []ReminderSource

	// Tests: a hook at each sending stage, and the TLS settings of the
	// client (a test server's certificate).
	hook      func(stage string, d *Delivery) error
	tlsConfig *tls.Config
}

// NewService builds the service and registers its jobs on q (the email
// job and the daily reminder schedule): call it before q.Start.
func NewService(d *db.DB, s Store, q *jobs.Queue, a *audit.Log, k *crypto.Keyring, t Tenants, dir Directory, o Options) (*Service, error) {
	if o.EmailBatch <= 0 {
		o.EmailBatch = 100
	}
	if o.ClaimTTL <= 0 {
		o.ClaimTTL = 2 * time.Minute
	}
	if o.SMTPTimeout <= 0 {
		o.SMTPTimeout = 30 * time.Second
	}
	if o.EmailAttempts <= 0 {
		o.EmailAttempts = 10
	}
	if o.ReminderEvery <= 0 {
		o.ReminderEvery = time.Hour
	}
	if o.ReminderHour == 0 {
		o.ReminderHour = 8
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	svc := &Service{db: d, store: s, jobs: q, audit: a, keys: k, tenants: t, dir: dir, opts: o,
		log: o.Logger.With("component", "notify"), now: o.Now}
	if o.SMTPURL != "" {
		c, err := ParseSMTPURL(o.SMTPURL)
		if err != nil {
			return nil, err
		}
		svc.installation = c
	}
	q.Register(KindEmail, svc.deliver, jobs.KindOptions{MaxAttempts: o.EmailAttempts, Timeout: 10 * time.Minute})
	q.Register(KindReminders, svc.remind, jobs.KindOptions{MaxAttempts: 5, Timeout: 30 * time.Minute})
	q.Periodic(KindReminders, o.ReminderEvery, svc.schedule)
	return svc, nil
}

// Limits of a message, so a caller's mistake cannot fill the table.
const (
	maxRecipients = 10000
	maxKey        = 200
	maxLink       = 500
	maxParams     = 8 << 10
)

// prepared is a validated message ready to insert.
type prepared struct {
	m        Message
	category string
	params   string
}

func prepare(m Message) (prepared, error) {
	t, ok := lookup(m.Template)
	if !ok {
		return prepared{}, fmt.Errorf("notify: unknown template %q", m.Template)
	}
	switch {
	case len(m.Key) > maxKey:
		return prepared{}, fmt.Errorf("notify: key longer than %d", maxKey)
	case len(m.Link) > maxLink, m.Link != "" && (!strings.HasPrefix(m.Link, "/") || strings.HasPrefix(m.Link, "//") || strings.ContainsAny(m.Link, " \t\r\n\\")):
		return prepared{}, fmt.Errorf("notify: link %q must be an app route such as /approvals/123", m.Link)
	case len(m.Recipients) > maxRecipients:
		return prepared{}, fmt.Errorf("notify: more than %d recipients", maxRecipients)
	case len(m.ObjectType) > 50 || len(m.ObjectID) > 100:
		return prepared{}, fmt.Errorf("notify: object type or id too long")
	}
	params := "{}"
	if len(m.Params) > 0 {
		b, err := json.Marshal(m.Params)
		if err != nil {
			return prepared{}, fmt.Errorf("notify: params of %s: %w", m.Template, err)
		}
		if len(b) > maxParams {
			return prepared{}, fmt.Errorf("notify: params of %s longer than %d bytes", m.Template, maxParams)
		}
		params = string(b)
	}
	// A template that cannot render with these params is the sender's
	// bug: refuse it now rather than show users a broken notification.
	for _, loc := range i18n.Locales {
		if _, err := Render(m.Template, loc, params); err != nil {
			return prepared{}, fmt.Errorf("notify: %s in %s: %w", m.Template, loc, err)
		}
	}
	return prepared{m: m, category: t.Category, params: params}, nil
}

// Send notifies the message's recipients in the caller's tenant: an
// inbox row each and, for those who want email in the template's
// category, a delivery and an email job. It joins the transaction in
// ctx, so the notification exists exactly when the caller's change
// commits; it never waits for a mail server. With a Key, recipients who
// already have it get nothing new. It returns how many inbox rows it
// created.
func (s *Service) Send(ctx context.Context, m Message) (int, error) {
	return s.SendMany(ctx, []Message{m})
}

// SendMany sends many messages in one transaction with multi-row
// inserts (reminders, bulk notices).
func (s *Service) SendMany(ctx context.Context, msgs []Message) (int, error) {
	tenantID, err := rbac.Tenant(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	var rows []Notification
	seen := map[string]bool{} // user + key within this call
	for _, m := range msgs {
		p, err := prepare(m)
		if err != nil {
			return 0, err
		}
		for _, u := range m.Recipients {
			if u == 0 {
				continue
			}
			k := u.String() + "\x00" + m.Key
			if m.Key == "" {
				k += "\x00" + ids.New().String()
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			rows = append(rows, Notification{TenantID: tenantID, ID: ids.New(), UserID: u, Template: m.Template, Category: p.category,
				Params: p.params, Link: m.Link, ObjectType: m.ObjectType, ObjectID: m.ObjectID, Key: m.Key, CreatedAt: now})
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	created := 0
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		inserted, err := s.store.InsertNotifications(ctx, rows)
		if err != nil {
			return err
		}
		created = len(inserted)
		if created == 0 {
			return nil
		}
		isNew := make(map[ids.ID]bool, len(inserted))
		for _, id := range inserted {
			isNew[id] = true
		}
		// Email for the new rows whose recipients want it, once the
		// tenant or the installation has a mail server (until then the
		// inbox alone: no deliveries bound to fail).
		if s.installation == nil {
			if st, err := s.store.SMTPSettings(ctx); err != nil || st == nil {
				return err
			}
		}
		byCategory := map[string][]ids.ID{}
		for i := range rows {
			if isNew[rows[i].ID] {
				byCategory[rows[i].Category] = append(byCategory[rows[i].Category], rows[i].UserID)
			}
		}
		wants := map[string]map[ids.ID]bool{}
		for cat, users := range byCategory {
			choices, err := s.store.EmailChoices(ctx, cat, users)
			if err != nil {
				return err
			}
			wants[cat] = choices
		}
		var deliveries []Delivery
		for i := range rows {
			r := &rows[i]
			if !isNew[r.ID] || !wantsEmail(r.Category, wants[r.Category], r.UserID) {
				continue
			}
			deliveries = append(deliveries, Delivery{TenantID: tenantID, ID: ids.New(), NotificationID: r.ID, UserID: r.UserID,
				Channel: ChannelEmail, State: DeliveryPending, CreatedAt: now, UpdatedAt: now})
		}
		for start := 0; start < len(deliveries); start += s.opts.EmailBatch {
			batch := deliveries[start:min(start+s.opts.EmailBatch, len(deliveries))]
			args := emailArgs{Deliveries: make([]ids.ID, len(batch))}
			for i := range batch {
				args.Deliveries[i] = batch[i].ID
			}
			j, err := s.jobs.Enqueue(ctx, tenantID, KindEmail, args, jobs.EnqueueOptions{})
			if err != nil {
				return err
			}
			for i := range batch {
				batch[i].JobID = j.ID
			}
		}
		return s.store.InsertDeliveries(ctx, deliveries)
	})
	return created, err
}

func wantsEmail(cat string, choices map[ids.ID]bool, user ids.ID) bool {
	if v, ok := choices[user]; ok {
		return v
	}
	c, _ := category(cat)
	return c.EmailDefault
}

// Item is a notification as its recipient sees it, in his language.
type Item struct {
	ID         ids.ID     `json:"id"`
	Template   string     `json:"template"`
	Category   string     `json:"category"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	Link       string     `json:"link"`
	ObjectType string     `json:"objectType"`
	ObjectID   string     `json:"objectId"`
	Read       bool       `json:"read"`
	ReadAt     *time.Time `json:"readAt"`
	CreatedAt  time.Time  `json:"createdAt"`
}

// locale is the caller's language: his own, else his tenant's (the
// principal carries that), else the request's.
func locale(ctx context.Context) string {
	if p := rbac.From(ctx); p != nil && i18n.Valid(p.Locale) {
		return p.Locale
	}
	return i18n.FromContext(ctx)
}

func (s *Service) item(n *Notification, loc string) Item {
	r, err := Render(n.Template, loc, n.Params)
	if err != nil { // a template removed or changed since: show the key, not nothing
		s.log.Warn("render notification", "template", n.Template, "id", n.ID, "error", err)
		r = Rendered{Subject: n.Template}
	}
	it := Item{ID: n.ID, Template: n.Template, Category: n.Category, Title: r.Subject, Body: r.Body, Link: n.Link,
		ObjectType: n.ObjectType, ObjectID: n.ObjectID, Read: !n.ReadAt.IsZero(), CreatedAt: n.CreatedAt.UTC()}
	if it.Read {
		t := n.ReadAt.UTC()
		it.ReadAt = &t
	}
	return it
}

// Inbox returns a page of the caller's notifications, newest first,
// and the total.
func (s *Service) Inbox(ctx context.Context, f InboxFilter) ([]Item, int, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.Page, f.Size = db.NormalizePage(f.Page, f.Size)
	rows, total, err := s.store.Inbox(ctx, p.UserID, f)
	if err != nil {
		return nil, 0, err
	}
	loc := locale(ctx)
	out := make([]Item, len(rows))
	for i := range rows {
		out[i] = s.item(&rows[i], loc)
	}
	return out, total, nil
}

// UnreadLimit caps the unread count (the bell shows "999+").
const UnreadLimit = 1000

// UnreadCount counts the caller's unread notifications, up to
// UnreadLimit.
func (s *Service) UnreadCount(ctx context.Context) (int, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return 0, err
	}
	return s.store.UnreadCount(ctx, p.UserID, UnreadLimit)
}

// MarkRead marks one of the caller's notifications read (again is fine).
func (s *Service) MarkRead(ctx context.Context, id ids.ID) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		ok, err := s.store.MarkRead(ctx, p.UserID, id, s.now().UTC().Truncate(time.Microsecond))
		if err != nil {
			return err
		}
		if !ok {
			return errs.NotFoundf("object.notification")
		}
		return nil
	})
}

// MarkAllRead marks every unread notification of the caller read and
// returns how many.
func (s *Service) MarkAllRead(ctx context.Context) (int, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		n, err = s.store.MarkAllRead(ctx, p.UserID, s.now().UTC().Truncate(time.Microsecond))
		return err
	})
	return n, err
}

// CategoryChoice is the caller's choice for one category.
type CategoryChoice struct {
	Category string `json:"category"`
	Label    string `json:"label"`
	InApp    bool   `json:"inApp" doc:"always true: the inbox cannot be switched off"`
	Email    bool   `json:"email"`
}

// Preferences returns the caller's channel choices per category.
func (s *Service) Preferences(ctx context.Context) ([]CategoryChoice, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := s.store.Preferences(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	chosen := map[string]bool{}
	for _, pr := range stored {
		chosen[pr.Category] = pr.Email
	}
	loc := locale(ctx)
	var out []CategoryChoice
	for _, c := range Categories() {
		email, ok := chosen[c.Key]
		if !ok {
			email = c.EmailDefault
		}
		out = append(out, CategoryChoice{Category: c.Key, Label: i18n.T(loc, "notify.category."+c.Key, nil), InApp: true, Email: email})
	}
	return out, nil
}

// SetPreferences stores the caller's email choices (audited).
func (s *Service) SetPreferences(ctx context.Context, email map[string]bool) ([]CategoryChoice, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	now := s.now().UTC().Truncate(time.Microsecond)
	var prefs []Preference
	for cat, on := range email {
		if _, ok := category(cat); !ok {
			f.Add("items", "notify.unknown_category", errs.Params{"category": cat})
			continue
		}
		prefs = append(prefs, Preference{TenantID: p.TenantID, UserID: p.UserID, Category: cat, Email: on, UpdatedAt: now})
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.SavePreferences(ctx, prefs); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: ObjectPreferences, ObjectID: p.UserID.String(),
			Diff: map[string]any{"email": email}})
	})
	if err != nil {
		return nil, err
	}
	return s.Preferences(ctx)
}
