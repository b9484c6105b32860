// Package i18n translates message keys into zh-CN (first language) and
// English. Modules register their own keys at init; placeholders are {name}.
package i18n

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Supported locales, first is the default.
const (
	ZH = "zh-CN"
	EN = "en"
)

// Locales lists the supported locales, default first.
var Locales = []string{ZH, EN}

var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

var (
	mu       sync.RWMutex
	catalogs = map[string]map[string]string{ZH: {}, EN: {}}
)

// Register adds messages for a locale. A key registered twice with
// different text panics: two modules must not fight over a key.
func Register(locale string, msgs map[string]string) {
	mu.Lock()
	defer mu.Unlock()
	c, ok := catalogs[locale]
	if !ok {
		panic("i18n: unsupported locale " + locale)
	}
	for k, v := range msgs {
		if old, dup := c[k]; dup && old != v {
			panic("i18n: key registered twice with different text: " + k)
		}
		c[k] = v
	}
}

// Negotiate picks the supported locale for an Accept-Language header or a
// stored preference ("zh-CN", "en-US", "zh;q=0.8, en"). Empty means default.
func Negotiate(pref string) string {
	if pref == "" {
		return ZH
	}
	tags, _, err := language.ParseAcceptLanguage(pref)
	if err != nil || len(tags) == 0 {
		return ZH
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return ZH
	}
	return Locales[idx]
}

// Valid reports whether locale is supported exactly.
func Valid(locale string) bool { return locale == ZH || locale == EN }

// T translates key with params. A missing key falls back to English, then
// to the key itself, so an untranslated message is visible, not blank.
func T(locale, key string, params map[string]any) string {
	mu.RLock()
	msg, ok := catalogs[locale][key]
	if !ok {
		msg, ok = catalogs[EN][key]
	}
	mu.RUnlock()
	if !ok {
		msg = key
	}
	if len(params) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	pairs := make([]string, 0, 2*len(params))
	for k, v := range params {
		pairs = append(pairs, "{"+k+"}", fmt.Sprint(v))
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// Has reports whether key exists in locale.
func Has(locale, key string) bool {
	mu.RLock()
	defer mu.RUnlock()
	_, ok := catalogs[locale][key]
	return ok
}

// Keys lists the keys of a locale, sorted (for completeness tests).
func Keys(locale string) []string {
	mu.RLock()
	defer mu.RUnlock()
	keys := make([]string, 0, len(catalogs[locale]))
	for k := range catalogs[locale] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type ctxKey struct{}

// WithLocale stores the request's locale.
func WithLocale(ctx context.Context, locale string) context.Context {
	return context.WithValue(ctx, ctxKey{}, locale)
}

// FromContext returns the request's locale, or the default.
func FromContext(ctx context.Context) string {
	if l, ok := ctx.Value(ctxKey{}).(string); ok {
		return l
	}
	return ZH
}
