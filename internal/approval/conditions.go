package approval

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Operators, as stored.
const (
	OpEq    = "eq"
	OpNe    = "ne"
	OpGt    = "gt"
	OpGe    = "ge"
	OpLt    = "lt"
	OpLe    = "le"
	OpIn    = "in"
	OpUnder = "under" // a department in the subtree of one of the values
)

var opAliases = map[string]string{
	"=": OpEq, "==": OpEq, "!=": OpNe, "≠": OpNe, "<>": OpNe, ">": OpGt, ">=": OpGe, "≥": OpGe,
	"<": OpLt, "<=": OpLe, "≤": OpLe, "in_subtree": OpUnder,
}

// opsFor lists the operators a field kind allows.
var opsFor = map[string][]string{
	KindNumber:     {OpEq, OpNe, OpGt, OpGe, OpLt, OpLe, OpIn},
	KindDate:       {OpEq, OpNe, OpGt, OpGe, OpLt, OpLe, OpIn},
	KindString:     {OpEq, OpNe, OpIn},
	KindDepartment: {OpEq, OpNe, OpIn, OpUnder},
	KindEmployee:   {OpEq, OpNe, OpIn},
}

// normalizeConditions checks conditions against a type's fields at design
// time (a condition on an unknown field is refused) and stores values in
// a canonical form: numbers as decimal strings, dates as YYYY-MM-DD, ids
// as decimal strings; lists for in and under.
func normalizeConditions(f *errs.Fields, path string, info TypeInfo, list []Condition) {
	for i := range list {
		c := &list[i]
		at := fmt.Sprintf("%s[%d]", path, i)
		spec, ok := fieldSpec(info, c.Field)
		if !ok {
			f.Add(at+".field", "approval.unknown_field", errs.Params{"name": c.Field})
			continue
		}
		op := strings.TrimSpace(strings.ToLower(c.Op))
		if a, ok := opAliases[op]; ok {
			op = a
		}
		c.Op = op
		if !slices.Contains(opsFor[spec.Kind], op) {
			f.Add(at+".op", "approval.invalid_operator", errs.Params{"op": c.Op})
			continue
		}
		if op == OpIn || op == OpUnder {
			vals, ok := c.Value.([]any)
			if !ok || len(vals) == 0 {
				f.Add(at+".value", "approval.list_required")
				continue
			}
			out := make([]any, 0, len(vals))
			for _, v := range vals {
				n, ok := canonical(spec.Kind, v)
				if !ok {
					f.Add(at+".value", "approval.invalid_value", errs.Params{"kind": spec.Kind})
					break
				}
				out = append(out, n)
			}
			c.Value = out
			continue
		}
		n, ok := canonical(spec.Kind, c.Value)
		if !ok {
			f.Add(at+".value", "approval.invalid_value", errs.Params{"kind": spec.Kind})
			continue
		}
		c.Value = n
	}
}

// canonical converts a value of a kind to its stored form.
func canonical(kind string, v any) (string, bool) {
	switch kind {
	case KindNumber:
		d, ok := toDecimal(v)
		return d.String(), ok
	case KindDate:
		s, ok := v.(string)
		if !ok {
			return "", false
		}
		d, err := civil.Parse(s)
		return d.String(), err == nil
	case KindString:
		switch x := v.(type) {
		case string:
			return strings.TrimSpace(x), true
		case float64, json.Number, int, int64:
			return fmt.Sprint(x), true
		}
		return "", false
	case KindDepartment, KindEmployee:
		id, ok := toID(v)
		return id.String(), ok && id != 0
	}
	return "", false
}

func toDecimal(v any) (decimal.Decimal, bool) {
	switch x := v.(type) {
	case float64:
		return decimal.NewFromFloat(x), true
	case int:
		return decimal.NewFromInt(int64(x)), true
	case int64:
		return decimal.NewFromInt(x), true
	case json.Number:
		d, err := decimal.NewFromString(x.String())
		return d, err == nil
	case string:
		d, err := decimal.NewFromString(strings.TrimSpace(x))
		return d, err == nil
	}
	return decimal.Decimal{}, false
}

func toID(v any) (ids.ID, bool) {
	switch x := v.(type) {
	case ids.ID:
		return x, true
	case string:
		id, err := ids.Parse(strings.TrimSpace(x))
		return id, err == nil
	case float64:
		// JSON numbers lose precision above 2^53: ids travel as strings.
		if x != float64(int64(x)) || x > 1<<53 {
			return 0, false
		}
		return ids.ID(int64(x)), true
	case int64:
		return ids.ID(x), true
	case int:
		return ids.ID(x), true
	case json.Number:
		n, err := strconv.ParseInt(x.String(), 10, 64)
		return ids.ID(n), err == nil
	}
	return 0, false
}

// holds evaluates every condition against the request's fields (all must
// hold). A missing or unreadable field makes a condition false.
func (s *Service) holds(ctx context.Context, info TypeInfo, fields map[string]any, list []Condition) (bool, error) {
	for _, c := range list {
		ok, err := s.holdsOne(ctx, info, fields, c)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (s *Service) holdsOne(ctx context.Context, info TypeInfo, fields map[string]any, c Condition) (bool, error) {
	spec, ok := fieldSpec(info, c.Field)
	if !ok {
		return false, nil
	}
	raw, ok := fields[c.Field]
	if !ok || raw == nil || raw == "" {
		return false, nil
	}
	have, ok := canonical(spec.Kind, raw)
	if !ok {
		return false, nil
	}
	var values []string
	switch v := c.Value.(type) {
	case []any:
		for _, x := range v {
			values = append(values, fmt.Sprint(x))
		}
	default:
		values = []string{fmt.Sprint(v)}
	}
	switch c.Op {
	case OpIn:
		for _, v := range values {
			if cmpValues(spec.Kind, have, v) == 0 {
				return true, nil
			}
		}
		return false, nil
	case OpUnder:
		var roots []ids.ID
		for _, v := range values {
			if id, ok := toID(v); ok {
				roots = append(roots, id)
			}
		}
		tree, err := s.dir.Subtree(ctx, roots)
		if err != nil {
			return false, err
		}
		id, _ := toID(have)
		return slices.Contains(tree, id), nil
	}
	if len(values) != 1 {
		return false, nil
	}
	r := cmpValues(spec.Kind, have, values[0])
	switch c.Op {
	case OpEq:
		return r == 0, nil
	case OpNe:
		return r != 0, nil
	case OpGt:
		return r > 0, nil
	case OpGe:
		return r >= 0, nil
	case OpLt:
		return r < 0, nil
	case OpLe:
		return r <= 0, nil
	}
	return false, nil
}

// cmpValues compares two canonical values of a kind.
func cmpValues(kind, a, b string) int {
	if kind == KindNumber {
		x, ok1 := toDecimal(a)
		y, ok2 := toDecimal(b)
		if ok1 && ok2 {
			return x.Cmp(y)
		}
	}
	// Dates (YYYY-MM-DD) and ids compare as they are written; ids only
	// for equality.
	return strings.Compare(a, b)
}
