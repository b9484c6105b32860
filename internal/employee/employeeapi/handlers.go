package employeeapi

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/web"
)

// ---- shared input parts

// EmployeeEducationInput is the education part of a form.
type EmployeeEducationInput struct {
	HighestDegree  string     `json:"highestDegree,omitempty" required:"false" maxLength:"20"`
	School         string     `json:"school,omitempty" required:"false" maxLength:"100"`
	Major          string     `json:"major,omitempty" required:"false" maxLength:"100"`
	GraduationDate civil.Date `json:"graduationDate,omitempty" required:"false" format:"date"`
}

func (e *EmployeeEducationInput) value() employee.Education {
	if e == nil {
		return employee.Education{}
	}
	return employee.Education{HighestDegree: e.HighestDegree, School: e.School, Major: e.Major, GraduationDate: e.GraduationDate}
}

// EmployeeContactInput is an emergency contact in a form.
type EmployeeContactInput struct {
	Name     string `json:"name" maxLength:"50"`
	Relation string `json:"relation,omitempty" required:"false" maxLength:"20"`
	Mobile   string `json:"mobile" maxLength:"30"`
}

func contacts(in []EmployeeContactInput) []employee.EmergencyContact {
	out := make([]employee.EmergencyContact, len(in))
	for i, c := range in {
		out[i] = employee.EmergencyContact{Name: c.Name, Relation: c.Relation, Mobile: c.Mobile}
	}
	return out
}

// EmployeeContractInput is a labour contract in a form.
type EmployeeContractInput struct {
	Kind            string     `json:"kind,omitempty" required:"false" enum:"fixed_term,open_ended,task_based," doc:"default fixed_term"`
	Number          string     `json:"number,omitempty" required:"false" maxLength:"50"`
	StartDate       civil.Date `json:"startDate,omitempty" required:"false" format:"date" doc:"default: the hire date"`
	EndDate         civil.Date `json:"endDate,omitempty" required:"false" format:"date" doc:"required for fixed-term contracts"`
	SigningEntityID ids.ID     `json:"signingEntityId,omitempty" required:"false" doc:"default: the employee's legal entity"`
	Note            string     `json:"note,omitempty" required:"false" maxLength:"500"`
}

func (c *EmployeeContractInput) value() *employee.NewContract {
	if c == nil {
		return nil
	}
	return &employee.NewContract{Kind: c.Kind, Number: c.Number, StartDate: c.StartDate, EndDate: c.EndDate, SigningEntityID: c.SigningEntityID, Note: c.Note}
}

// ---- the roster

// EmployeeListQuery are the roster filters (lists and exports).
type EmployeeListQuery struct {
	Q              string     `query:"q" maxLength:"100" doc:"name, pinyin (zhangsan), initials (zs), employee number, mobile or email, by prefix; or an exact ID number"`
	DepartmentID   string     `query:"departmentId" doc:"department ids, comma-separated"`
	IncludeSub     bool       `query:"includeSubDepartments" default:"true" doc:"include the departments below"`
	Status         string     `query:"status" doc:"statuses, comma-separated: pending, probation, regular, resigning, left"`
	EmploymentType string     `query:"employmentType" doc:"employment types, comma-separated"`
	PositionID     ids.ID     `query:"positionId"`
	LocationID     ids.ID     `query:"locationId"`
	ManagerID      ids.ID     `query:"managerId"`
	HiredFrom      civil.Date `query:"hiredFrom" doc:"YYYY-MM-DD"`
	HiredTo        civil.Date `query:"hiredTo" doc:"YYYY-MM-DD"`
	On             civil.Date `query:"on" doc:"read the job as of this day (YYYY-MM-DD); default today"`

	custom map[string]string
}

// Resolve collects the custom-field filters cf.<code>=value.
func (q *EmployeeListQuery) Resolve(ctx huma.Context) []error {
	u := ctx.URL()
	for k, v := range u.Query() {
		if code, ok := strings.CutPrefix(k, "cf."); ok && len(v) > 0 && v[0] != "" {
			if q.custom == nil {
				q.custom = map[string]string{}
			}
			q.custom[code] = v[0]
		}
	}
	return nil
}

func (q *EmployeeListQuery) filter(p web.PageQuery) (employee.Filter, error) {
	f := employee.Filter{Query: q.Q, IncludeSub: q.IncludeSub, PositionID: q.PositionID, LocationID: q.LocationID,
		ManagerID: q.ManagerID, HiredFrom: q.HiredFrom, HiredTo: q.HiredTo, On: q.On, Custom: q.custom,
		Statuses: web.SplitCSV(q.Status), EmploymentTypes: web.SplitCSV(q.EmploymentType), Sort: p.Sort, Page: p.Page, Size: p.PageSize}
	for _, s := range web.SplitCSV(q.DepartmentID) {
		id, err := ids.Parse(s)
		if err != nil {
			return f, errs.InvalidField("departmentId", "invalid_format")
		}
		f.DepartmentIDs = append(f.DepartmentIDs, id)
	}
	return f, nil
}

type listInput struct {
	EmployeeListQuery
	web.PageQuery
}

func (h *handlers) list(ctx context.Context, in *listInput) (*web.Body[*employee.Page], error) {
	f, err := in.filter(in.PageQuery)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.List(ctx, f)
	if err != nil {
		return nil, err
	}
	return web.Reply(p), nil
}

// EmployeeCreateBody hires an employee: at least name, ID number,
// mobile and department.
type EmployeeCreateBody struct {
	EmployeeNo        string                  `json:"employeeNo,omitempty" required:"false" maxLength:"32" doc:"generated from the tenant's rule when empty"`
	Name              string                  `json:"name" maxLength:"50"`
	EnglishName       string                  `json:"englishName,omitempty" required:"false" maxLength:"100"`
	Gender            string                  `json:"gender,omitempty" required:"false" enum:"male,female," doc:"derived from a resident ID number when empty"`
	BirthDate         civil.Date              `json:"birthDate,omitempty" required:"false" format:"date" doc:"derived from a resident ID number when empty"`
	IDType            string                  `json:"idType,omitempty" required:"false" enum:"resident_id,passport,hk_macao_permit,taiwan_permit,foreign_permanent," doc:"default resident_id"`
	IDNumber          string                  `json:"idNumber" maxLength:"30"`
	Nationality       string                  `json:"nationality,omitempty" required:"false" maxLength:"50"`
	Ethnicity         string                  `json:"ethnicity,omitempty" required:"false" maxLength:"20"`
	MaritalStatus     string                  `json:"maritalStatus,omitempty" required:"false" maxLength:"20"`
	HukouType         string                  `json:"hukouType,omitempty" required:"false" maxLength:"20"`
	HukouPlace        string                  `json:"hukouPlace,omitempty" required:"false" maxLength:"100"`
	Education         *EmployeeEducationInput `json:"education,omitempty" required:"false"`
	Mobile            string                  `json:"mobile" maxLength:"30"`
	Email             string                  `json:"email,omitempty" required:"false" maxLength:"254"`
	Address           string                  `json:"address,omitempty" required:"false" maxLength:"200"`
	EmergencyContacts []EmployeeContactInput  `json:"emergencyContacts,omitempty" required:"false" maxItems:"5"`
	BankName          string                  `json:"bankName,omitempty" required:"false" maxLength:"100"`
	BankAccount       string                  `json:"bankAccount,omitempty" required:"false" maxLength:"40"`
	FirstWorkDate     civil.Date              `json:"firstWorkDate,omitempty" required:"false" format:"date"`
	Custom            map[string]any          `json:"custom,omitempty" required:"false" doc:"custom field values by code"`

	HireDate        civil.Date             `json:"hireDate,omitempty" required:"false" format:"date" doc:"default today; a later day schedules the hire"`
	DepartmentID    ids.ID                 `json:"departmentId"`
	LegalEntityID   ids.ID                 `json:"legalEntityId,omitempty" required:"false" doc:"default: the department's"`
	PositionID      ids.ID                 `json:"positionId,omitempty" required:"false"`
	GradeID         ids.ID                 `json:"gradeId,omitempty" required:"false"`
	ManagerID       ids.ID                 `json:"managerId,omitempty" required:"false"`
	LocationID      ids.ID                 `json:"locationId,omitempty" required:"false" doc:"default: the department's"`
	EmploymentType  string                 `json:"employmentType,omitempty" required:"false" enum:"full_time,part_time,intern,dispatched,retiree_rehire,contractor," doc:"default full_time"`
	ProbationMonths int                    `json:"probationMonths,omitempty" required:"false" doc:"within the legal limit for the contract term"`
	Note            string                 `json:"note,omitempty" required:"false" maxLength:"500"`
	Contract        *EmployeeContractInput `json:"contract,omitempty" required:"false" doc:"the first labour contract"`
}

type createInput struct {
	Body EmployeeCreateBody
}

func (h *handlers) create(ctx context.Context, in *createInput) (*web.Body[*employee.Detail], error) {
	b := in.Body
	n := employee.NewEmployee{
		Profile: employee.Profile{Name: b.Name, EnglishName: b.EnglishName, Gender: b.Gender, BirthDate: b.BirthDate, IDType: b.IDType,
			IDNumber: b.IDNumber, Nationality: b.Nationality, Ethnicity: b.Ethnicity, MaritalStatus: b.MaritalStatus,
			HukouType: b.HukouType, HukouPlace: b.HukouPlace, Education: b.Education.value(), Mobile: b.Mobile, Email: b.Email,
			Address: b.Address, EmergencyContacts: contacts(b.EmergencyContacts), BankName: b.BankName, BankAccount: b.BankAccount,
			FirstWorkDate: b.FirstWorkDate, Custom: b.Custom},
		EmployeeNo: b.EmployeeNo, HireDate: b.HireDate, LegalEntityID: b.LegalEntityID, DepartmentID: b.DepartmentID,
		PositionID: b.PositionID, GradeID: b.GradeID, ManagerID: b.ManagerID, LocationID: b.LocationID,
		EmploymentType: b.EmploymentType, ProbationMonths: b.ProbationMonths, Note: b.Note, Contract: b.Contract.value(),
	}
	d, err := h.svc.Create(ctx, n)
	if err != nil {
		return nil, err
	}
	return web.Reply(d), nil
}

type getInput struct {
	web.IDPath
	On civil.Date `query:"on" doc:"read the job as of this day (YYYY-MM-DD); default today"`
}

func (h *handlers) get(ctx context.Context, in *getInput) (*web.Body[*employee.Detail], error) {
	d, err := h.svc.Get(ctx, in.ID, in.On)
	if err != nil {
		return nil, err
	}
	return web.Reply(d), nil
}

// EmployeeUpdateBody changes a profile; absent fields keep their value.
type EmployeeUpdateBody struct {
	EmployeeNo        *string                 `json:"employeeNo,omitempty" required:"false" maxLength:"32"`
	Name              *string                 `json:"name,omitempty" required:"false" maxLength:"50"`
	EnglishName       *string                 `json:"englishName,omitempty" required:"false" maxLength:"100"`
	Gender            *string                 `json:"gender,omitempty" required:"false" enum:"male,female,"`
	BirthDate         *civil.Date             `json:"birthDate,omitempty" required:"false" format:"date"`
	IDType            *string                 `json:"idType,omitempty" required:"false" enum:"resident_id,passport,hk_macao_permit,taiwan_permit,foreign_permanent,"`
	IDNumber          *string                 `json:"idNumber,omitempty" required:"false" maxLength:"30"`
	Nationality       *string                 `json:"nationality,omitempty" required:"false" maxLength:"50"`
	Ethnicity         *string                 `json:"ethnicity,omitempty" required:"false" maxLength:"20"`
	MaritalStatus     *string                 `json:"maritalStatus,omitempty" required:"false" maxLength:"20"`
	HukouType         *string                 `json:"hukouType,omitempty" required:"false" maxLength:"20"`
	HukouPlace        *string                 `json:"hukouPlace,omitempty" required:"false" maxLength:"100"`
	Education         *EmployeeEducationInput `json:"education,omitempty" required:"false"`
	Mobile            *string                 `json:"mobile,omitempty" required:"false" maxLength:"30"`
	Email             *string                 `json:"email,omitempty" required:"false" maxLength:"254"`
	Address           *string                 `json:"address,omitempty" required:"false" maxLength:"200"`
	EmergencyContacts *[]EmployeeContactInput `json:"emergencyContacts,omitempty" required:"false" maxItems:"5"`
	BankName          *string                 `json:"bankName,omitempty" required:"false" maxLength:"100"`
	BankAccount       *string                 `json:"bankAccount,omitempty" required:"false" maxLength:"40"`
	FirstWorkDate     *civil.Date             `json:"firstWorkDate,omitempty" required:"false" format:"date"`
	Custom            map[string]any          `json:"custom,omitempty" required:"false" doc:"custom values to set; null clears one"`
	Version           int                     `json:"version" minimum:"1"`
}

func (b *EmployeeUpdateBody) value() employee.ProfileUpdate {
	u := employee.ProfileUpdate{EmployeeNo: b.EmployeeNo, Name: b.Name, EnglishName: b.EnglishName, Gender: b.Gender, BirthDate: b.BirthDate,
		IDType: b.IDType, IDNumber: b.IDNumber, Nationality: b.Nationality, Ethnicity: b.Ethnicity, MaritalStatus: b.MaritalStatus,
		HukouType: b.HukouType, HukouPlace: b.HukouPlace, Mobile: b.Mobile, Email: b.Email, Address: b.Address,
		BankName: b.BankName, BankAccount: b.BankAccount, FirstWorkDate: b.FirstWorkDate, Custom: b.Custom, Version: b.Version}
	if b.Education != nil {
		e := b.Education.value()
		u.Education = &e
	}
	if b.EmergencyContacts != nil {
		c := contacts(*b.EmergencyContacts)
		u.EmergencyContacts = &c
	}
	return u
}

type updateInput struct {
	web.IDPath
	Body EmployeeUpdateBody
}

func (h *handlers) update(ctx context.Context, in *updateInput) (*web.Body[*employee.Detail], error) {
	d, err := h.svc.Update(ctx, in.ID, in.Body.value())
	if err != nil {
		return nil, err
	}
	return web.Reply(d), nil
}

func (h *handlers) sensitive(ctx context.Context, in *web.IDPath) (*web.Body[*employee.SensitiveData], error) {
	s, err := h.svc.Sensitive(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(s), nil
}

// EmployeeHistory is an employee's job timeline, newest first.
type EmployeeHistory struct {
	Items []employee.HistoryEntry `json:"items"`
}

func (h *handlers) history(ctx context.Context, in *web.IDPath) (*web.Body[*EmployeeHistory], error) {
	items, err := h.svc.History(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(&EmployeeHistory{Items: items}), nil
}

type cancelInput struct {
	web.IDPath
	EntryID ids.ID `path:"entryId" doc:"the history entry (scheduled change) to cancel"`
}

func (h *handlers) cancel(ctx context.Context, in *cancelInput) (*web.Body[*employee.Detail], error) {
	return reply(h.svc.CancelChange(ctx, in.ID, in.EntryID))
}

func reply[T any](v T, err error) (*web.Body[T], error) {
	if err != nil {
		return nil, err
	}
	return web.Reply(v), nil
}

// ---- lifecycle

// EmployeeRegulariseBody ends probation.
type EmployeeRegulariseBody struct {
	EffectiveDate civil.Date `json:"effectiveDate,omitempty" required:"false" format:"date" doc:"default today"`
	Note          string     `json:"note,omitempty" required:"false" maxLength:"500"`
}

type regulariseInput struct {
	web.IDPath
	Body EmployeeRegulariseBody
}

func (h *handlers) regularise(ctx context.Context, in *regulariseInput) (*web.Body[*employee.Detail], error) {
	return reply(h.svc.Regularise(ctx, in.ID, employee.Regularise{EffectiveDate: in.Body.EffectiveDate, Note: in.Body.Note}))
}

// EmployeeExtendProbationBody lengthens probation.
type EmployeeExtendProbationBody struct {
	Months        int        `json:"months"`
	EffectiveDate civil.Date `json:"effectiveDate,omitempty" required:"false" format:"date" doc:"default today"`
	Note          string     `json:"note,omitempty" required:"false" maxLength:"500"`
}

type extendInput struct {
	web.IDPath
	Body EmployeeExtendProbationBody
}

func (h *handlers) extendProbation(ctx context.Context, in *extendInput) (*web.Body[*employee.Detail], error) {
	return reply(h.svc.ExtendProbation(ctx, in.ID, employee.ExtendProbation{Months: in.Body.Months, EffectiveDate: in.Body.EffectiveDate, Note: in.Body.Note}))
}

// EmployeeTransferBody changes the job; absent fields keep their value
// ("0" clears the manager).
type EmployeeTransferBody struct {
	EffectiveDate  civil.Date `json:"effectiveDate,omitempty" required:"false" format:"date" doc:"default today; a later day schedules the change"`
	DepartmentID   *ids.ID    `json:"departmentId,omitempty" required:"false"`
	PositionID     *ids.ID    `json:"positionId,omitempty" required:"false"`
	GradeID        *ids.ID    `json:"gradeId,omitempty" required:"false"`
	ManagerID      *ids.ID    `json:"managerId,omitempty" required:"false"`
	LocationID     *ids.ID    `json:"locationId,omitempty" required:"false"`
	LegalEntityID  *ids.ID    `json:"legalEntityId,omitempty" required:"false"`
	EmploymentType *string    `json:"employmentType,omitempty" required:"false" enum:"full_time,part_time,intern,dispatched,retiree_rehire,contractor"`
	Reason         string     `json:"reason,omitempty" required:"false" enum:"transfer,promote,demote,change_manager,change_type,change_location," doc:"default transfer"`
	Note           string     `json:"note,omitempty" required:"false" maxLength:"500"`
}

type transferInput struct {
	web.IDPath
	Body EmployeeTransferBody
}

func (h *handlers) transfer(ctx context.Context, in *transferInput) (*web.Body[*employee.Detail], error) {
	b := in.Body
	return reply(h.svc.Transfer(ctx, in.ID, employee.Transfer{EffectiveDate: b.EffectiveDate, DepartmentID: b.DepartmentID, PositionID: b.PositionID,
		GradeID: b.GradeID, ManagerID: b.ManagerID, LocationID: b.LocationID, LegalEntityID: b.LegalEntityID, EmploymentType: b.EmploymentType,
		Reason: b.Reason, Note: b.Note}))
}

// EmployeeLeaveBody ends employment after the leave date.
type EmployeeLeaveBody struct {
	LeaveDate civil.Date `json:"leaveDate" format:"date" doc:"the last working day"`
	Reason    string     `json:"reason,omitempty" required:"false" maxLength:"200"`
	Note      string     `json:"note,omitempty" required:"false" maxLength:"500"`
}

type leaveInput struct {
	web.IDPath
	Body EmployeeLeaveBody
}

func (h *handlers) resign(ctx context.Context, in *leaveInput) (*web.Body[*employee.Detail], error) {
	return reply(h.svc.Resign(ctx, in.ID, employee.Leave{LeaveDate: in.Body.LeaveDate, Reason: in.Body.Reason, Note: in.Body.Note}))
}

func (h *handlers) terminate(ctx context.Context, in *leaveInput) (*web.Body[*employee.Detail], error) {
	return reply(h.svc.Terminate(ctx, in.ID, employee.Leave{LeaveDate: in.Body.LeaveDate, Reason: in.Body.Reason, Note: in.Body.Note}))
}

// EmployeeRehireBody starts a new period of employment.
type EmployeeRehireBody struct {
	HireDate        civil.Date             `json:"hireDate,omitempty" required:"false" format:"date" doc:"default today"`
	DepartmentID    ids.ID                 `json:"departmentId"`
	PositionID      ids.ID                 `json:"positionId,omitempty" required:"false"`
	GradeID         ids.ID                 `json:"gradeId,omitempty" required:"false"`
	ManagerID       ids.ID                 `json:"managerId,omitempty" required:"false"`
	LocationID      ids.ID                 `json:"locationId,omitempty" required:"false"`
	LegalEntityID   ids.ID                 `json:"legalEntityId,omitempty" required:"false"`
	EmploymentType  string                 `json:"employmentType,omitempty" required:"false" enum:"full_time,part_time,intern,dispatched,retiree_rehire,contractor,"`
	ProbationMonths int                    `json:"probationMonths,omitempty" required:"false" doc:"must be 0: one probation per employer and employee"`
	Note            string                 `json:"note,omitempty" required:"false" maxLength:"500"`
	Contract        *EmployeeContractInput `json:"contract,omitempty" required:"false"`
}

type rehireInput struct {
	web.IDPath
	Body EmployeeRehireBody
}

func (h *handlers) rehire(ctx context.Context, in *rehireInput) (*web.Body[*employee.Detail], error) {
	b := in.Body
	return reply(h.svc.Rehire(ctx, in.ID, employee.Rehire{HireDate: b.HireDate, DepartmentID: b.DepartmentID, PositionID: b.PositionID,
		GradeID: b.GradeID, ManagerID: b.ManagerID, LocationID: b.LocationID, LegalEntityID: b.LegalEntityID,
		EmploymentType: b.EmploymentType, ProbationMonths: b.ProbationMonths, Note: b.Note, Contract: b.Contract.value()}))
}

// EmployeeReports are an employee's direct reports.
type EmployeeReports struct {
	Items []employee.ListItem `json:"items"`
}

func (h *handlers) reports(ctx context.Context, in *web.IDPath) (*web.Body[*EmployeeReports], error) {
	items, err := h.svc.Reports(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []employee.ListItem{}
	}
	return web.Reply(&EmployeeReports{Items: items}), nil
}

// ---- contracts and agreements

func (h *handlers) contracts(ctx context.Context, in *web.IDPath) (*web.Body[*employee.ContractList], error) {
	return reply(h.svc.Contracts(ctx, in.ID))
}

type contractInput struct {
	web.IDPath
	Body EmployeeContractInput
}

func (h *handlers) addContract(ctx context.Context, in *contractInput) (*web.Body[*employee.Contract], error) {
	return reply(h.svc.AddContract(ctx, in.ID, *in.Body.value()))
}

// EmployeeContractUpdateBody changes a contract.
type EmployeeContractUpdateBody struct {
	Number          *string     `json:"number,omitempty" required:"false" maxLength:"50"`
	StartDate       *civil.Date `json:"startDate,omitempty" required:"false" format:"date"`
	EndDate         *civil.Date `json:"endDate,omitempty" required:"false" format:"date"`
	SigningEntityID *ids.ID     `json:"signingEntityId,omitempty" required:"false"`
	Note            *string     `json:"note,omitempty" required:"false" maxLength:"500"`
	Status          *string     `json:"status,omitempty" required:"false" enum:"active,terminated" doc:"terminated: ended early"`
	Version         int         `json:"version" minimum:"1"`
}

type contractUpdateInput struct {
	web.IDPath
	ContractID ids.ID `path:"contractId"`
	Body       EmployeeContractUpdateBody
}

func (h *handlers) updateContract(ctx context.Context, in *contractUpdateInput) (*web.Body[*employee.Contract], error) {
	b := in.Body
	return reply(h.svc.UpdateContract(ctx, in.ID, in.ContractID, employee.ContractUpdate{Number: b.Number, StartDate: b.StartDate,
		EndDate: b.EndDate, SigningEntityID: b.SigningEntityID, Note: b.Note, Status: b.Status, Version: b.Version}))
}

// EmployeeAgreements are an employee's agreements.
type EmployeeAgreements struct {
	Items []employee.Agreement `json:"items"`
}

func (h *handlers) agreements(ctx context.Context, in *web.IDPath) (*web.Body[*EmployeeAgreements], error) {
	items, err := h.svc.Agreements(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(&EmployeeAgreements{Items: items}), nil
}

// EmployeeAgreementBody records an agreement.
type EmployeeAgreementBody struct {
	Kind         string     `json:"kind" enum:"confidentiality,non_compete"`
	StartDate    civil.Date `json:"startDate" format:"date"`
	EndDate      civil.Date `json:"endDate,omitempty" required:"false" format:"date" doc:"required for a non-compete (at most two years)"`
	Compensation string     `json:"compensation,omitempty" required:"false" maxLength:"200"`
	Note         string     `json:"note,omitempty" required:"false" maxLength:"500"`
}

type agreementInput struct {
	web.IDPath
	Body EmployeeAgreementBody
}

func (h *handlers) addAgreement(ctx context.Context, in *agreementInput) (*web.Body[*employee.Agreement], error) {
	b := in.Body
	return reply(h.svc.AddAgreement(ctx, in.ID, employee.NewAgreement{Kind: b.Kind, StartDate: b.StartDate, EndDate: b.EndDate,
		Compensation: b.Compensation, Note: b.Note}))
}

// ---- documents and photo

// EmployeeDocuments are an employee's documents.
type EmployeeDocuments struct {
	Items []employee.Document `json:"items"`
}

func (h *handlers) documents(ctx context.Context, in *web.IDPath) (*web.Body[*EmployeeDocuments], error) {
	items, err := h.svc.Documents(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(&EmployeeDocuments{Items: items}), nil
}

// EmployeeDocumentForm is a document upload.
type EmployeeDocumentForm struct {
	File huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true"`
	Kind string        `form:"kind" required:"true" enum:"id_card,bank_card,diploma,contract,certificate,resume,medical,other"`
	Name string        `form:"name" required:"false" doc:"file name to show; default: the uploaded file's"`
}

type uploadInput struct {
	web.IDPath
	RawBody huma.MultipartFormFiles[EmployeeDocumentForm]
}

func (h *handlers) upload(ctx context.Context, in *uploadInput) (*web.Body[*employee.Document], error) {
	form := in.RawBody.Data()
	if form == nil || !form.File.IsSet {
		return nil, errs.InvalidField("file", "required")
	}
	defer form.File.Close()
	name := form.Name
	if name == "" {
		name = form.File.Filename
	}
	return reply(h.svc.Upload(ctx, in.ID, form.Kind, name, form.File))
}

type downloadInput struct {
	web.IDPath
	DocID ids.ID `path:"docId"`
}

func (h *handlers) download(ctx context.Context, in *downloadInput) (*huma.StreamResponse, error) {
	rc, d, err := h.svc.Download(ctx, in.ID, in.DocID)
	if err != nil {
		return nil, err
	}
	return stream(rc, d.ContentType, d.Name, true), nil
}

// stream sends a stored file.
func stream(rc io.ReadCloser, contentType, name string, attachment bool) *huma.StreamResponse {
	return web.StreamFile(rc, contentType, name, time.Time{}, attachment)
}

func (h *handlers) photo(ctx context.Context, in *web.IDPath) (*huma.StreamResponse, error) {
	rc, ct, err := h.svc.Photo(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return stream(rc, ct, "photo", false), nil
}

// EmployeePhotoForm is a photo upload.
type EmployeePhotoForm struct {
	File huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"PNG, JPEG, GIF or WebP, at most 5 MiB"`
}

type photoInput struct {
	web.IDPath
	RawBody huma.MultipartFormFiles[EmployeePhotoForm]
}

func (h *handlers) setPhoto(ctx context.Context, in *photoInput) (*web.Body[*employee.Detail], error) {
	form := in.RawBody.Data()
	if form == nil || !form.File.IsSet {
		return nil, errs.InvalidField("file", "required")
	}
	defer form.File.Close()
	return reply(h.svc.SetPhoto(ctx, in.ID, form.File.Filename, form.File))
}

// ---- custom fields

// EmployeeFields are the tenant's custom fields.
type EmployeeFields struct {
	Items []employee.Field `json:"items"`
}

func (h *handlers) fields(ctx context.Context, _ *struct{}) (*web.Body[*EmployeeFields], error) {
	items, err := h.svc.Fields(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(&EmployeeFields{Items: items}), nil
}

// EmployeeFieldBody creates or changes a custom field.
type EmployeeFieldBody struct {
	Code         *string   `json:"code,omitempty" required:"false" maxLength:"40" doc:"lower-case letters, digits and _; fixed once created"`
	Label        *string   `json:"label,omitempty" required:"false" maxLength:"50"`
	Type         *string   `json:"type,omitempty" required:"false" enum:"text,number,date,select,multi_select" doc:"fixed once created"`
	Options      *[]string `json:"options,omitempty" required:"false" maxItems:"100"`
	Required     *bool     `json:"required,omitempty" required:"false"`
	ShowInList   *bool     `json:"showInList,omitempty" required:"false"`
	SelfEditable *bool     `json:"selfEditable,omitempty" required:"false"`
	Sort         *int      `json:"sort,omitempty" required:"false"`
}

func (b *EmployeeFieldBody) value(version int) employee.FieldInput {
	return employee.FieldInput{Code: b.Code, Label: b.Label, Type: b.Type, Options: b.Options, Required: b.Required,
		ShowInList: b.ShowInList, SelfEditable: b.SelfEditable, Sort: b.Sort, Version: version}
}

type fieldCreateInput struct {
	Body EmployeeFieldBody
}

func (h *handlers) createField(ctx context.Context, in *fieldCreateInput) (*web.Body[*employee.Field], error) {
	var f errs.Fields
	f.Check(in.Body.Code != nil, "code", "required")
	f.Check(in.Body.Label != nil, "label", "required")
	f.Check(in.Body.Type != nil, "type", "required")
	if err := f.Err(); err != nil {
		return nil, err
	}
	return reply(h.svc.CreateField(ctx, in.Body.value(0)))
}

// EmployeeFieldUpdateBody changes a custom field.
type EmployeeFieldUpdateBody struct {
	EmployeeFieldBody
	Version int `json:"version" minimum:"1"`
}

type fieldUpdateInput struct {
	web.IDPath
	Body EmployeeFieldUpdateBody
}

func (h *handlers) updateField(ctx context.Context, in *fieldUpdateInput) (*web.Body[*employee.Field], error) {
	return reply(h.svc.UpdateField(ctx, in.ID, in.Body.value(in.Body.Version)))
}

func (h *handlers) deleteField(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return &web.Empty{}, h.svc.DeleteField(ctx, in.ID)
}

// ---- saved views

// EmployeeViews are the caller's saved views.
type EmployeeViews struct {
	Items []employee.View `json:"items"`
}

func (h *handlers) views(ctx context.Context, _ *struct{}) (*web.Body[*EmployeeViews], error) {
	items, err := h.svc.Views(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(&EmployeeViews{Items: items}), nil
}

// EmployeeViewBody saves a list view: the filters (the list's query
// parameters), chosen columns and sort.
type EmployeeViewBody struct {
	Name    *string         `json:"name,omitempty" required:"false" maxLength:"50"`
	Filters *map[string]any `json:"filters,omitempty" required:"false"`
	Columns *[]string       `json:"columns,omitempty" required:"false" maxItems:"60"`
	Sort    *string         `json:"sort,omitempty" required:"false" maxLength:"30"`
}

func (b *EmployeeViewBody) value() employee.ViewInput {
	return employee.ViewInput{Name: b.Name, Filters: b.Filters, Columns: b.Columns, Sort: b.Sort}
}

type viewCreateInput struct {
	Body EmployeeViewBody
}

func (h *handlers) createView(ctx context.Context, in *viewCreateInput) (*web.Body[*employee.View], error) {
	return reply(h.svc.SaveView(ctx, 0, in.Body.value()))
}

type viewUpdateInput struct {
	web.IDPath
	Body EmployeeViewBody
}

func (h *handlers) updateView(ctx context.Context, in *viewUpdateInput) (*web.Body[*employee.View], error) {
	return reply(h.svc.SaveView(ctx, in.ID, in.Body.value()))
}

func (h *handlers) deleteView(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return &web.Empty{}, h.svc.DeleteView(ctx, in.ID)
}

// ---- settings

func (h *handlers) settings(ctx context.Context, _ *struct{}) (*web.Body[*employee.SettingsView], error) {
	return reply(h.svc.Settings(ctx))
}

// EmployeeSettingsBody changes the settings.
type EmployeeSettingsBody struct {
	SelfEditable *[]string `json:"selfEditable,omitempty" required:"false" maxItems:"20"`
	NumberPrefix *string   `json:"numberPrefix,omitempty" required:"false" maxLength:"10"`
	NumberWidth  *int      `json:"numberWidth,omitempty" required:"false"`
	NextNumber   *int64    `json:"nextNumber,omitempty" required:"false"`
	Version      int       `json:"version"`
}

type settingsInput struct {
	Body EmployeeSettingsBody
}

func (h *handlers) updateSettings(ctx context.Context, in *settingsInput) (*web.Body[*employee.SettingsView], error) {
	b := in.Body
	return reply(h.svc.UpdateSettings(ctx, employee.SettingsInput{SelfEditable: b.SelfEditable, NumberPrefix: b.NumberPrefix,
		NumberWidth: b.NumberWidth, NextNumber: b.NextNumber, Version: b.Version}))
}

// ---- self-service

func (h *handlers) me(ctx context.Context, _ *struct{}) (*web.Body[*employee.Me], error) {
	return reply(h.svc.Me(ctx))
}

// EmployeeSelfUpdateBody are the fields an employee may edit himself
// (those the tenant allows; others are refused).
type EmployeeSelfUpdateBody struct {
	EnglishName       *string                 `json:"englishName,omitempty" required:"false" maxLength:"100"`
	Mobile            *string                 `json:"mobile,omitempty" required:"false" maxLength:"30"`
	Email             *string                 `json:"email,omitempty" required:"false" maxLength:"254"`
	Address           *string                 `json:"address,omitempty" required:"false" maxLength:"200"`
	EmergencyContacts *[]EmployeeContactInput `json:"emergencyContacts,omitempty" required:"false" maxItems:"5"`
	MaritalStatus     *string                 `json:"maritalStatus,omitempty" required:"false" maxLength:"20"`
	Education         *EmployeeEducationInput `json:"education,omitempty" required:"false"`
	HukouPlace        *string                 `json:"hukouPlace,omitempty" required:"false" maxLength:"100"`
	Nationality       *string                 `json:"nationality,omitempty" required:"false" maxLength:"50"`
	Ethnicity         *string                 `json:"ethnicity,omitempty" required:"false" maxLength:"20"`
	Custom            map[string]any          `json:"custom,omitempty" required:"false"`
	Version           int                     `json:"version" minimum:"1"`
}

type meUpdateInput struct {
	Body EmployeeSelfUpdateBody
}

func (h *handlers) updateMe(ctx context.Context, in *meUpdateInput) (*web.Body[*employee.Me], error) {
	b := in.Body
	u := employee.ProfileUpdate{EnglishName: b.EnglishName, Mobile: b.Mobile, Email: b.Email, Address: b.Address,
		MaritalStatus: b.MaritalStatus, HukouPlace: b.HukouPlace, Nationality: b.Nationality, Ethnicity: b.Ethnicity,
		Custom: b.Custom, Version: b.Version}
	if b.Education != nil {
		e := b.Education.value()
		u.Education = &e
	}
	if b.EmergencyContacts != nil {
		c := contacts(*b.EmergencyContacts)
		u.EmergencyContacts = &c
	}
	return reply(h.svc.UpdateMe(ctx, u))
}

// EmployeeBankRequestBody asks for a new bank account.
type EmployeeBankRequestBody struct {
	BankName    string `json:"bankName" maxLength:"100"`
	BankAccount string `json:"bankAccount" maxLength:"40"`
}

type bankRequestInput struct {
	Body EmployeeBankRequestBody
}

func (h *handlers) requestBank(ctx context.Context, in *bankRequestInput) (*web.Body[*employee.BankRequest], error) {
	return reply(h.svc.RequestBankChange(ctx, employee.BankRequestInput{BankName: in.Body.BankName, BankAccount: in.Body.BankAccount}))
}

// EmployeeBankRequests is a page of bank-account change requests.
type EmployeeBankRequests struct {
	Items    []employee.BankRequest `json:"items"`
	Total    int                    `json:"total"`
	Page     int                    `json:"page"`
	PageSize int                    `json:"pageSize"`
}

func (h *handlers) myBankRequests(ctx context.Context, _ *struct{}) (*web.Body[*EmployeeBankRequests], error) {
	items, err := h.svc.MyBankRequests(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(&EmployeeBankRequests{Items: items, Total: len(items), Page: 1, PageSize: len(items)}), nil
}

type bankListInput struct {
	Status string `query:"status" enum:"pending,approved,rejected,withdrawn," doc:"default: all"`
	web.PageQuery
}

func (h *handlers) bankRequests(ctx context.Context, in *bankListInput) (*web.Body[*EmployeeBankRequests], error) {
	items, total, err := h.svc.BankRequests(ctx, employee.BankRequestFilter{Status: in.Status, Page: in.Page, Size: in.PageSize})
	if err != nil {
		return nil, err
	}
	return web.Reply(&EmployeeBankRequests{Items: items, Total: total, Page: in.Page, PageSize: in.PageSize}), nil
}

// EmployeeReviewBody comments a review.
type EmployeeReviewBody struct {
	Comment string `json:"comment,omitempty" required:"false" maxLength:"500"`
}

type approveInput struct {
	web.IDPath
	Body *EmployeeReviewBody `required:"false"`
}

func (h *handlers) approve(ctx context.Context, in *approveInput) (*web.Body[*employee.BankRequest], error) {
	comment := ""
	if in.Body != nil {
		comment = in.Body.Comment
	}
	return reply(h.svc.ReviewBankRequest(ctx, in.ID, true, comment))
}

// EmployeeRejectBody says why a request is rejected.
type EmployeeRejectBody struct {
	Comment string `json:"comment" maxLength:"500"`
}

type rejectInput struct {
	web.IDPath
	Body EmployeeRejectBody
}

func (h *handlers) reject(ctx context.Context, in *rejectInput) (*web.Body[*employee.BankRequest], error) {
	return reply(h.svc.ReviewBankRequest(ctx, in.ID, false, in.Body.Comment))
}

// ---- org chart

type chartInput struct {
	On         civil.Date `query:"on" doc:"YYYY-MM-DD; default today"`
	RootID     ids.ID     `query:"rootId" doc:"only this department and below"`
	ActiveOnly bool       `query:"activeOnly" default:"true" doc:"leave out inactive departments"`
}

// EmployeeOrgChart is the department tree with heads and headcounts.
type EmployeeOrgChart struct {
	Items []*employee.ChartNode `json:"items"`
}

func (h *handlers) orgChart(ctx context.Context, in *chartInput) (*web.Body[*EmployeeOrgChart], error) {
	items, err := h.svc.OrgChart(ctx, in.On, in.RootID, in.ActiveOnly)
	if err != nil {
		return nil, err
	}
	return web.Reply(&EmployeeOrgChart{Items: items}), nil
}

// ---- export

type exportInput struct {
	EmployeeListQuery
	web.ExportQuery
	Sort     string `query:"sort"`
	Columns  string `query:"columns" doc:"columns, comma-separated (see the list's column chooser); cf.<code> for custom fields"`
	Unmasked bool   `query:"unmasked" doc:"unmasked ID numbers and bank accounts (needs employee.record.read_sensitive; audited)"`
}

func (h *handlers) export(ctx context.Context, in *exportInput) (*huma.StreamResponse, error) {
	f, err := in.filter(web.PageQuery{Sort: in.Sort})
	if err != nil {
		return nil, err
	}
	// Every refusal comes before streaming starts (the status is sent
	// with the first byte).
	x, err := h.svc.PrepareExport(ctx, employee.ExportRequest{Filter: f, Columns: web.SplitCSV(in.Columns),
		Unmasked: in.Unmasked, Locale: i18n.FromContext(ctx)})
	if err != nil {
		return nil, err
	}
	return web.Download(x.Title, in.ExportQuery, x.Title, func(ctx context.Context, w export.Writer) error {
		_, err := x.Write(ctx, w)
		return err
	}), nil
}
