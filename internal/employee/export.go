package employee

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
)

// The roster export: the list's filters and chosen columns, streamed
// page by page (the HTTP export and `renshi export employees` share it).

// SensitiveColumns are masked in exports unless unmasked with
// PermReadSensitive (and then audited).
var SensitiveColumns = []string{"idNumber", "bankAccount"}

// ExportRequest asks for a roster export.
type ExportRequest struct {
	Filter Filter
	// Columns are Columns entries or cf.<code>; DefaultExportColumns when
	// empty.
	Columns []string
	// Unmasked exports ID numbers and bank accounts in full: needs
	// PermReadSensitive and is audited as export_sensitive.
	Unmasked bool
	Locale   string
}

// RosterExport is a checked export, ready to stream.
type RosterExport struct {
	s      *Service
	req    ExportRequest
	cols   []string
	header []string
	// Title names the file and the sheet (员工花名册).
	Title string
}

// PrepareExport checks the caller's permissions, the columns and the
// filter before anything is written: over HTTP the status goes out with
// the first byte, so every refusal must come from here.
func (s *Service) PrepareExport(ctx context.Context, req ExportRequest) (*RosterExport, error) {
	if req.Locale == "" {
		req.Locale = i18n.ZH
	}
	if err := s.CheckFilter(ctx, req.Filter); err != nil {
		return nil, err
	}
	if req.Unmasked {
		if err := s.CheckSensitive(ctx); err != nil {
			return nil, err
		}
	}
	cols := req.Columns
	if len(cols) == 0 {
		cols = DefaultExportColumns
	}
	defs, err := s.fieldDefs(ctx)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{}
	for _, d := range defs {
		labels["cf."+d.Code] = d.Label
	}
	x := &RosterExport{s: s, req: req, cols: cols, Title: i18n.T(req.Locale, "export.employees", nil)}
	for i, c := range cols {
		if !ValidColumn(c) || (strings.HasPrefix(c, "cf.") && labels[c] == "") {
			return nil, errs.InvalidField(fmt.Sprintf("columns[%d]", i), "invalid_choice")
		}
		if l, ok := labels[c]; ok {
			x.header = append(x.header, l)
		} else {
			x.header = append(x.header, fieldLabel(req.Locale, c))
		}
	}
	return x, nil
}

// fieldLabel is a column's header: the field.<name> message, unless the
// shared label does not fit a roster (field.name is 名称, a person has a
// 姓名).
func fieldLabel(locale, c string) string {
	if k := "employee.export.col." + c; i18n.Has(locale, k) {
		return i18n.T(locale, k, nil)
	}
	if i18n.Has(locale, "field."+c) || i18n.Has(i18n.EN, "field."+c) {
		return i18n.T(locale, "field."+c, nil)
	}
	return c
}

// sensitive lists the export's columns that are sensitive.
func (x *RosterExport) sensitive() []string {
	var out []string
	for _, c := range x.cols {
		if slices.Contains(SensitiveColumns, c) {
			out = append(out, c)
		}
	}
	return out
}

// Write streams the header and every row of the filter to w and returns
// the number of rows (header excluded). It does not close w.
func (x *RosterExport) Write(ctx context.Context, w export.Writer) (int, error) {
	if err := w.Write(x.header); err != nil {
		return 0, err
	}
	// Only an unmasked export that includes a sensitive column reveals
	// anything, so only that one is audited.
	unmask := x.req.Unmasked && len(x.sensitive()) > 0
	n := 0
	row := make([]string, len(x.cols))
	err := x.s.each(ctx, x.req.Filter, unmask, x.sensitive(), func(it ListItem, e *Employee) error {
		for i, c := range x.cols {
			row[i] = exportCell(x.req.Locale, c, &it, e, unmask)
		}
		n++
		return w.Write(row)
	})
	return n, err
}

// exportCell renders one cell.
func exportCell(locale, col string, it *ListItem, e *Employee, unmasked bool) string {
	label := func(kind, v string) string {
		if v == "" {
			return ""
		}
		return i18n.T(locale, "employee."+kind+"."+v, nil)
	}
	if code, ok := strings.CutPrefix(col, "cf."); ok {
		switch v := e.Custom[code].(type) {
		case nil:
			return ""
		case string:
			return v
		case []any:
			parts := make([]string, 0, len(v))
			for _, x := range v {
				parts = append(parts, fmt.Sprint(x))
			}
			return strings.Join(parts, "、")
		default:
			return fmt.Sprint(v)
		}
	}
	switch col {
	case "employeeNo":
		return e.EmployeeNo
	case "name":
		return e.Name
	case "englishName":
		return e.EnglishName
	case "gender":
		return label("gender", e.Gender)
	case "birthDate":
		return e.BirthDate.String()
	case "idType":
		return label("id_type", e.IDType)
	case "idNumber":
		if unmasked {
			return e.IDNumber
		}
		return crypto.MaskIDNumber(e.IDNumber)
	case "departmentName":
		return it.DepartmentName
	case "positionName":
		return it.PositionName
	case "gradeName":
		return it.GradeName
	case "managerName":
		return it.ManagerName
	case "legalEntityName":
		return it.LegalEntityName
	case "locationName":
		return it.LocationName
	case "status":
		return label("status", it.Status)
	case "employmentType":
		return label("employment_type", it.EmploymentType)
	case "hireDate":
		return it.HireDate.String()
	case "probationEndDate":
		return e.ProbationEndDate.String()
	case "regularisationDate":
		return e.RegularisationDate.String()
	case "leaveDate":
		return e.LeaveDate.String()
	case "leaveReason":
		return e.LeaveReason
	case "mobile":
		return e.Mobile
	case "email":
		return e.Email
	case "address":
		return e.Address
	case "nationality":
		return e.Nationality
	case "ethnicity":
		return e.Ethnicity
	case "maritalStatus":
		return label("marital_status", e.MaritalStatus)
	case "hukouType":
		return label("hukou_type", e.HukouType)
	case "hukouPlace":
		return e.HukouPlace
	case "highestDegree":
		return label("degree", e.Education.HighestDegree)
	case "school":
		return e.Education.School
	case "major":
		return e.Education.Major
	case "graduationDate":
		return e.Education.GraduationDate.String()
	case "firstWorkDate":
		return e.FirstWorkDate.String()
	case "bankName":
		return e.BankName
	case "bankAccount":
		if unmasked {
			return e.BankAccount
		}
		return MaskBankAccount(e.BankAccount)
	}
	return ""
}
