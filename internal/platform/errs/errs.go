// Package errs is Renshi's one error vocabulary. Services return these;
// the web layer maps each Kind to one HTTP status and translates Code.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for clients; web.statusOf maps it to HTTP.
type Kind int

const (
	Internal        Kind = iota // a bug or an outage; never shown in detail
	Invalid                     // bad input; Fields say where
	NotFound                    // no such object visible to the caller
	Conflict                    // state does not allow it (stale, duplicate, finished)
	Forbidden                   // authenticated but lacking a permission
	Unauthenticated             // no, expired or forged credentials
	TooLarge                    // body or upload over a limit
	TooMany                     // locked out or rate limited
	Unavailable                 // dependency down, not ready
)

var kindNames = [...]string{"internal", "invalid", "not_found", "conflict", "forbidden", "unauthenticated", "too_large", "too_many", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Params fill placeholders such as {max} in translated messages.
type Params map[string]any

// FieldError is one problem with one input field.
type FieldError struct {
	Field  string // JSON path of the field, e.g. "password" or "rows[3].mobile"
	Code   string // message key, e.g. "required"
	Params Params
}

// Error is a classified error with a translatable message key.
type Error struct {
	Kind   Kind
	Code   string // message key, e.g. "auth.invalid_credentials"
	Params Params
	Fields []FieldError
	Err    error // cause, logged but never shown
}

func (e *Error) Error() string {
	s := e.Kind.String() + ": " + e.Code
	for _, f := range e.Fields {
		s += fmt.Sprintf("; %s: %s", f.Field, f.Code)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error of a kind with a message key.
func E(kind Kind, code string, params ...Params) *Error {
	e := &Error{Kind: kind, Code: code}
	if len(params) > 0 {
		e.Params = params[0]
	}
	return e
}

// Wrap classifies an underlying error.
func Wrap(kind Kind, code string, err error) *Error {
	return &Error{Kind: kind, Code: code, Err: err}
}

// NotFoundf says the object (named by a message key) does not exist or is not visible.
func NotFoundf(object string) *Error {
	return E(NotFound, "not_found", Params{"object": object})
}

// Denied says which permission is missing.
func Denied(permission string) *Error {
	return E(Forbidden, "forbidden", Params{"permission": permission})
}

// InvalidField is a validation error on one field.
func InvalidField(field, code string, params ...Params) *Error {
	fe := FieldError{Field: field, Code: code}
	if len(params) > 0 {
		fe.Params = params[0]
	}
	return &Error{Kind: Invalid, Code: "invalid", Fields: []FieldError{fe}}
}

// KindOf returns the kind of err; plain errors are Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is an *Error of the kind and, when code is not
// empty, with that code.
func Is(err error, kind Kind, code string) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Kind == kind && (code == "" || e.Code == code)
}

// Fields collects validation problems so a form can show all at once.
type Fields struct{ list []FieldError }

// Add records a problem.
func (f *Fields) Add(field, code string, params ...Params) {
	fe := FieldError{Field: field, Code: code}
	if len(params) > 0 {
		fe.Params = params[0]
	}
	f.list = append(f.list, fe)
}

// Check records a problem when ok is false.
func (f *Fields) Check(ok bool, field, code string, params ...Params) {
	if !ok {
		f.Add(field, code, params...)
	}
}

// Has reports whether the field already has a problem.
func (f *Fields) Has(field string) bool {
	for _, fe := range f.list {
		if fe.Field == field {
			return true
		}
	}
	return false
}

// Err returns an Invalid error listing the problems, or nil.
func (f *Fields) Err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Code: "invalid", Fields: f.list}
}
