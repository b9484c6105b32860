package audit

import (
	"encoding/json"
	"reflect"
	"strings"
)

// Change is a field's value before and after a write.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// Redacted replaces sensitive values in the log.
const Redacted = "***"

// Diff compares two values of the same struct type (either may be nil for
// create or delete) and returns the changed fields by JSON name. Fields
// tagged `audit:"redact"` show only that they changed; fields tagged
// `audit:"-"` or `json:"-"` are left out.
func Diff(before, after any) map[string]Change {
	out := map[string]Change{}
	b, a := structValue(before), structValue(after)
	var t reflect.Type
	switch {
	case b.IsValid():
		t = b.Type()
	case a.IsValid():
		t = a.Type()
	default:
		return out
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, skip := jsonName(f)
		tag := f.Tag.Get("audit")
		if skip || tag == "-" {
			continue
		}
		var bv, av any
		if b.IsValid() {
			bv = jsonValue(b.Field(i))
		}
		if a.IsValid() {
			av = jsonValue(a.Field(i))
		}
		if reflect.DeepEqual(bv, av) {
			continue
		}
		if tag == "redact" {
			bv, av = redact(bv), redact(av)
		}
		out[name] = Change{Before: bv, After: av}
	}
	return out
}

func redact(v any) any {
	if v == nil || v == "" {
		return v
	}
	return Redacted
}

func structValue(v any) reflect.Value {
	if v == nil {
		return reflect.Value{}
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return reflect.Value{}
		}
		rv = rv.Elem()
	}
	return rv
}

func jsonName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", true
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, false
}

// jsonValue normalises a field through JSON so IDs, times and nested
// values compare and print the way the API shows them.
func jsonValue(v reflect.Value) any {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
