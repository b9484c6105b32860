package employee

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/validate"
)

// Document kinds. ID-card and bank-card copies are sensitive: listing
// and downloading them needs employee.record.read_sensitive.
const (
	DocIDCard      = "id_card"
	DocBankCard    = "bank_card"
	DocDiploma     = "diploma"
	DocContract    = "contract"
	DocCertificate = "certificate"
	DocResume      = "resume"
	DocMedical     = "medical"
	DocOther       = "other"
)

var (
	DocumentKinds  = []string{DocIDCard, DocBankCard, DocDiploma, DocContract, DocCertificate, DocResume, DocMedical, DocOther}
	SensitiveKinds = []string{DocIDCard, DocBankCard, DocMedical}
)

// Document is a file attached to an employee.
type Document struct {
	bun.BaseModel `bun:"table:employee_documents,alias:d"`

	TenantID    ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID          ids.ID    `bun:"id,pk" json:"id"`
	EmployeeID  ids.ID    `bun:"employee_id" json:"employeeId"`
	Kind        string    `bun:"kind" json:"kind"`
	FileID      ids.ID    `bun:"file_id" json:"fileId"`
	Name        string    `bun:"name" json:"name"`
	Size        int64     `bun:"size" json:"size"`
	ContentType string    `bun:"content_type" json:"contentType"`
	UploadedBy  ids.ID    `bun:"uploaded_by" json:"uploadedBy"`
	UploadedAt  time.Time `bun:"uploaded_at" json:"uploadedAt"`
}

// Custom field types.
const (
	FieldText        = "text"
	FieldNumber      = "number"
	FieldDate        = "date"
	FieldSelect      = "select"
	FieldMultiSelect = "multi_select"
)

var FieldTypes = []string{FieldText, FieldNumber, FieldDate, FieldSelect, FieldMultiSelect}

// Field is a tenant's custom field on the employee record.
type Field struct {
	bun.BaseModel `bun:"table:employee_fields,alias:f"`

	TenantID     ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID           ids.ID    `bun:"id,pk" json:"id"`
	Code         string    `bun:"code" json:"code"`
	Label        string    `bun:"label" json:"label"`
	Type         string    `bun:"type" json:"type"`
	Options      []string  `bun:"options,type:text" json:"options"`
	Required     bool      `bun:"required" json:"required"`
	ShowInList   bool      `bun:"show_in_list" json:"showInList"`
	SelfEditable bool      `bun:"self_editable" json:"selfEditable"`
	Sort         int       `bun:"sort" json:"sort"`
	Version      int       `bun:"version" json:"version"`
	CreatedAt    time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt    time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`
}

var fieldCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// FieldInput creates or changes a field; nil keeps a value. The code and
// type cannot change once values may exist.
type FieldInput struct {
	Code         *string
	Label        *string
	Type         *string
	Options      *[]string
	Required     *bool
	ShowInList   *bool
	SelfEditable *bool
	Sort         *int
	Version      int
}

// Apply validates the input and applies it to fd (creating when fd.ID is
// zero).
func (in *FieldInput) Apply(fd *Field) error {
	var f errs.Fields
	creating := fd.ID == 0
	if in.Code != nil {
		if creating {
			fd.Code = strings.TrimSpace(*in.Code)
		} else if *in.Code != fd.Code {
			f.Add("code", "employee.field_immutable")
		}
	}
	if in.Type != nil {
		if creating {
			fd.Type = *in.Type
		} else if *in.Type != fd.Type {
			f.Add("type", "employee.field_immutable")
		}
	}
	if in.Label != nil {
		fd.Label = *in.Label
	}
	if in.Options != nil {
		fd.Options = *in.Options
	}
	if in.Required != nil {
		fd.Required = *in.Required
	}
	if in.ShowInList != nil {
		fd.ShowInList = *in.ShowInList
	}
	if in.SelfEditable != nil {
		fd.SelfEditable = *in.SelfEditable
	}
	if in.Sort != nil {
		fd.Sort = *in.Sort
	}
	if creating {
		f.Check(fieldCode.MatchString(fd.Code), "code", "invalid_format")
		f.Check(slices.Contains(FieldTypes, fd.Type), "type", "invalid_choice")
	}
	text(&f, "label", &fd.Label, 50, true)
	if fd.Type == FieldSelect || fd.Type == FieldMultiSelect {
		seen := map[string]bool{}
		clean := []string{}
		for i, o := range fd.Options {
			o = validate.Normalize(o)
			switch {
			case o == "" || len([]rune(o)) > 50:
				f.Add("options["+itoa(i)+"]", "invalid_format")
			case seen[o]:
				f.Add("options["+itoa(i)+"]", "duplicate")
			default:
				seen[o] = true
				clean = append(clean, o)
			}
		}
		fd.Options = clean
		f.Check(len(fd.Options) > 0, "options", "required")
		f.Check(len(fd.Options) <= 100, "options", "employee.too_many", errs.Params{"max": 100})
	} else {
		fd.Options = []string{}
	}
	f.Check(fd.Sort >= 0 && fd.Sort <= 9999, "sort", "out_of_range", errs.Params{"min": 0, "max": 9999})
	return f.Err()
}

// Value validates and normalises one value of the field: text (≤ 500
// characters), number (decimal string or JSON number, kept as a decimal
// string so nothing is lost), date ("YYYY-MM-DD"), select (one option),
// multi_select (list of options). ok is false when v cannot be right;
// empty reports "no value".
func (fd *Field) Value(v any) (out any, empty, ok bool) {
	switch fd.Type {
	case FieldText:
		s, isStr := v.(string)
		if !isStr {
			return nil, false, false
		}
		s = validate.Normalize(s)
		return s, s == "", len([]rune(s)) <= 500
	case FieldNumber:
		var s string
		switch x := v.(type) {
		case string:
			s = strings.TrimSpace(x)
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		case json.Number:
			s = x.String()
		case int:
			s = strconv.Itoa(x)
		default:
			return nil, false, false
		}
		if s == "" {
			return "", true, true
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil || len(s) > 30 {
			return nil, false, false
		}
		return s, false, true
	case FieldDate:
		s, isStr := v.(string)
		if !isStr {
			return nil, false, false
		}
		if s = strings.TrimSpace(s); s == "" {
			return "", true, true
		}
		d, err := civil.Parse(s)
		if err != nil {
			return nil, false, false
		}
		return d.String(), false, true
	case FieldSelect:
		s, isStr := v.(string)
		if !isStr {
			return nil, false, false
		}
		if s == "" {
			return "", true, true
		}
		return s, false, slices.Contains(fd.Options, s)
	case FieldMultiSelect:
		var list []string
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				s, isStr := e.(string)
				if !isStr {
					return nil, false, false
				}
				list = append(list, s)
			}
		case []string:
			list = x
		default:
			return nil, false, false
		}
		clean := []string{}
		for _, s := range list {
			if !slices.Contains(fd.Options, s) {
				return nil, false, false
			}
			if !slices.Contains(clean, s) {
				clean = append(clean, s)
			}
		}
		return clean, len(clean) == 0, true
	}
	return nil, false, false
}

// Values lists the stored filter values of a normalised value.
func Values(v any) []string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// CustomValue is one filterable custom value.
type CustomValue struct {
	bun.BaseModel `bun:"table:employee_custom_values,alias:cv"`

	TenantID   ids.ID `bun:"tenant_id,pk"`
	EmployeeID ids.ID `bun:"employee_id,pk"`
	FieldCode  string `bun:"field_code,pk"`
	Value      string `bun:"value,pk"`
}

// View is a saved list view of one user.
type View struct {
	bun.BaseModel `bun:"table:employee_views,alias:v"`

	TenantID  ids.ID         `bun:"tenant_id,pk" json:"-"`
	ID        ids.ID         `bun:"id,pk" json:"id"`
	UserID    ids.ID         `bun:"user_id" json:"-"`
	Name      string         `bun:"name" json:"name"`
	Filters   map[string]any `bun:"filters,type:text" json:"filters"`
	Columns   []string       `bun:"columns,type:text" json:"columns"`
	Sort      string         `bun:"sort" json:"sort"`
	CreatedAt time.Time      `bun:"created_at" json:"createdAt"`
	UpdatedAt time.Time      `bun:"updated_at" json:"updatedAt"`
}

// ViewInput creates or changes a view; nil keeps a value.
type ViewInput struct {
	Name    *string
	Filters *map[string]any
	Columns *[]string
	Sort    *string
}

// Apply validates the input and applies it to v.
func (in *ViewInput) Apply(v *View) error {
	if in.Name != nil {
		v.Name = *in.Name
	}
	if in.Filters != nil {
		v.Filters = *in.Filters
	}
	if in.Columns != nil {
		v.Columns = *in.Columns
	}
	if in.Sort != nil {
		v.Sort = strings.TrimSpace(*in.Sort)
	}
	var f errs.Fields
	text(&f, "name", &v.Name, 50, true)
	if v.Filters == nil {
		v.Filters = map[string]any{}
	}
	if b, err := json.Marshal(v.Filters); err != nil || len(b) > 8<<10 {
		f.Add("filters", "employee.too_large")
	}
	if v.Columns == nil {
		v.Columns = []string{}
	}
	f.Check(len(v.Columns) <= 60, "columns", "employee.too_many", errs.Params{"max": 60})
	for i, c := range v.Columns {
		f.Check(ValidColumn(c), "columns["+itoa(i)+"]", "invalid_choice")
	}
	if v.Sort != "" {
		f.Check(slices.Contains(SortKeys, strings.TrimPrefix(v.Sort, "-")), "sort", "invalid_choice")
	}
	return f.Err()
}

// Bank-account change request statuses.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestRejected = "rejected"
)

// BankRequest is an employee's request to change his bank account.
type BankRequest struct {
	bun.BaseModel `bun:"table:employee_bank_requests,alias:b"`

	TenantID       ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID             ids.ID     `bun:"id,pk" json:"id"`
	EmployeeID     ids.ID     `bun:"employee_id" json:"employeeId"`
	BankName       string     `bun:"bank_name" json:"bankName"`
	BankAccountEnc string     `bun:"bank_account_enc" json:"-"`
	Status         string     `bun:"status" json:"status"`
	Comment        string     `bun:"comment" json:"comment"`
	RequestedBy    ids.ID     `bun:"requested_by" json:"requestedBy"`
	RequestedAt    time.Time  `bun:"requested_at" json:"requestedAt"`
	ReviewedBy     ids.ID     `bun:"reviewed_by,nullzero" json:"reviewedBy"`
	ReviewedAt     *time.Time `bun:"reviewed_at" json:"reviewedAt"`

	// Filled for display: the masked account and who asked.
	BankAccount  string `bun:"-" json:"bankAccount" audit:"redact"`
	EmployeeNo   string `bun:"-" json:"employeeNo" audit:"-"`
	EmployeeName string `bun:"-" json:"employeeName" audit:"-"`
}

// NumberRule makes employee numbers: prefix + zero-padded sequence.
type NumberRule struct {
	bun.BaseModel `bun:"table:employee_number_rules,alias:n"`

	TenantID  ids.ID    `bun:"tenant_id,pk" json:"-"`
	Prefix    string    `bun:"prefix" json:"prefix"`
	Width     int       `bun:"width" json:"width"`
	NextValue int64     `bun:"next_value" json:"next"`
	Version   int       `bun:"version" json:"version"`
	UpdatedAt time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`
}

// Format renders the n-th number.
func (r *NumberRule) Format(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < r.Width {
		s = "0" + s
	}
	return r.Prefix + s
}

var numberPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{0,10}$`)

// Settings are a tenant's employee settings.
type Settings struct {
	bun.BaseModel `bun:"table:employee_settings,alias:st"`

	TenantID ids.ID `bun:"tenant_id,pk" json:"-"`
	// SelfEditable lists the profile fields employees may change
	// themselves (JSON names).
	SelfEditable []string  `bun:"self_editable,type:text" json:"selfEditable"`
	Version      int       `bun:"version" json:"version"`
	UpdatedAt    time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`
}

// DefaultSelfEditable is what employees may edit unless the tenant says
// otherwise.
var DefaultSelfEditable = []string{"mobile", "address", "emergencyContacts"}

// SelfEditableChoices are the profile fields a tenant may open to
// self-service (never the ID document, name or bank account: the last
// goes through a request HR reviews).
var SelfEditableChoices = []string{"englishName", "mobile", "email", "address", "emergencyContacts", "maritalStatus",
	"education", "hukouPlace", "nationality", "ethnicity"}

// SettingsInput changes the settings and the number rule.
type SettingsInput struct {
	SelfEditable *[]string
	NumberPrefix *string
	NumberWidth  *int
	NextNumber   *int64
	Version      int
}

// Search tokens: one row per token and employee.
type Token struct {
	bun.BaseModel `bun:"table:employee_search,alias:s"`

	TenantID   ids.ID `bun:"tenant_id,pk"`
	Token      string `bun:"token,pk"`
	EmployeeID ids.ID `bun:"employee_id,pk"`
}
