package imports

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/sheet"
)

// MappingInput sets how a batch's columns are read and committed.
type MappingInput struct {
	Mapping           Mapping // {header: column key}; "" or left out: ignored
	Key               string  // upsert key, one of the target's Keys ("": the first)
	Mode              string  // ModeAll ("") or ModeValid
	CreateDepartments bool
	// Sheet switches to another worksheet: its header is found again and,
	// when Mapping is empty, a mapping suggested.
	Sheet string
	// MappingName also saves the mapping under this name.
	MappingName string
}

// editable states: the mapping may change (a finished dry run is
// discarded).
var editable = []string{StateUploaded, StateChecked, StateFailed, StateCancelled}

// SetMapping validates and stores the mapping, key and mode of a batch.
// Headers the file does not have, columns the target does not have, a
// column mapped twice and required columns left unmapped are refused
// (422, each named). A finished dry run is discarded.
func (s *Service) SetMapping(ctx context.Context, id ids.ID, in MappingInput) (*View, error) {
	var out *View
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		b, t, p, err := s.batchFor(ctx, id, true)
		if err != nil {
			return err
		}
		if !slices.Contains(editable, b.State) {
			return errs.E(errs.Conflict, "imports.not_editable", errs.Params{"state": b.State})
		}
		cols, err := t.Columns(ctx)
		if err != nil {
			return err
		}
		var sample [][]string
		if in.Sheet != "" && in.Sheet != b.Sheet {
			h, err := s.reread(ctx, b, in.Sheet, cols)
			if err != nil {
				return err
			}
			b.Sheet, b.HeaderLine, b.Header, sample = h.sheet, h.line, h.header, h.sample
			if len(in.Mapping) == 0 {
				if in.Mapping, in.MappingName, err = s.suggest(ctx, t, b.Header, cols); err != nil {
					return err
				}
				in.MappingName = ""
			}
		}
		m, key, mode, err := validate(ctx, t, cols, b.Header, in)
		if err != nil {
			return err
		}
		name := strings.TrimSpace(in.MappingName)
		if name != "" {
			if err := s.saveMapping(ctx, t, cols, name, m, key, p.UserID); err != nil {
				return err
			}
		}
		b.Mapping, b.Key, b.Mode, b.CreateDepartments, b.MappingName = m, key, mode, in.CreateDepartments, name
		if b.State != StateUploaded {
			if err := s.store.DeleteErrors(ctx, b.ID); err != nil {
				return err
			}
			b.State, b.Phase, b.Failure, b.FailureParams, b.CheckedAt = StateUploaded, "", "", nil, nil
			b.setCounts(Counts{})
			b.ErrorCount = 0
		}
		b.UpdatedAt = s.nowUTC()
		b.Version++
		if err := s.store.UpdateBatch(ctx, b); err != nil {
			return err
		}
		out, err = s.view(ctx, b, t, sample, false)
		return err
	})
	if err == nil {
		s.dropSpill(ctx, out.Batch) // the dry run is discarded
	}
	return out, err
}

// reread finds the header of another sheet of a batch's file.
func (s *Service) reread(ctx context.Context, b *Batch, name string, cols []Column) (*head, error) {
	rd, done, err := s.openFile(ctx, b)
	if err != nil {
		return nil, err
	}
	defer done()
	if !slices.Contains(rd.Sheets(), name) {
		return nil, errs.InvalidField("sheet", "sheet.no_such_sheet", errs.Params{"sheet": name})
	}
	h, err := readHead(rd, name, aliasSet(cols))
	if err != nil {
		return nil, fileError(err)
	}
	return h, nil
}

// validate checks a mapping against the file's header and the target's
// columns, and the key and mode; it returns them cleaned.
func validate(ctx context.Context, t Target, cols []Column, header []string, in MappingInput) (Mapping, string, string, error) {
	locale := i18n.FromContext(ctx)
	byKey := map[string]Column{}
	for _, c := range cols {
		byKey[c.Key] = c
	}
	label := func(key string) string {
		if c, ok := byKey[key]; ok {
			return i18n.T(locale, c.Label, nil)
		}
		return key
	}
	var f errs.Fields
	out := Mapping{}
	used := map[string]string{}
	// In the file's column order, so "mapped twice" names the later one.
	order := slices.Clone(header)
	for _, h := range sortedKeys(in.Mapping) {
		if !slices.Contains(header, h) {
			order = append(order, h)
		}
	}
	for _, h := range order {
		k, ok := in.Mapping[h]
		if !ok || k == "" {
			continue
		}
		switch {
		case !slices.Contains(header, h):
			f.Add("mapping."+h, "imports.unknown_header", errs.Params{"header": h})
		case byKey[k].Key == "":
			f.Add("mapping."+h, "imports.unknown_column", errs.Params{"column": k, "header": h})
		case used[k] != "":
			f.Add("mapping."+h, "imports.duplicate_column", errs.Params{"column": label(k), "header": h, "other": used[k]})
		default:
			out[h], used[k] = k, h
		}
	}
	for _, c := range cols {
		if c.Required && used[c.Key] == "" {
			f.Add("mapping", "imports.required_column_missing", errs.Params{"column": label(c.Key), "key": c.Key})
		}
	}
	key := in.Key
	if key == "" {
		key = t.Keys()[0]
	}
	if !slices.Contains(t.Keys(), key) {
		f.Add("key", "invalid_choice")
	} else if _, isColumn := byKey[key]; isColumn && used[key] == "" {
		f.Add("key", "imports.key_not_mapped", errs.Params{"column": label(key)})
	}
	mode := in.Mode
	if mode == "" {
		mode = ModeAll
	}
	if mode != ModeAll && mode != ModeValid {
		f.Add("mode", "invalid_choice")
	}
	if len(out) == 0 && !f.Has("mapping") {
		f.Add("mapping", "imports.nothing_mapped")
	}
	if err := f.Err(); err != nil {
		return nil, "", "", err
	}
	return out, key, mode, nil
}

// ---- saved mappings

// SaveMappingInput names a mapping of a target.
type SaveMappingInput struct {
	Target  string
	Name    string
	Mapping Mapping
	Key     string
}

// Mappings lists a target's saved mappings (by name) and then its
// predefined ones (read-only).
func (s *Service) Mappings(ctx context.Context, target string) ([]SavedMapping, error) {
	t, err := s.target(target)
	if err != nil {
		return nil, err
	}
	if _, _, err := require(ctx, t); err != nil {
		return nil, err
	}
	list, err := s.store.Mappings(ctx, t.Name())
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []SavedMapping{}
	}
	for i := range list {
		list[i].Label = list[i].Name
	}
	locale := i18n.FromContext(ctx)
	for _, p := range Presets(t.Name()) {
		list = append(list, SavedMapping{Target: p.Target, Name: p.Name, Label: i18n.T(locale, p.Label, nil), Mapping: p.Mapping, Predefined: true})
	}
	return list, nil
}

// SaveMapping saves a named mapping of a target, replacing one of the
// same name. Predefined names cannot be taken.
func (s *Service) SaveMapping(ctx context.Context, in SaveMappingInput) (*SavedMapping, error) {
	t, err := s.target(in.Target)
	if err != nil {
		return nil, err
	}
	p, _, err := require(ctx, t)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(ctx)
	if err != nil {
		return nil, err
	}
	var out *SavedMapping
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.saveMapping(ctx, t, cols, strings.TrimSpace(in.Name), in.Mapping, in.Key, p.UserID); err != nil {
			return err
		}
		m, err := s.store.MappingByName(ctx, t.Name(), strings.TrimSpace(in.Name))
		out = m
		return err
	})
	if out != nil {
		out.Label = out.Name
	}
	return out, err
}

func (s *Service) saveMapping(ctx context.Context, t Target, cols []Column, name string, m Mapping, key string, by ids.ID) error {
	var f errs.Fields
	switch {
	case name == "":
		f.Add("mappingName", "required")
	case utf8.RuneCountInString(name) > MaxMappingName:
		f.Add("mappingName", "too_long", errs.Params{"max": MaxMappingName})
	}
	for _, p := range Presets(t.Name()) {
		if strings.EqualFold(p.Name, name) {
			f.Add("mappingName", "imports.preset_name")
		}
	}
	known := map[string]bool{}
	for _, c := range cols {
		known[c.Key] = true
	}
	clean := Mapping{}
	for _, h := range sortedKeys(m) {
		k := m[h]
		switch {
		case k == "":
		case !known[k]:
			f.Add("mapping."+h, "imports.unknown_column", errs.Params{"column": k, "header": h})
		case strings.TrimSpace(h) == "":
			f.Add("mapping", "imports.unknown_header", errs.Params{"header": h})
		default:
			clean[h] = k
		}
	}
	if key != "" && !slices.Contains(t.Keys(), key) {
		f.Add("key", "invalid_choice")
	}
	if len(clean) == 0 && !f.Has("mapping") {
		f.Add("mapping", "imports.nothing_mapped")
	}
	if err := f.Err(); err != nil {
		return err
	}
	now := s.nowUTC()
	sm := &SavedMapping{ID: ids.New(), Target: t.Name(), Name: name, Mapping: clean, Key: key, CreatedBy: by, CreatedAt: now, UpdatedAt: now}
	if err := s.store.SaveMapping(ctx, sm); err != nil {
		return err
	}
	return s.record(ctx, "save", ObjectMapping, sm.ID, map[string]any{"target": sm.Target, "name": sm.Name, "mapping": sm.Mapping, "key": sm.Key})
}

// DeleteMapping removes a saved mapping.
func (s *Service) DeleteMapping(ctx context.Context, id ids.ID) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.store.Mapping(ctx, id)
		if err != nil {
			return err
		}
		t, err := s.target(m.Target)
		if err != nil {
			return err
		}
		if _, _, err := require(ctx, t); err != nil {
			return err
		}
		if err := s.store.DeleteMapping(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, "delete", ObjectMapping, id, map[string]any{"target": m.Target, "name": m.Name})
	})
}

// NamedMapping finds a mapping by name for a batch's header: a saved one
// of the tenant, else a predefined one (the CLI's --mapping).
func (s *Service) NamedMapping(ctx context.Context, id ids.ID, name string) (Mapping, string, error) {
	b, t, _, err := s.batchFor(ctx, id, false)
	if err != nil {
		return nil, "", err
	}
	cols, err := t.Columns(ctx)
	if err != nil {
		return nil, "", err
	}
	m, err := s.store.MappingByName(ctx, t.Name(), name)
	switch {
	case err == nil:
		return overlay(b.Header, m.Mapping, cols), m.Key, nil
	case errs.KindOf(err) != errs.NotFound:
		return nil, "", err
	}
	for _, p := range Presets(t.Name()) {
		if strings.EqualFold(p.Name, name) || sheet.Normalise(p.Label) == sheet.Normalise(name) {
			return overlay(b.Header, p.Mapping, cols), "", nil
		}
	}
	return nil, "", errs.NotFoundf("object.import_mapping")
}
