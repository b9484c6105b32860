package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// emailArgs are an email job's arguments: the deliveries it sends.
type emailArgs struct {
	Deliveries []ids.ID `json:"deliveries"`
}

// errNoServer: neither the tenant nor the installation has a mail server.
var errNoServer = errors.New("no mail server configured (tenant settings or RENSHI_SMTP_URL)")

// deliver is the email job. The delivery rows are the truth: each is
// claimed before its SMTP conversation and marked sent right after the
// server accepted it, so a job that runs again (retry, crash, lease
// lost) sends only what is not sent yet. The one gap is a process that
// dies after the server accepted a message and before "sent" commits:
// once the claim runs out that message is sent again, with the same
// Message-ID (at least once; see docs/modules/notify.md).
func (s *Service) deliver(ctx context.Context, j *jobs.Job, p *jobs.Progress) error {
	var args emailArgs
	if err := j.DecodeArgs(&args); err != nil {
		return jobs.Permanent(err)
	}
	rows, err := s.store.DeliveryRows(ctx, args.Deliveries)
	if err != nil {
		return err
	}
	var todo []DeliveryRow
	for _, r := range rows {
		if r.State == DeliveryPending || r.State == DeliverySending {
			todo = append(todo, r)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	lastAttempt := j.Attempt >= j.MaxAttempts
	cfg, err := s.smtpConfig(ctx)
	if err == nil && cfg == nil {
		err = errNoServer
	}
	if err != nil {
		// Nothing can be sent: record why on every delivery; without a
		// server there is no point retrying until someone configures one
		// (the delivery log's retry then sends them).
		permanent := errors.Is(err, errNoServer)
		if s.failAll(ctx, todo, "", err, permanent || lastAttempt) != nil || !permanent {
			return err
		}
		return jobs.Permanent(err)
	}
	users := make([]ids.ID, 0, len(todo))
	for _, r := range todo {
		users = append(users, r.UserID)
	}
	recipients, err := s.dir.Recipients(ctx, j.TenantID, users)
	if err != nil {
		return err
	}
	tenantLocale := i18n.ZH
	if t, err := s.tenants.Get(ctx, j.TenantID); err == nil && i18n.Valid(t.Locale) {
		tenantLocale = t.Locale
	}
	token := claimToken()
	var conn *mailer
	defer func() {
		if conn != nil {
			conn.close()
		}
	}()
	var retry error // a temporary failure: the job runs again for the rest
	for i := range todo {
		r := &todo[i]
		d := &r.Delivery
		rc, ok := recipients[d.UserID]
		if !ok || !rc.Active || rc.Email == "" {
			d.State, d.LastError = DeliverySkipped, "no email address or account not active"
			if err := s.save(ctx, d, token); err != nil {
				return err
			}
			continue
		}
		claimed, err := s.claim(ctx, d, token, rc.Email, cfg)
		if err != nil {
			return err
		}
		if !claimed {
			// Sent or given up meanwhile, or another live run is sending
			// it: look again later in the latter case.
			if fresh, err := s.store.DeliveryRows(ctx, []ids.ID{d.ID}); err == nil && len(fresh) == 1 && fresh[0].State == DeliverySending {
				retry = errors.Join(retry, fmt.Errorf("delivery %d is being sent by another run", d.ID))
			}
			d.State = "" // not ours: leave it alone below
			continue
		}
		if err := s.at("claimed", d); err != nil {
			return err
		}
		msg, err := s.compose(r, rc, cfg, tenantLocale)
		if err != nil { // a template gone bad: no retry will help
			d.State, d.LastError = DeliveryFailed, truncate(err.Error())
			if err := s.save(ctx, d, token); err != nil {
				return err
			}
			continue
		}
		if conn == nil {
			if conn, err = s.dial(ctx, cfg); err != nil {
				conn = nil
				retry = fmt.Errorf("connect to %s:%d: %w", cfg.Host, cfg.Port, err)
				if err := s.release(ctx, todo[i:], token, retry, lastAttempt); err != nil {
					return err
				}
				break
			}
		}
		sendErr := conn.send(msg)
		if sendErr == nil {
			if err := s.at("sent", d); err != nil {
				return err
			}
			// The server has the message: record that even when the job is
			// being stopped, or the next run would send it again.
			d.State, d.LastError, d.SentAt = DeliverySent, "", s.now().UTC().Truncate(time.Microsecond)
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			err := s.save(sctx, d, token)
			cancel()
			if err != nil {
				return err
			}
		} else if permanentSMTP(sendErr) {
			// The server refused this message for good (bad address,
			// rejected content): record it, go on with the others.
			d.State, d.LastError = DeliveryFailed, truncate(sendErr.Error())
			if err := s.save(ctx, d, token); err != nil {
				return err
			}
		} else {
			retry = sendErr
			conn.close()
			conn = nil
			if err := s.release(ctx, todo[i:], token, sendErr, lastAttempt); err != nil {
				return err
			}
			break
		}
		if err := p.Set(ctx, (i+1)*100/len(todo), fmt.Sprintf("%d/%d", i+1, len(todo))); err != nil {
			return err
		}
	}
	if retry != nil && lastAttempt {
		return jobs.Permanent(retry)
	}
	return retry
}

// claim takes a delivery for this run (see Store.ClaimDelivery).
func (s *Service) claim(ctx context.Context, d *Delivery, token, address string, cfg *SMTPConfig) (bool, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	c := *d
	// The Message-ID is fixed per delivery, so a message sent twice (the
	// gap above) is recognisably the same message.
	c.MessageID = messageID(d, cfg.FromAddress)
	c.ClaimToken, c.ClaimedUntil, c.Address, c.UpdatedAt = token, now.Add(s.opts.ClaimTTL), address, now
	var ok bool
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		ok, err = s.store.ClaimDelivery(ctx, &c, now)
		return err
	})
	if err == nil && ok {
		c.State = DeliverySending
		*d = c
	}
	return ok, err
}

// at calls the test hook of a stage.
func (s *Service) at(stage string, d *Delivery) error {
	if s.hook != nil {
		return s.hook(stage, d)
	}
	return nil
}

// save writes a delivery's outcome unless it was sent meanwhile or
// another run holds it (token is this run's claim).
func (s *Service) save(ctx context.Context, d *Delivery, token string) error {
	d.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	d.ClaimToken, d.ClaimedUntil = "", time.Time{}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.store.SaveDelivery(ctx, d, token)
		return err
	})
}

// release puts the deliveries this run has not sent back to pending
// (failed on the job's last attempt), with the reason.
func (s *Service) release(ctx context.Context, rows []DeliveryRow, token string, cause error, last bool) error {
	return s.failAll(ctx, rows, token, cause, last)
}

// failAll records an error on deliveries not sent; final marks them
// failed.
func (s *Service) failAll(ctx context.Context, rows []DeliveryRow, token string, cause error, final bool) error {
	for i := range rows {
		d := &rows[i].Delivery
		if d.State != DeliveryPending && d.State != DeliverySending {
			continue
		}
		d.LastError = truncate(cause.Error())
		if final {
			d.State = DeliveryFailed
		} else {
			d.State = DeliveryPending
		}
		if err := s.save(ctx, d, token); err != nil {
			return err
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 1000 {
		return strings.ToValidUTF8(s[:1000], "")
	}
	return s
}

func claimToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// messageID is stable per delivery: <tenant.delivery@sender-domain>.
func messageID(d *Delivery, from string) string {
	domain := "renshi.invalid"
	if _, after, ok := strings.Cut(from, "@"); ok && after != "" {
		domain = after
	}
	return fmt.Sprintf("%d.%d.renshi@%s", d.TenantID, d.ID, domain)
}

// permanentSMTP reports whether the server refused a message for good
// (5xx on MAIL, RCPT or DATA), as opposed to a connection problem or a
// temporary refusal.
func permanentSMTP(err error) bool {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Reason {
	case mail.ErrSMTPMailFrom, mail.ErrSMTPRcptTo, mail.ErrSMTPData, mail.ErrSMTPDataClose:
		return !se.IsTemp()
	}
	return false
}

// compose builds the email of a delivery in the recipient's language.
func (s *Service) compose(r *DeliveryRow, rc Recipient, cfg *SMTPConfig, tenantLocale string) (*mail.Msg, error) {
	loc := rc.Locale
	if !i18n.Valid(loc) {
		loc = tenantLocale
	}
	text, err := Render(r.Template, loc, r.Params)
	if err != nil {
		return nil, err
	}
	body := text.Body
	if r.Link != "" && s.opts.BaseURL != "" {
		body += "\n\n" + i18n.T(loc, "notify.email_open", map[string]any{"url": strings.TrimSuffix(s.opts.BaseURL, "/") + r.Link})
	}
	body += "\n\n-- \n" + i18n.T(loc, "notify.email_footer", nil) + "\n"
	return buildMessage(cfg, rc.Name, rc.Email, text.Subject, body, r.MessageID, s.now())
}

func buildMessage(cfg *SMTPConfig, toName, to, subject, body, id string, at time.Time) (*mail.Msg, error) {
	m := mail.NewMsg()
	var err error
	if cfg.FromName != "" {
		err = m.FromFormat(cfg.FromName, cfg.FromAddress)
	} else {
		err = m.From(cfg.FromAddress)
	}
	if err != nil {
		return nil, fmt.Errorf("from address %q: %w", cfg.FromAddress, err)
	}
	if toName != "" {
		err = m.AddToFormat(toName, to)
	} else {
		err = m.To(to)
	}
	if err != nil {
		return nil, fmt.Errorf("to address: %w", err)
	}
	m.Subject(subject)
	m.SetMessageIDWithValue(id)
	m.SetDateWithValue(at)
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, body)
	return m, nil
}

// mailer is one SMTP connection for a job's messages.
type mailer struct {
	client *mail.Client
}

func (s *Service) client(cfg *SMTPConfig) (*mail.Client, error) {
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(s.opts.SMTPTimeout)}
	switch cfg.TLSMode {
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.tlsConfig != nil {
		c := s.tlsConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = cfg.Host
		}
		opts = append(opts, mail.WithTLSConfig(c))
	}
	if cfg.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if cfg.TLSMode == TLSNone {
			// The administrator chose an unencrypted relay; PLAIN is what
			// such relays speak.
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	return mail.NewClient(cfg.Host, opts...)
}

func (s *Service) dial(ctx context.Context, cfg *SMTPConfig) (*mailer, error) {
	c, err := s.client(cfg)
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, s.opts.SMTPTimeout)
	defer cancel()
	if err := c.DialWithContext(dctx); err != nil {
		return nil, err
	}
	return &mailer{client: c}, nil
}

func (m *mailer) send(msg *mail.Msg) error { return m.client.Send(msg) }

func (m *mailer) close() { _ = m.client.Close() }

// TestResult is the outcome of a test email.
type TestResult struct {
	To        string `json:"to"`
	MessageID string `json:"messageId"`
}

// SendTest sends a test email now through the tenant's mail server (or
// the installation's) to to, or to the caller's own address, and reports
// the server's answer. Needs notify.settings.manage.
func (s *Service) SendTest(ctx context.Context, to string) (*TestResult, error) {
	p, _, err := rbac.Require(ctx, PermSettings)
	if err != nil {
		return nil, err
	}
	loc := locale(ctx)
	if to == "" {
		rc, err := s.dir.Recipients(ctx, p.TenantID, []ids.ID{p.UserID})
		if err != nil {
			return nil, err
		}
		to = rc[p.UserID].Email
		if to == "" {
			return nil, errs.InvalidField("to", "required")
		}
	}
	cfg, err := s.smtpConfig(ctx)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, errs.E(errs.Invalid, "notify.no_mail_server")
	}
	tenantName := p.TenantCode
	if t, err := s.tenants.Get(ctx, p.TenantID); err == nil {
		tenantName = t.Name
	}
	text, err := Render(TemplateTest, loc, fmt.Sprintf(`{"tenant":%q}`, tenantName))
	if err != nil {
		return nil, err
	}
	id := messageID(&Delivery{TenantID: p.TenantID, ID: ids.New()}, cfg.FromAddress)
	msg, err := buildMessage(cfg, "", to, text.Subject, text.Body+"\n\n-- \n"+i18n.T(loc, "notify.email_footer", nil)+"\n", id, s.now())
	if err != nil {
		return nil, errs.InvalidField("to", "invalid_email")
	}
	m, err := s.dial(ctx, cfg)
	if err == nil {
		err = m.send(msg)
		m.close()
	}
	if err != nil {
		return nil, errs.E(errs.Invalid, "notify.test_failed", errs.Params{"error": truncate(err.Error())})
	}
	if err := s.db.WithTx(ctx, func(ctx context.Context) error {
		return s.audit.Record(ctx, audit.Event{Action: "send_test", ObjectType: ObjectSettings, Diff: map[string]any{"to": to}})
	}); err != nil {
		return nil, err
	}
	return &TestResult{To: to, MessageID: id}, nil
}

// DeliveryView is a line of the delivery log.
type DeliveryView struct {
	ID             ids.ID     `json:"id"`
	NotificationID ids.ID     `json:"notificationId"`
	UserID         ids.ID     `json:"userId"`
	Channel        string     `json:"channel"`
	State          string     `json:"state"`
	Address        string     `json:"address"`
	Template       string     `json:"template"`
	Subject        string     `json:"subject"`
	MessageID      string     `json:"messageId"`
	Attempts       int        `json:"attempts"`
	LastError      string     `json:"lastError"`
	JobID          ids.ID     `json:"jobId"`
	SentAt         *time.Time `json:"sentAt"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

func (s *Service) deliveryView(r *DeliveryRow, loc string) DeliveryView {
	v := DeliveryView{ID: r.ID, NotificationID: r.NotificationID, UserID: r.UserID, Channel: r.Channel, State: r.State, Address: r.Address,
		Template: r.Template, MessageID: r.MessageID, Attempts: r.Attempts, LastError: r.LastError, JobID: r.JobID,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if txt, err := Render(r.Template, loc, r.Params); err == nil {
		v.Subject = txt.Subject
	}
	if !r.SentAt.IsZero() {
		t := r.SentAt.UTC()
		v.SentAt = &t
	}
	return v
}

// Deliveries lists the tenant's email deliveries, newest first (filter
// by state, e.g. failed). Needs notify.settings.manage.
func (s *Service) Deliveries(ctx context.Context, f DeliveryFilter) ([]DeliveryView, int, error) {
	if _, _, err := rbac.Require(ctx, PermSettings); err != nil {
		return nil, 0, err
	}
	if f.State != "" && !contains(DeliveryStates, f.State) {
		return nil, 0, errs.InvalidField("state", "invalid_choice")
	}
	rows, total, err := s.store.Deliveries(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	loc := locale(ctx)
	out := make([]DeliveryView, len(rows))
	for i := range rows {
		out[i] = s.deliveryView(&rows[i], loc)
	}
	return out, total, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// RetryDelivery queues a failed delivery again in a new job (audited).
// Needs notify.settings.manage.
func (s *Service) RetryDelivery(ctx context.Context, id ids.ID) (*DeliveryView, error) {
	p, _, err := rbac.Require(ctx, PermSettings)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		rows, err := s.store.DeliveryRows(ctx, []ids.ID{id})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errs.NotFoundf("object.delivery")
		}
		if rows[0].State != DeliveryFailed {
			return errs.E(errs.Conflict, "notify.not_retryable", errs.Params{"state": rows[0].State})
		}
		j, err := s.jobs.Enqueue(ctx, p.TenantID, KindEmail, emailArgs{Deliveries: []ids.ID{id}}, jobs.EnqueueOptions{CreatedBy: p.UserID})
		if err != nil {
			return err
		}
		ok, err := s.store.RequeueDelivery(ctx, id, j.ID, s.now().UTC().Truncate(time.Microsecond))
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.Conflict, "notify.not_retryable", errs.Params{"state": rows[0].State})
		}
		return s.audit.Record(ctx, audit.Event{Action: "retry", ObjectType: ObjectDelivery, ObjectID: id.String()})
	})
	if err != nil {
		return nil, err
	}
	rows, err := s.store.DeliveryRows(ctx, []ids.ID{id})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	v := s.deliveryView(&rows[0], locale(ctx))
	return &v, nil
}
