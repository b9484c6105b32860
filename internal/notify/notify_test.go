package notify_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/notify/notifydb"
	"github.com/renshi/renshi/internal/notify/notifytest"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/tenant"
)

const tplApproval = "test.approval_pending"

func init() {
	notify.RegisterTemplate(notify.Template{Key: tplApproval, Category: notify.CategoryApproval,
		Subject: map[string]string{i18n.ZH: "待审批：{{.applicant}}的{{.kind}}", i18n.EN: "To approve: {{.kind}} of {{.applicant}}"},
		Body: map[string]string{
			i18n.ZH: "{{.applicant}}提交了{{.kind}}，共 {{.days}} 天，请审批。",
			i18n.EN: "{{.applicant}} asks for {{.kind}}, {{.days}} days. Please approve.",
		}})
}

func approvalMsg(key string, to ...ids.ID) notify.Message {
	return notify.Message{Recipients: to, Template: tplApproval, Params: map[string]any{"applicant": "张三", "kind": "年假", "days": 3},
		Link: "/approvals/42", ObjectType: "approval", ObjectID: "42", Key: key}
}

func TestSendIsIdempotentByKey(t *testing.T) {
	e := newEnv(t)
	a, b, c := e.user("李四", "", ""), e.user("王五", "", ""), e.user("赵六", "", "")
	ctx := e.system()
	n, err := e.svc.Send(ctx, approvalMsg("approval:42:step1", a, b, a))
	if err != nil || n != 2 {
		t.Fatalf("first send: %d %v", n, err)
	}
	// A retried request: nothing new. A wider send: only the new recipient.
	if n, err := e.svc.Send(ctx, approvalMsg("approval:42:step1", a, b)); err != nil || n != 0 {
		t.Fatalf("repeat: %d %v", n, err)
	}
	if n, err := e.svc.Send(ctx, approvalMsg("approval:42:step1", a, b, c)); err != nil || n != 1 {
		t.Fatalf("wider: %d %v", n, err)
	}
	// Without a key every send is new.
	for range 2 {
		if n, err := e.svc.Send(ctx, approvalMsg("", a)); err != nil || n != 1 {
			t.Fatalf("no key: %d %v", n, err)
		}
	}
	if items, total, _ := e.svc.Inbox(e.as(a), notify.InboxFilter{}); total != 3 || len(items) != 3 {
		t.Fatalf("inbox of a: %d", total)
	}
	// Two processes sending the same key at the same moment: one row.
	d2 := e.second()
	svc2, _ := e.proc(d2)
	var wg sync.WaitGroup
	created := make([]int, 8)
	errList := make([]error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := e.svc
			if i%2 == 1 {
				svc = svc2
			}
			created[i], errList[i] = svc.Send(ctx, approvalMsg("approval:43:step1", a, b))
		}()
	}
	wg.Wait()
	sum := 0
	for i := range created {
		if errList[i] != nil {
			t.Fatal(errList[i])
		}
		sum += created[i]
	}
	if sum != 2 {
		t.Fatalf("racing sends created %d rows, want 2", sum)
	}
	// Joins the caller's transaction: a rolled-back change notifies nobody.
	boom := errors.New("boom")
	err = e.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := e.svc.Send(ctx, approvalMsg("approval:44", c)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, total, _ := e.svc.Inbox(e.as(c), notify.InboxFilter{}); total != 1 {
		t.Fatalf("rolled-back send left rows: %d", total)
	}
}

func TestSendRefusesMistakes(t *testing.T) {
	e := newEnv(t)
	u := e.user("甲", "", "")
	for name, m := range map[string]notify.Message{
		"unknown template":  {Recipients: []ids.ID{u}, Template: "nope"},
		"missing param":     {Recipients: []ids.ID{u}, Template: tplApproval, Params: map[string]any{"applicant": "x"}},
		"absolute link":     {Recipients: []ids.ID{u}, Template: tplApproval, Params: map[string]any{"applicant": "x", "kind": "y", "days": 1}, Link: "https://evil.example/"},
		"protocol-relative": {Recipients: []ids.ID{u}, Template: tplApproval, Params: map[string]any{"applicant": "x", "kind": "y", "days": 1}, Link: "//evil.example/"},
	} {
		if _, err := e.svc.Send(e.system(), m); err == nil {
			t.Errorf("%s: sent", name)
		}
	}
	if _, err := e.svc.Send(context.Background(), approvalMsg("k", u)); errs.KindOf(err) != errs.Unauthenticated {
		t.Fatalf("without a principal: %v", err)
	}
}

func TestRenderInRecipientLanguage(t *testing.T) {
	zh, err := notify.Render(tplApproval, i18n.ZH, `{"applicant":"张三","kind":"年假","days":3}`)
	if err != nil || zh.Subject != "待审批：张三的年假" || zh.Body != "张三提交了年假，共 3 天，请审批。" {
		t.Fatalf("zh: %+v %v", zh, err)
	}
	en, err := notify.Render(tplApproval, "en-US", `{"applicant":"Zhang San","kind":"annual leave","days":3}`)
	if err != nil || en.Subject != "To approve: annual leave of Zhang San" || en.Body != "Zhang San asks for annual leave, 3 days. Please approve." {
		t.Fatalf("en: %+v %v", en, err)
	}
	// The inbox renders in the reader's language.
	e := newEnv(t)
	u := e.user("Lee", "", "")
	if _, err := e.svc.Send(e.system(), approvalMsg("k", u)); err != nil {
		t.Fatal(err)
	}
	ctx := e.as(u)
	items, _, _ := e.svc.Inbox(i18n.WithLocale(ctx, i18n.EN), notify.InboxFilter{})
	if len(items) != 1 || items[0].Title != "To approve: 年假 of 张三" || items[0].Link != "/approvals/42" || items[0].Read {
		t.Fatalf("en inbox: %+v", items)
	}
	items, _, _ = e.svc.Inbox(ctx, notify.InboxFilter{})
	if items[0].Title != "待审批：张三的年假" {
		t.Fatalf("zh inbox: %+v", items)
	}
}

func TestInboxUnreadCountAndMarkRead(t *testing.T) {
	e := newEnv(t)
	u, other := e.user("甲", "", ""), e.user("乙", "", "")
	for i := range 5 {
		if _, err := e.svc.Send(e.system(), approvalMsg(fmt.Sprint("k", i), u)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := e.as(u)
	if n, _ := e.svc.UnreadCount(ctx); n != 5 {
		t.Fatalf("unread: %d", n)
	}
	items, total, _ := e.svc.Inbox(ctx, notify.InboxFilter{Page: 1, Size: 2})
	if total != 5 || len(items) != 2 || items[0].ID < items[1].ID {
		t.Fatalf("page: %d %+v", total, items)
	}
	if err := e.svc.MarkRead(ctx, items[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.MarkRead(ctx, items[0].ID); err != nil { // again: fine
		t.Fatal(err)
	}
	if err := e.svc.MarkRead(e.as(other), items[1].ID); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("someone else's: %v", err)
	}
	if n, _ := e.svc.UnreadCount(ctx); n != 4 {
		t.Fatalf("unread after one: %d", n)
	}
	unread, total, _ := e.svc.Inbox(ctx, notify.InboxFilter{UnreadOnly: true})
	if total != 4 || len(unread) != 4 {
		t.Fatalf("unread list: %d", total)
	}
	if n, err := e.svc.MarkAllRead(ctx); err != nil || n != 4 {
		t.Fatalf("all: %d %v", n, err)
	}
	if n, _ := e.svc.UnreadCount(ctx); n != 0 {
		t.Fatalf("unread after all: %d", n)
	}
}

func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	other, err := e.tenants.Create(context.Background(), tenant.New{Code: "beta", Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	u := e.user("甲", "", "")
	// acme has a mail server, beta none.
	pw := "x"
	if _, err := e.svc.SaveSettings(e.system(), notify.SettingsInput{Host: "mail.a.example", FromAddress: "a@a.example", TLSMode: notify.TLSStartTLS, Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Send(e.system(), approvalMsg("same-key", u)); err != nil {
		t.Fatal(err)
	}
	// The same user id and key in another tenant is another notification.
	sysB := asSystem(other.ID)
	if n, err := e.svc.Send(sysB, approvalMsg("same-key", u)); err != nil || n != 1 {
		t.Fatalf("other tenant: %d %v", n, err)
	}
	mine, _, _ := e.svc.Inbox(e.as(u), notify.InboxFilter{})
	theirs, _, _ := e.svc.Inbox(asIn(other.ID, u), notify.InboxFilter{})
	if len(mine) != 1 || len(theirs) != 1 || mine[0].ID == theirs[0].ID {
		t.Fatalf("inboxes: %v %v", mine, theirs)
	}
	if err := e.svc.MarkRead(asIn(other.ID, u), mine[0].ID); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("cross-tenant mark read: %v", err)
	}
	if n, _ := e.svc.UnreadCount(e.as(u)); n != 1 {
		t.Fatal("cross-tenant mark read changed the row")
	}
	// Mail settings and deliveries are per tenant.
	v, err := e.svc.Settings(sysB)
	if err != nil || v.Source != "none" {
		t.Fatalf("other tenant's settings: %+v %v", v, err)
	}
	if rows, _, _ := e.svc.Deliveries(e.system(), notify.DeliveryFilter{}); len(rows) != 1 {
		t.Fatalf("deliveries of acme: %d", len(rows))
	}
	if rows, _, _ := e.svc.Deliveries(sysB, notify.DeliveryFilter{}); len(rows) != 0 {
		t.Fatalf("deliveries of beta, which has no mail server: %d", len(rows))
	}
}

func TestEmailDeliveredOnceWithHeaders(t *testing.T) {
	m := notifytest.NewMailServer(t)
	e := newEnv(t)
	e.useServer(m)
	zh := e.user("李四", "lisi@acme.example", "zh-CN")
	en := e.user("Mary", "mary@acme.example", "en")
	if _, err := e.svc.Send(e.system(), approvalMsg("approval:42:1", zh, en)); err != nil {
		t.Fatal(err)
	}
	start(t, e.q)
	waitFor(t, "two emails", func() bool { return m.Count() == 2 })
	waitFor(t, "deliveries sent", func() bool { return e.deliveryStates()[notify.DeliverySent] == 2 })
	// A repeated send and more polling change nothing.
	if _, err := e.svc.Send(e.system(), approvalMsg("approval:42:1", zh, en)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := m.Count(); n != 2 {
		t.Fatalf("%d messages arrived, want 2", n)
	}
	byTo := map[string]notifytest.Received{}
	for _, r := range m.Messages() {
		if len(r.To) != 1 {
			t.Fatalf("recipients: %v", r.To)
		}
		byTo[r.To[0]] = r
	}
	got := byTo["lisi@acme.example"]
	raw := got.Msg.Header.Get("Subject")
	if !strings.HasPrefix(raw, "=?UTF-8?") {
		t.Fatalf("Chinese subject not encoded (RFC 2047): %q", raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil || subject != "待审批：张三的年假" {
		t.Fatalf("subject: %q %v", subject, err)
	}
	from, _ := new(mime.WordDecoder).DecodeHeader(got.Msg.Header.Get("From"))
	if got.From != "hr@acme.example" || !strings.Contains(from, "Acme 人事") || !strings.Contains(from, "<hr@acme.example>") {
		t.Fatalf("from: %q / %q", got.From, from)
	}
	if to, _ := new(mime.WordDecoder).DecodeHeader(got.Msg.Header.Get("To")); !strings.Contains(to, "李四") {
		t.Fatalf("to: %q", to)
	}
	mid := got.Msg.Header.Get("Message-Id")
	rows := e.deliveries()
	var d notify.DeliveryRow
	for _, r := range rows {
		if r.Address == "lisi@acme.example" {
			d = r
		}
	}
	if mid == "" || mid != "<"+d.MessageID+">" || !strings.HasSuffix(d.MessageID, "@acme.example") || d.Attempts != 1 || d.SentAt.IsZero() {
		t.Fatalf("message id %q, delivery %+v", mid, d.Delivery)
	}
	if got.Msg.Header.Get("Auto-Submitted") != "auto-generated" || got.Msg.Header.Get("Date") == "" {
		t.Fatalf("headers: %v", got.Msg.Header)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(got.Msg.Body))
	body := string(b)
	if err != nil || !strings.Contains(body, "张三提交了年假") || !strings.Contains(body, "https://hr.example.com/approvals/42") {
		t.Fatalf("body has no link: %s", body)
	}
	enSubject, _ := new(mime.WordDecoder).DecodeHeader(byTo["mary@acme.example"].Msg.Header.Get("Subject"))
	if enSubject != "To approve: 年假 of 张三" {
		t.Fatalf("English subject: %q", enSubject)
	}
}

func TestRetriesUntilTheServerIsBack(t *testing.T) {
	m := notifytest.NewMailServer(t)
	e := newEnv(t)
	e.useServer(m)
	m.Stop()
	u := e.user("李四", "lisi@acme.example", "")
	if _, err := e.svc.Send(e.system(), approvalMsg("k", u)); err != nil {
		t.Fatal(err)
	}
	start(t, e.q)
	waitFor(t, "a failed attempt", func() bool {
		rows := e.deliveries()
		return len(rows) == 1 && rows[0].State == notify.DeliveryPending && rows[0].LastError != ""
	})
	m.Restart()
	waitFor(t, "the retry to send", func() bool { return e.deliveryStates()[notify.DeliverySent] == 1 })
	if n := m.Count(); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
	rows := e.deliveries()
	if rows[0].LastError != "" {
		t.Fatalf("error kept after success: %q", rows[0].LastError)
	}
	// The job retried with backoff: attempts counted on it. (The delivery
	// is recorded before the job finishes.)
	var j *jobs.Job
	waitFor(t, "the job to finish", func() bool {
		var err error
		j, err = e.q.Get(e.as(0, "platform.job.read"), rows[0].JobID)
		return err == nil && j.State.Finished()
	})
	if j.State != jobs.Succeeded || j.Attempt < 2 {
		t.Fatalf("job: %+v", j)
	}
}

func TestPermanentRefusalFailsOnlyThatDelivery(t *testing.T) {
	m := notifytest.NewMailServer(t)
	m.Reject("bad@acme.example", true)
	e := newEnv(t)
	e.useServer(m)
	good, bad := e.user("好", "good@acme.example", ""), e.user("坏", "bad@acme.example", "")
	noMail := e.user("无", "", "")
	if _, err := e.svc.Send(e.system(), approvalMsg("k", bad, good, noMail)); err != nil {
		t.Fatal(err)
	}
	start(t, e.q)
	waitFor(t, "outcomes", func() bool {
		s := e.deliveryStates()
		return s[notify.DeliverySent] == 1 && s[notify.DeliveryFailed] == 1 && s[notify.DeliverySkipped] == 1
	})
	admin := e.as(0, notify.PermSettings)
	failed, total, err := e.svc.Deliveries(admin, notify.DeliveryFilter{State: notify.DeliveryFailed})
	if err != nil || total != 1 || !strings.Contains(failed[0].LastError, "550") || failed[0].Subject != "待审批：张三的年假" {
		t.Fatalf("failed log: %+v %v", failed, err)
	}
	// The address is fixed; an admin retries.
	m.Reject("bad@acme.example", false)
	if _, err := e.svc.RetryDelivery(admin, failed[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RetryDelivery(admin, failed[0].ID); !errs.Is(err, errs.Conflict, "notify.not_retryable") {
		t.Fatalf("retry of a pending one: %v", err)
	}
	waitFor(t, "the retried delivery", func() bool { return e.deliveryStates()[notify.DeliverySent] == 2 })
	if m.Count() != 2 {
		t.Fatalf("messages: %d", m.Count())
	}
	if _, _, err := e.svc.Deliveries(e.as(0), notify.DeliveryFilter{}); errs.KindOf(err) != errs.Forbidden {
		t.Fatalf("log without permission: %v", err)
	}
}

func TestPreferencesSuppressEmail(t *testing.T) {
	m := notifytest.NewMailServer(t)
	e := newEnv(t)
	e.useServer(m)
	quiet, loud := e.user("静", "quiet@acme.example", ""), e.user("响", "loud@acme.example", "")
	prefs, err := e.svc.SetPreferences(e.as(quiet), map[string]bool{notify.CategoryApproval: false})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prefs {
		if p.Category == notify.CategoryApproval && (p.Email || !p.InApp || p.Label != "审批") {
			t.Fatalf("choice: %+v", p)
		}
		if p.Category == notify.CategoryReminder && !p.Email {
			t.Fatalf("default: %+v", p)
		}
	}
	if _, err := e.svc.SetPreferences(e.as(quiet), map[string]bool{"nope": true}); errs.KindOf(err) != errs.Invalid {
		t.Fatalf("unknown category: %v", err)
	}
	if _, err := e.svc.Send(e.system(), approvalMsg("k", quiet, loud)); err != nil {
		t.Fatal(err)
	}
	start(t, e.q)
	waitFor(t, "the email", func() bool { return m.Count() == 1 })
	time.Sleep(200 * time.Millisecond)
	if got := m.Messages(); len(got) != 1 || got[0].To[0] != "loud@acme.example" {
		t.Fatalf("emails: %+v", got)
	}
	if n, _ := e.svc.UnreadCount(e.as(quiet)); n != 1 {
		t.Fatal("the inbox is always on")
	}
}

// A process killed after claiming a delivery, before talking to the mail
// server: another process sends it once the claim runs out.
func TestDeliveredOnceAcrossAKilledProcess(t *testing.T) {
	m := notifytest.NewMailServer(t)
	e := newEnv(t)
	e.useServer(m)
	u := e.user("李四", "lisi@acme.example", "")
	if _, err := e.svc.Send(e.system(), approvalMsg("k", u)); err != nil {
		t.Fatal(err)
	}
	crashed := make(chan struct{})
	var once sync.Once
	notify.SetHook(e.svc, func(stage string, _ ids.ID) error {
		if stage == "claimed" {
			once.Do(func() { close(crashed) })
			return errors.New("process killed")
		}
		return nil
	})
	start(t, e.q)
	<-crashed
	if err := e.q.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows := e.deliveries()
	if rows[0].State != notify.DeliverySending || m.Count() != 0 {
		t.Fatalf("after the crash: %+v, %d emails", rows[0].Delivery, m.Count())
	}
	// The restarted process (another pool on the same database).
	_, q2 := e.proc(e.second())
	start(t, q2)
	waitFor(t, "the restarted process to send", func() bool { return e.deliveryStates()[notify.DeliverySent] == 1 })
	time.Sleep(300 * time.Millisecond)
	if n := m.Count(); n != 1 {
		t.Fatalf("%d emails, want 1", n)
	}
	if rows := e.deliveries(); rows[0].Attempts != 2 {
		t.Fatalf("attempts: %d", rows[0].Attempts)
	}
}

// A queue stopped while its handler is busy gives the job back; the next
// process finishes it, and a message already sent is not sent again.
func TestStoppedQueueHandsOverWithoutResending(t *testing.T) {
	m := notifytest.NewMailServer(t)
	e := newEnv(t)
	e.useServer(m)
	a, b := e.user("甲", "a@acme.example", ""), e.user("乙", "b@acme.example", "")
	if _, err := e.svc.Send(e.system(), approvalMsg("k", a, b)); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var first sync.Once
	stuck := make(chan struct{})
	notify.SetHook(e.svc, func(stage string, _ ids.ID) error {
		if stage == "sent" {
			// After the first message: hang until released, as a slow
			// process being shut down.
			first.Do(func() { close(stuck) })
			<-release
		}
		return nil
	})
	start(t, e.q)
	<-stuck
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		stopped <- e.q.Stop(ctx)
	}()
	time.Sleep(300 * time.Millisecond)
	close(release) // the handler finishes its first message and sees it must stop
	<-stopped
	_, q2 := e.proc(e.second())
	start(t, q2)
	waitFor(t, "both sent", func() bool { return e.deliveryStates()[notify.DeliverySent] == 2 })
	time.Sleep(300 * time.Millisecond)
	if n := m.Count(); n != 2 {
		t.Fatalf("%d emails, want 2", n)
	}
}

// The honest edge: a process that dies after the server accepted a
// message and before recording it sends it again after the claim runs
// out, with the same Message-ID, so mail clients can tell.
func TestCrashAfterAcceptResendsWithTheSameMessageID(t *testing.T) {
	m := notifytest.NewMailServer(t)
	e := newEnv(t)
	e.useServer(m)
	u := e.user("李四", "lisi@acme.example", "")
	if _, err := e.svc.Send(e.system(), approvalMsg("k", u)); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	notify.SetHook(e.svc, func(stage string, _ ids.ID) error {
		var err error
		if stage == "sent" {
			once.Do(func() { err = errors.New("process killed") })
		}
		return err
	})
	start(t, e.q)
	waitFor(t, "the resend", func() bool { return e.deliveryStates()[notify.DeliverySent] == 1 })
	got := m.Messages()
	if len(got) != 2 || got[0].Msg.Header.Get("Message-Id") != got[1].Msg.Header.Get("Message-Id") {
		t.Fatalf("want the same message twice, got %d", len(got))
	}
}

func TestWithoutAMailServerOnlyTheInbox(t *testing.T) {
	e := newEnv(t)
	u := e.user("李四", "lisi@acme.example", "")
	if _, err := e.svc.Send(e.system(), approvalMsg("k", u)); err != nil {
		t.Fatal(err)
	}
	if rows := e.deliveries(); len(rows) != 0 {
		t.Fatalf("deliveries without a mail server: %+v", rows)
	}
	if n, err := e.svc.UnreadCount(e.as(u)); err != nil || n != 1 {
		t.Fatalf("inbox: %d %v", n, err)
	}
	// Once a server is configured, email goes out.
	m := notifytest.NewMailServer(t)
	e.useServer(m)
	if _, err := e.svc.Send(e.system(), approvalMsg("k2", u)); err != nil {
		t.Fatal(err)
	}
	start(t, e.q)
	waitFor(t, "the email", func() bool { return m.Count() == 1 })
}

// A mail server that goes away after a delivery was queued fails it
// without retries; the delivery log's retry sends it once it is back.
func TestServerRemovedDeliveriesFailUntilConfigured(t *testing.T) {
	e := newEnv(t)
	u := e.user("李四", "lisi@acme.example", "")
	m := notifytest.NewMailServer(t)
	e.useServer(m)
	if _, err := e.svc.Send(e.system(), approvalMsg("k", u)); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteSettings(e.as(0, notify.PermSettings)); err != nil {
		t.Fatal(err)
	}
	start(t, e.q)
	waitFor(t, "the failure", func() bool { return e.deliveryStates()[notify.DeliveryFailed] == 1 })
	if rows := e.deliveries(); !strings.Contains(rows[0].LastError, "no mail server") {
		t.Fatalf("error: %q", rows[0].LastError)
	}
	e.useServer(m)
	if _, err := e.svc.RetryDelivery(e.as(0, notify.PermSettings), e.deliveries()[0].ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the email", func() bool { return m.Count() == 1 })
}

func TestInstallationServerIsTheFallback(t *testing.T) {
	m := notifytest.NewMailServer(t)
	e := newEnv(t, func(o *notify.Options) {
		o.SMTPURL = fmt.Sprintf("smtp://mailer:%s@127.0.0.1:%d?from=noreply@renshi.example&tls=none&name=Renshi", "s3cret-%E5%AF%86%E7%A0%81", m.Port)
	})
	v, err := e.svc.Settings(e.as(0, notify.PermSettings))
	if err != nil || v.Source != "installation" || v.Host != "127.0.0.1" || v.Username != "" || v.HasPassword {
		t.Fatalf("view: %+v %v", v, err)
	}
	u := e.user("李四", "lisi@acme.example", "")
	if _, err := e.svc.Send(e.system(), approvalMsg("k", u)); err != nil {
		t.Fatal(err)
	}
	start(t, e.q)
	waitFor(t, "the email", func() bool { return m.Count() == 1 })
	if got := m.Messages()[0]; got.From != "noreply@renshi.example" {
		t.Fatalf("from: %s", got.From)
	}
	for _, bad := range []string{"http://x", "smtp://host?from=nope", "smtp://:25?from=a@b.c", "smtp://h?from=a@b.c&tls=maybe"} {
		if _, err := notify.ParseSMTPURL(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
	c, err := notify.ParseSMTPURL("smtps://u:p@mail.example.com?from=hr@x.com")
	if err != nil || c.Port != 465 || c.TLSMode != notify.TLSImplicit || c.Password != "p" {
		t.Fatalf("smtps: %+v %v", c, err)
	}
}

func TestSettingsKeepThePasswordSealed(t *testing.T) {
	m := notifytest.NewMailServer(t)
	e := newEnv(t)
	admin := e.as(e.user("root", "root@acme.example", ""), notify.PermSettings)
	if _, err := e.svc.Settings(e.as(0)); errs.KindOf(err) != errs.Forbidden {
		t.Fatalf("without permission: %v", err)
	}
	_, err := e.svc.SaveSettings(admin, notify.SettingsInput{Host: "bad host", Port: 70000, FromAddress: "nope", TLSMode: "maybe"})
	if errs.KindOf(err) != errs.Invalid {
		t.Fatalf("invalid: %v", err)
	}
	var ee *errs.Error
	errors.As(err, &ee)
	if len(ee.Fields) != 4 {
		t.Fatalf("fields: %+v", ee.Fields)
	}
	pw := m.Password
	v, err := e.svc.SaveSettings(admin, notify.SettingsInput{Host: "127.0.0.1", Port: m.Port, Username: m.Username, Password: &pw,
		FromAddress: "HR@Acme.Example", TLSMode: notify.TLSNone})
	if err != nil || v.Source != "tenant" || !v.HasPassword || v.Version != 1 {
		t.Fatalf("saved: %+v %v", v, err)
	}
	st, err := notifydb.New(e.db).SMTPSettings(admin)
	if err != nil || st.PasswordEnc == "" || strings.Contains(st.PasswordEnc, pw) {
		t.Fatalf("stored: %+v %v", st, err)
	}
	// An edit without a password keeps it; a stale version is refused.
	if v, err = e.svc.SaveSettings(admin, notify.SettingsInput{Host: "127.0.0.1", Port: m.Port, Username: m.Username,
		FromAddress: "hr@acme.example", FromName: "人事部", TLSMode: notify.TLSNone, Version: 1}); err != nil || !v.HasPassword || v.Version != 2 {
		t.Fatalf("edit: %+v %v", v, err)
	}
	if _, err := e.svc.SaveSettings(admin, notify.SettingsInput{Host: "x", FromAddress: "a@b.c", TLSMode: notify.TLSNone, Version: 1}); !errs.Is(err, errs.Conflict, "stale") {
		t.Fatalf("stale: %v", err)
	}
	// The test email goes through them, to the caller by default.
	res, err := e.svc.SendTest(admin, "")
	if err != nil || res.To != "root@acme.example" {
		t.Fatalf("test: %+v %v", res, err)
	}
	waitFor(t, "the test email", func() bool { return m.Count() == 1 })
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Messages()[0].Msg.Header.Get("Subject"))
	if subject != "人事系统测试邮件" {
		t.Fatalf("subject: %q", subject)
	}
	// A wrong password is reported, not hidden.
	wrong := "wrong"
	if _, err := e.svc.SaveSettings(admin, notify.SettingsInput{Host: "127.0.0.1", Port: m.Port, Username: m.Username, Password: &wrong,
		FromAddress: "hr@acme.example", TLSMode: notify.TLSNone, Version: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SendTest(admin, "x@acme.example"); !errs.Is(err, errs.Invalid, "notify.test_failed") {
		t.Fatalf("wrong password: %v", err)
	}
	if err := e.svc.DeleteSettings(admin); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.svc.Settings(admin); v.Source != "none" {
		t.Fatalf("after delete: %+v", v)
	}
	if _, err := e.svc.SendTest(admin, "x@acme.example"); !errs.Is(err, errs.Invalid, "notify.no_mail_server") {
		t.Fatalf("no server: %v", err)
	}
}

// ---- reminders

type fakeSource struct {
	name string
	mu   sync.Mutex
	due  func(day civil.Date) []notify.Reminder
	runs int
}

func (f *fakeSource) Name() string { return f.name }

func (f *fakeSource) Due(_ context.Context, _ ids.ID, day civil.Date) ([]notify.Reminder, error) {
	f.mu.Lock()
	f.runs++
	f.mu.Unlock()
	return f.due(day), nil
}

func init() {
	notify.RegisterTemplate(notify.Template{Key: "test.contract_ending", Category: notify.CategoryReminder,
		Subject: map[string]string{i18n.ZH: "{{.name}}的合同将于 {{.end}} 到期", i18n.EN: "{{.name}}'s contract ends on {{.end}}"},
		Body:    map[string]string{i18n.ZH: "还有 {{.days}} 天。", i18n.EN: "{{.days}} days left."}})
}

// contractSource reminds hr about n contracts ending 30 days after day.
func contractSource(hr ids.ID, n int) *fakeSource {
	return &fakeSource{name: "test.contracts", due: func(day civil.Date) []notify.Reminder {
		out := make([]notify.Reminder, n)
		for i := range n {
			end := day.AddDays(30)
			out[i] = notify.Reminder{Key: fmt.Sprintf("contract-end:%d:%s:30d", i, end), Recipients: []ids.ID{hr},
				Template: "test.contract_ending", Params: map[string]any{"name": fmt.Sprint("员工", i), "end": end.String(), "days": 30},
				Link: fmt.Sprintf("/employees/%d", i)}
		}
		return out
	}}
}

func TestRemindersFireOncePerOccasion(t *testing.T) {
	e := newEnv(t)
	hr := e.user("HR", "", "")
	src := contractSource(hr, 3)
	e.svc.RegisterReminder(src)
	day := civil.MustParse("2026-06-15")
	res, err := e.svc.RunReminders(e.system(), day)
	if err != nil || res.Reminders != 3 || res.Created != 3 || res.BySource["test.contracts"] != 3 {
		t.Fatalf("first run: %+v %v", res, err)
	}
	// The same day again (a retry, a restart): nothing new.
	if res, err := e.svc.RunReminders(e.system(), day); err != nil || res.Created != 0 {
		t.Fatalf("second run: %+v %v", res, err)
	}
	if n, _ := e.svc.UnreadCount(e.as(hr)); n != 3 {
		t.Fatalf("inbox: %d", n)
	}
}

// Two processes on one database both run the hourly schedule: each
// tenant gets one reminder job per day and each occasion one notification.
func TestDailyReminderJobRunsOncePerTenantAndDay(t *testing.T) {
	e := newEnv(t, func(o *notify.Options) { o.ReminderEvery = 50 * time.Millisecond })
	beta, err := e.tenants.Create(context.Background(), tenant.New{Code: "beta", Name: "Beta", TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	hr := e.user("HR", "", "")
	src1 := contractSource(hr, 5)
	e.svc.RegisterReminder(src1)
	svc2, q2 := e.proc(e.second())
	src2 := contractSource(hr, 5)
	svc2.RegisterReminder(src2)
	start(t, e.q, q2)
	// 10:00 in Shanghai is 04:00 in Berlin: before the reminder hour there.
	waitFor(t, "acme's run", func() bool { n, _ := e.svc.UnreadCount(e.as(hr)); return n == 5 })
	time.Sleep(400 * time.Millisecond) // many more ticks in both processes
	count := func(tenantID ids.ID) int {
		n, err := e.db.Conn(context.Background()).NewSelect().Model((*jobs.Job)(nil)).
			Where("tenant_id = ? AND kind = ?", tenantID, notify.KindReminders).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	if n := count(e.tenant.ID); n != 1 {
		t.Fatalf("acme has %d reminder jobs", n)
	}
	if n := count(beta.ID); n != 0 {
		t.Fatalf("beta ran before its local reminder hour: %d", n)
	}
	// The next day (Shanghai 10:00 = Berlin 04:00 again; move to 18:00).
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e.setClock(time.Date(2026, 6, 16, 18, 0, 0, 0, loc))
	waitFor(t, "day two in both tenants", func() bool { return count(e.tenant.ID) == 2 && count(beta.ID) == 1 })
	waitFor(t, "day two's reminders", func() bool { n, _ := e.svc.UnreadCount(e.as(hr)); return n == 10 })
	time.Sleep(300 * time.Millisecond)
	if n, _ := e.svc.UnreadCount(e.as(hr)); n != 10 {
		t.Fatalf("inbox after two days: %d", n)
	}
	if src1.count()+src2.count() < 3 {
		t.Fatalf("runs: %d %d", src1.count(), src2.count())
	}
}

func (f *fakeSource) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs
}

func TestSTARTTLSIsRequiredAndUsed(t *testing.T) {
	m, pool := notifytest.NewTLSMailServer(t)
	e := newEnv(t)
	notify.SetTLSConfig(e.svc, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	pw := m.Password
	if _, err := e.svc.SaveSettings(e.system(), notify.SettingsInput{Host: "127.0.0.1", Port: m.Port, Username: m.Username, Password: &pw,
		FromAddress: "hr@acme.example", TLSMode: notify.TLSStartTLS}); err != nil {
		t.Fatal(err)
	}
	u := e.user("李四", "lisi@acme.example", "")
	if _, err := e.svc.Send(e.system(), approvalMsg("k", u)); err != nil {
		t.Fatal(err)
	}
	start(t, e.q)
	waitFor(t, "the email", func() bool { return m.Count() == 1 })
	if !m.Messages()[0].TLS {
		t.Fatal("sent without TLS")
	}
}
