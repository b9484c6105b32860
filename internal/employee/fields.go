package employee

import (
	"context"
	"slices"
	"strings"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Fields lists the tenant's custom fields (every reader of records sees
// them: forms and lists need the definitions).
func (s *Service) Fields(ctx context.Context) ([]Field, error) {
	if _, err := rbac.Authenticated(ctx); err != nil {
		return nil, err
	}
	list, err := s.store.Fields(ctx)
	if list == nil {
		list = []Field{}
	}
	return list, err
}

// CreateField adds a custom field.
func (s *Service) CreateField(ctx context.Context, in FieldInput) (*Field, error) {
	p, _, err := rbac.Require(ctx, PermFieldManage)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	fd := &Field{TenantID: p.TenantID, Options: []string{}, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := in.Apply(fd); err != nil {
		return nil, err
	}
	fd.ID = ids.New()
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		list, err := s.store.Fields(ctx)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(list, func(o Field) bool { return o.Code == fd.Code }) {
			return errs.InvalidField("code", "duplicate")
		}
		if len(list) >= 100 {
			return errs.E(errs.Conflict, "employee.too_many_fields", errs.Params{"max": 100})
		}
		if err := s.store.InsertField(ctx, fd); err != nil {
			return err
		}
		s.forgetFields(ctx, p.TenantID)
		return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: ObjectField, ObjectID: fd.ID.String(), Diff: audit.Diff(nil, fd)})
	})
	if err != nil {
		return nil, err
	}
	return fd, nil
}

// UpdateField changes a custom field (not its code or type).
func (s *Service) UpdateField(ctx context.Context, id ids.ID, in FieldInput) (*Field, error) {
	p, _, err := rbac.Require(ctx, PermFieldManage)
	if err != nil {
		return nil, err
	}
	var out *Field
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		fd, err := s.store.Field(ctx, id)
		if err != nil {
			return err
		}
		if in.Version != fd.Version {
			return errs.E(errs.Conflict, "stale")
		}
		before := *fd
		before.Options = slices.Clone(fd.Options)
		if err := in.Apply(fd); err != nil {
			return err
		}
		fd.Version++
		fd.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateField(ctx, fd); err != nil {
			return err
		}
		s.forgetFields(ctx, p.TenantID)
		out = fd
		return s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: ObjectField, ObjectID: fd.ID.String(), Diff: audit.Diff(&before, fd)})
	})
	return out, err
}

// DeleteField removes a custom field and its filter values (the values
// kept on records are dropped from view and on the next save).
func (s *Service) DeleteField(ctx context.Context, id ids.ID) error {
	p, _, err := rbac.Require(ctx, PermFieldManage)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		fd, err := s.store.Field(ctx, id)
		if err != nil {
			return err
		}
		if err := s.store.DeleteField(ctx, id); err != nil {
			return err
		}
		if err := s.store.DeleteCustomValues(ctx, fd.Code); err != nil {
			return err
		}
		s.forgetFields(ctx, p.TenantID)
		return s.audit.Record(ctx, audit.Event{Action: "delete", ObjectType: ObjectField, ObjectID: fd.ID.String(), Diff: audit.Diff(fd, nil)})
	})
}

// ---- settings

// SettingsView is the tenant's employee settings with the number rule.
type SettingsView struct {
	SelfEditable        []string `json:"selfEditable"`
	SelfEditableChoices []string `json:"selfEditableChoices"`
	NumberPrefix        string   `json:"numberPrefix"`
	NumberWidth         int      `json:"numberWidth"`
	NextNumber          int64    `json:"nextNumber"`
	NextEmployeeNo      string   `json:"nextEmployeeNo"`
	Version             int      `json:"version"`
}

func (s *Service) settings(ctx context.Context) (*Settings, *NumberRule, error) {
	st, err := s.store.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.store.NumberRule(ctx)
	return st, r, err
}

func settingsView(st *Settings, r *NumberRule) *SettingsView {
	return &SettingsView{SelfEditable: st.SelfEditable, SelfEditableChoices: SelfEditableChoices, NumberPrefix: r.Prefix,
		NumberWidth: r.Width, NextNumber: r.NextValue, NextEmployeeNo: r.Format(r.NextValue), Version: st.Version + r.Version}
}

// Settings returns the tenant's employee settings.
func (s *Service) Settings(ctx context.Context) (*SettingsView, error) {
	if _, _, err := rbac.Require(ctx, PermFieldManage); err != nil {
		return nil, err
	}
	st, r, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	return settingsView(st, r), nil
}

// UpdateSettings changes what employees may edit and the number rule.
func (s *Service) UpdateSettings(ctx context.Context, in SettingsInput) (*SettingsView, error) {
	if _, _, err := rbac.Require(ctx, PermFieldManage); err != nil {
		return nil, err
	}
	var out *SettingsView
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		st, r, err := s.settings(ctx)
		if err != nil {
			return err
		}
		if in.Version != st.Version+r.Version {
			return errs.E(errs.Conflict, "stale")
		}
		bst, br := *st, *r
		var f errs.Fields
		if in.SelfEditable != nil {
			list := []string{}
			for i, x := range *in.SelfEditable {
				if !slices.Contains(SelfEditableChoices, x) {
					f.Add("selfEditable["+itoa(i)+"]", "invalid_choice")
				} else if !slices.Contains(list, x) {
					list = append(list, x)
				}
			}
			st.SelfEditable = list
		}
		if in.NumberPrefix != nil {
			r.Prefix = strings.TrimSpace(*in.NumberPrefix)
			f.Check(prefixPattern.MatchString(r.Prefix), "numberPrefix", "invalid_format")
		}
		if in.NumberWidth != nil {
			r.Width = *in.NumberWidth
			f.Check(r.Width >= 1 && r.Width <= 12, "numberWidth", "out_of_range", errs.Params{"min": 1, "max": 12})
		}
		if in.NextNumber != nil {
			r.NextValue = *in.NextNumber
			f.Check(r.NextValue >= 1, "nextNumber", "out_of_range", errs.Params{"min": 1, "max": "∞"})
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.nowUTC()
		if in.SelfEditable != nil {
			st.Version++
			st.UpdatedAt = now
			if err := s.store.SaveSettings(ctx, st); err != nil {
				return err
			}
		}
		if in.NumberPrefix != nil || in.NumberWidth != nil || in.NextNumber != nil {
			r.Version++
			r.UpdatedAt = now
			if err := s.store.SaveNumberRule(ctx, r); err != nil {
				return err
			}
		}
		diff := audit.Diff(&bst, st)
		for k, v := range audit.Diff(&br, r) {
			diff["number."+k] = v
		}
		out = settingsView(st, r)
		return s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: ObjectSettings, Diff: diff})
	})
	return out, err
}

// ---- saved views

// Views lists the caller's saved list views.
func (s *Service) Views(ctx context.Context) ([]View, error) {
	p, _, err := rbac.Require(ctx, PermRead)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Views(ctx, p.UserID)
	if list == nil {
		list = []View{}
	}
	return list, err
}

// SaveView creates (id zero) or changes one of the caller's views.
func (s *Service) SaveView(ctx context.Context, id ids.ID, in ViewInput) (*View, error) {
	p, _, err := rbac.Require(ctx, PermRead)
	if err != nil {
		return nil, err
	}
	var out *View
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		v := &View{TenantID: p.TenantID, UserID: p.UserID, CreatedAt: s.nowUTC()}
		if id != 0 {
			old, err := s.store.View(ctx, id)
			if err != nil || old.UserID != p.UserID {
				return errs.NotFoundf("object.view")
			}
			v = old
		}
		if err := in.Apply(v); err != nil {
			return err
		}
		v.UpdatedAt = s.nowUTC()
		if id == 0 {
			list, err := s.store.Views(ctx, p.UserID)
			if err != nil {
				return err
			}
			if len(list) >= 50 {
				return errs.E(errs.Conflict, "employee.too_many_views", errs.Params{"max": 50})
			}
			v.ID = ids.New()
			if err := s.store.InsertView(ctx, v); err != nil {
				return err
			}
		} else if err := s.store.UpdateView(ctx, v); err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
}

// DeleteView removes one of the caller's views.
func (s *Service) DeleteView(ctx context.Context, id ids.ID) error {
	p, _, err := rbac.Require(ctx, PermRead)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		v, err := s.store.View(ctx, id)
		if err != nil || v.UserID != p.UserID {
			return errs.NotFoundf("object.view")
		}
		return s.store.DeleteView(ctx, id)
	})
}

// ---- columns

// Columns are the list and export columns a view may choose; custom
// fields add "cf.<code>".
var Columns = []string{"employeeNo", "name", "englishName", "gender", "birthDate", "idType", "idNumber", "departmentName",
	"positionName", "gradeName", "managerName", "legalEntityName", "locationName", "status", "employmentType", "hireDate",
	"probationEndDate", "regularisationDate", "leaveDate", "leaveReason", "mobile", "email", "address", "nationality",
	"ethnicity", "maritalStatus", "hukouType", "hukouPlace", "highestDegree", "school", "major", "graduationDate",
	"firstWorkDate", "bankName", "bankAccount"}

// DefaultExportColumns are exported when none are chosen.
var DefaultExportColumns = []string{"employeeNo", "name", "gender", "departmentName", "positionName", "gradeName",
	"managerName", "status", "employmentType", "hireDate", "mobile", "email", "locationName"}

// ValidColumn reports whether c names a column.
func ValidColumn(c string) bool {
	return slices.Contains(Columns, c) || (strings.HasPrefix(c, "cf.") && fieldCode.MatchString(strings.TrimPrefix(c, "cf.")))
}
