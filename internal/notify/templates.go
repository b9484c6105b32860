package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"

	"github.com/renshi/renshi/internal/platform/i18n"
)

// Template is the text of one kind of notification in every supported
// locale. Subject and body are text/template sources over the message's
// params ({{.name}}); the subject is the inbox title and the email
// subject, the body the inbox text and the email text.
type Template struct {
	Key      string // module.event, e.g. "approval.pending"
	Category string // a registered category: what users switch email on or off for
	Subject  map[string]string
	Body     map[string]string
}

// Category groups templates for preferences. Its label is the i18n key
// "notify.category.<key>".
type Category struct {
	Key string
	// EmailDefault is whether email is on for users who never chose.
	EmailDefault bool
}

// Built-in categories; modules may register more.
const (
	CategoryApproval = "approval" // something to act on or its outcome
	CategoryReminder = "reminder" // dated reminders (contracts, probation, ...)
	CategorySystem   = "system"   // the platform's own messages
)

type compiled struct {
	Template
	subject, body map[string]*template.Template
}

var (
	regMu      sync.RWMutex
	templates  = map[string]*compiled{}
	categories = map[string]Category{}
)

func init() {
	RegisterCategory(Category{Key: CategoryApproval, EmailDefault: true})
	RegisterCategory(Category{Key: CategoryReminder, EmailDefault: true})
	RegisterCategory(Category{Key: CategorySystem, EmailDefault: true})
	RegisterTemplate(Template{Key: TemplateTest, Category: CategorySystem,
		Subject: map[string]string{i18n.ZH: "人事系统测试邮件", i18n.EN: "Renshi test email"},
		Body: map[string]string{
			i18n.ZH: "这是一封测试邮件：{{.tenant}} 的邮件发送设置可以使用。",
			i18n.EN: "This is a test email: the mail settings of {{.tenant}} work.",
		}})
}

// TemplateTest is the "send test email" message.
const TemplateTest = "notify.test"

// RegisterCategory declares a category. Call it from init.
func RegisterCategory(c Category) {
	if c.Key == "" {
		panic("notify: category without a key")
	}
	regMu.Lock()
	defer regMu.Unlock()
	categories[c.Key] = c
}

// Categories lists the registered categories by key.
func Categories() []Category {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Category, 0, len(categories))
	for _, c := range categories {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func category(key string) (Category, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	c, ok := categories[key]
	return c, ok
}

// RegisterTemplate declares a template. Modules call it from init; it
// panics when a locale is missing, a text does not parse or the category
// is unknown, so mistakes show at start, not when someone is notified.
func RegisterTemplate(t Template) {
	if t.Key == "" {
		panic("notify: template without a key")
	}
	if _, ok := category(t.Category); !ok {
		panic(fmt.Sprintf("notify: template %s: unknown category %q", t.Key, t.Category))
	}
	c := &compiled{Template: t, subject: map[string]*template.Template{}, body: map[string]*template.Template{}}
	for _, loc := range i18n.Locales {
		for part, src := range map[string]string{"subject": t.Subject[loc], "body": t.Body[loc]} {
			if strings.TrimSpace(src) == "" {
				panic(fmt.Sprintf("notify: template %s has no %s in %s", t.Key, part, loc))
			}
			tt, err := template.New(t.Key + "." + part + "." + loc).Option("missingkey=error").Parse(src)
			if err != nil {
				panic(fmt.Sprintf("notify: template %s: %v", t.Key, err))
			}
			if part == "subject" {
				c.subject[loc] = tt
			} else {
				c.body[loc] = tt
			}
		}
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := templates[t.Key]; dup {
		panic("notify: template registered twice: " + t.Key)
	}
	templates[t.Key] = c
}

// Templates lists the registered template keys.
func Templates() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(templates))
	for k := range templates {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func lookup(key string) (*compiled, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	c, ok := templates[key]
	return c, ok
}

// Rendered is a notification's text in one locale.
type Rendered struct {
	Subject string
	Body    string
}

// Render fills a template in a locale (zh-CN when the locale is not
// supported) with params given as stored JSON.
func Render(key, locale, params string) (Rendered, error) {
	c, ok := lookup(key)
	if !ok {
		return Rendered{}, fmt.Errorf("notify: unknown template %q", key)
	}
	if !i18n.Valid(locale) {
		locale = i18n.Negotiate(locale)
	}
	var data map[string]any
	if params != "" {
		dec := json.NewDecoder(strings.NewReader(params))
		dec.UseNumber() // 30, not 30.000000 or 3e+01
		if err := dec.Decode(&data); err != nil {
			return Rendered{}, fmt.Errorf("notify: params of %s: %w", key, err)
		}
	}
	if data == nil {
		data = map[string]any{}
	}
	var out Rendered
	var b bytes.Buffer
	if err := c.subject[locale].Execute(&b, data); err != nil {
		return out, err
	}
	out.Subject = strings.TrimSpace(b.String())
	b.Reset()
	if err := c.body[locale].Execute(&b, data); err != nil {
		return out, err
	}
	out.Body = strings.TrimSpace(b.String())
	return out, nil
}
