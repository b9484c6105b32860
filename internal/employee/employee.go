// Package employee is the roster every other module reads: each person's
// record (with sealed ID number and bank account), the effective-dated job
// history with its lifecycle actions, contracts and agreements, documents,
// custom fields, the roster search (by name, pinyin and initials), saved
// views, exports, self-service with bank-account change requests, and the
// data behind the org chart and reporting lines.
package employee

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Genders.
const (
	Male   = "male"
	Female = "female"
)

// ID document types.
const (
	IDResident         = "resident_id"       // 居民身份证
	IDPassport         = "passport"          // 护照
	IDHKMacaoPermit    = "hk_macao_permit"   // 港澳居民来往内地通行证
	IDTaiwanPermit     = "taiwan_permit"     // 台湾居民来往大陆通行证
	IDForeignPermanent = "foreign_permanent" // 外国人永久居留身份证
)

// Employment types.
const (
	FullTime      = "full_time"
	PartTime      = "part_time"
	Intern        = "intern"
	Dispatched    = "dispatched"
	RetireeRehire = "retiree_rehire"
	Contractor    = "contractor"
)

// Statuses: pending (hired, not started) → probation → regular →
// resigning → left; a rehire starts a new period.
const (
	StatusPending   = "pending"
	StatusProbation = "probation"
	StatusRegular   = "regular"
	StatusResigning = "resigning"
	StatusLeft      = "left"
)

// Reasons of assignments: the action that opened them.
const (
	ReasonHire                = "hire"
	ReasonRegularise          = "regularise"
	ReasonExtendProbation     = "extend_probation"
	ReasonTransfer            = "transfer"
	ReasonPromote             = "promote"
	ReasonDemote              = "demote"
	ReasonChangeManager       = "change_manager"
	ReasonChangeType          = "change_type"
	ReasonChangeLocation      = "change_location"
	ReasonResign              = "resign"
	ReasonTerminate           = "terminate"
	ReasonRehire              = "rehire"
	ReasonWithdrawResignation = "withdraw_resignation"
)

// Enumerations, for validation and for the labels of exports.
var (
	Genders         = []string{Male, Female}
	IDTypes         = []string{IDResident, IDPassport, IDHKMacaoPermit, IDTaiwanPermit, IDForeignPermanent}
	EmploymentTypes = []string{FullTime, PartTime, Intern, Dispatched, RetireeRehire, Contractor}
	Statuses        = []string{StatusPending, StatusProbation, StatusRegular, StatusResigning, StatusLeft}
	MaritalStatuses = []string{"single", "married", "divorced", "widowed"}
	HukouTypes      = []string{"urban", "rural"}
	Degrees         = []string{"doctor", "master", "bachelor", "college", "secondary", "junior"}
	Reasons         = []string{ReasonHire, ReasonRegularise, ReasonExtendProbation, ReasonTransfer, ReasonPromote, ReasonDemote,
		ReasonChangeManager, ReasonChangeType, ReasonChangeLocation, ReasonResign, ReasonTerminate, ReasonRehire, ReasonWithdrawResignation}
	// TransferReasons are the reasons a transfer action accepts.
	TransferReasons = []string{ReasonTransfer, ReasonPromote, ReasonDemote, ReasonChangeManager, ReasonChangeType, ReasonChangeLocation}
)

// Education is the highest education reached.
type Education struct {
	HighestDegree  string     `json:"highestDegree"`
	School         string     `json:"school"`
	Major          string     `json:"major"`
	GraduationDate civil.Date `json:"graduationDate"`
}

// EmergencyContact is someone to call.
type EmergencyContact struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	Mobile   string `json:"mobile"`
}

// Job is what an assignment says about the employee's job; the employee
// row repeats the job valid today.
type Job struct {
	LegalEntityID      ids.ID     `bun:"legal_entity_id,nullzero" json:"legalEntityId"`
	DepartmentID       ids.ID     `bun:"department_id,nullzero" json:"departmentId"`
	PositionID         ids.ID     `bun:"position_id,nullzero" json:"positionId"`
	GradeID            ids.ID     `bun:"grade_id,nullzero" json:"gradeId"`
	ManagerID          ids.ID     `bun:"manager_id,nullzero" json:"managerId"`
	EmploymentType     string     `bun:"employment_type" json:"employmentType"`
	LocationID         ids.ID     `bun:"location_id,nullzero" json:"locationId"`
	Status             string     `bun:"status" json:"status"`
	Period             int        `bun:"period" json:"period"`
	HireDate           civil.Date `bun:"hire_date" json:"hireDate"`
	ProbationMonths    int        `bun:"probation_months" json:"probationMonths"`
	ProbationEndDate   civil.Date `bun:"probation_end_date" json:"probationEndDate"`
	RegularisationDate civil.Date `bun:"regularisation_date" json:"regularisationDate"`
	LeaveDate          civil.Date `bun:"leave_date" json:"leaveDate"`
	LeaveReason        string     `bun:"leave_reason" json:"leaveReason"`
}

// Active reports whether the person works here (not pending, not left).
func (j *Job) Active() bool {
	return j.Status == StatusProbation || j.Status == StatusRegular || j.Status == StatusResigning
}

// Employee is the stored record: identity, personal data and the job
// valid today (kept in step with the assignments by the service).
type Employee struct {
	bun.BaseModel `bun:"table:employee_employees,alias:e"`

	TenantID          ids.ID             `bun:"tenant_id,pk" json:"-"`
	ID                ids.ID             `bun:"id,pk" json:"id"`
	EmployeeNo        string             `bun:"employee_no" json:"employeeNo"`
	Name              string             `bun:"name" json:"name"`
	EnglishName       string             `bun:"english_name" json:"englishName"`
	NamePinyin        string             `bun:"name_pinyin" json:"-"`
	Gender            string             `bun:"gender" json:"gender"`
	BirthDate         civil.Date         `bun:"birth_date" json:"birthDate"`
	IDType            string             `bun:"id_type" json:"idType"`
	IDNumberEnc       string             `bun:"id_number_enc" json:"-"`
	IDNumberHash      string             `bun:"id_number_hash" json:"-"`
	Nationality       string             `bun:"nationality" json:"nationality"`
	Ethnicity         string             `bun:"ethnicity" json:"ethnicity"`
	MaritalStatus     string             `bun:"marital_status" json:"maritalStatus"`
	HukouType         string             `bun:"hukou_type" json:"hukouType"`
	HukouPlace        string             `bun:"hukou_place" json:"hukouPlace"`
	Education         Education          `bun:"education,type:text" json:"education"`
	Mobile            string             `bun:"mobile" json:"mobile"`
	Email             string             `bun:"email" json:"email"`
	Address           string             `bun:"address" json:"address"`
	EmergencyContacts []EmergencyContact `bun:"emergency_contacts,type:text" json:"emergencyContacts"`
	BankName          string             `bun:"bank_name" json:"bankName"`
	BankAccountEnc    string             `bun:"bank_account_enc" json:"-"`
	PhotoFileID       ids.ID             `bun:"photo_file_id,nullzero" json:"photoFileId"`
	FirstWorkDate     civil.Date         `bun:"first_work_date" json:"firstWorkDate"`
	Custom            map[string]any     `bun:"custom,type:text" json:"custom"`
	// SearchText lists the search tokens, each after a space.
	SearchText string `bun:"search_text" json:"-"`

	// The job valid today (derived: audited on the assignments).
	AssignmentID ids.ID `bun:"assignment_id,nullzero" json:"-"`
	Job          `audit:"-"`
	NextChangeOn civil.Date `bun:"next_change_on" json:"-"`

	Version   int       `bun:"version" json:"version"`
	CreatedAt time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`

	// Opened values, filled by the service when needed; the audit diff
	// records only that they changed.
	IDNumber    string `bun:"-" json:"idNumber" audit:"redact"`
	BankAccount string `bun:"-" json:"bankAccount" audit:"redact"`
}

// Encrypted columns, for key rotation.
var (
	colIDNumber       = crypto.Column{Table: "employee_employees", Column: "id_number_enc"}
	colBankAccount    = crypto.Column{Table: "employee_employees", Column: "bank_account_enc"}
	colRequestAccount = crypto.Column{Table: "employee_bank_requests", Column: "bank_account_enc"}
)

func init() {
	crypto.RegisterColumn(colIDNumber)
	crypto.RegisterColumn(colBankAccount)
	crypto.RegisterColumn(colRequestAccount)
}

// Assignment is one row of the job history: the job from ValidFrom up to,
// not including, ValidTo (zero: open).
type Assignment struct {
	bun.BaseModel `bun:"table:employee_assignments,alias:a"`

	TenantID   ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID         ids.ID     `bun:"id,pk" json:"id"`
	EmployeeID ids.ID     `bun:"employee_id" json:"employeeId"`
	ValidFrom  civil.Date `bun:"valid_from" json:"validFrom"`
	ValidTo    civil.Date `bun:"valid_to" json:"validTo"`
	Reason     string     `bun:"reason" json:"reason"`
	Note       string     `bun:"note" json:"note"`
	Job
	CreatedBy ids.ID    `bun:"created_by" json:"createdBy"`
	CreatedAt time.Time `bun:"created_at" json:"createdAt" audit:"-"`
}

// ValidOn reports whether the row is valid on day.
func (a *Assignment) ValidOn(day civil.Date) bool {
	return !a.ValidFrom.After(day) && (a.ValidTo.IsZero() || a.ValidTo.After(day))
}

// Profile is the personal part of a record as forms send it.
type Profile struct {
	Name              string
	EnglishName       string
	Gender            string
	BirthDate         civil.Date
	IDType            string
	IDNumber          string
	Nationality       string
	Ethnicity         string
	MaritalStatus     string
	HukouType         string
	HukouPlace        string
	Education         Education
	Mobile            string
	Email             string
	Address           string
	EmergencyContacts []EmergencyContact
	BankName          string
	BankAccount       string
	FirstWorkDate     civil.Date
	Custom            map[string]any
}

// NewEmployee describes a hire: the profile, the first job and optionally
// the first contract.
type NewEmployee struct {
	Profile
	// EmployeeNo is generated from the tenant's rule when empty.
	EmployeeNo string

	HireDate        civil.Date // default: today
	LegalEntityID   ids.ID     // default: the department's
	DepartmentID    ids.ID
	PositionID      ids.ID
	GradeID         ids.ID
	ManagerID       ids.ID
	LocationID      ids.ID // default: the department's
	EmploymentType  string // default: full_time
	ProbationMonths int
	Note            string

	Contract *NewContract
}

// ProfileUpdate changes a record's profile; nil keeps a value.
type ProfileUpdate struct {
	Name              *string
	EnglishName       *string
	Gender            *string
	BirthDate         *civil.Date
	IDType            *string
	IDNumber          *string
	Nationality       *string
	Ethnicity         *string
	MaritalStatus     *string
	HukouType         *string
	HukouPlace        *string
	Education         *Education
	Mobile            *string
	Email             *string
	Address           *string
	EmergencyContacts *[]EmergencyContact
	BankName          *string
	BankAccount       *string
	FirstWorkDate     *civil.Date
	PhotoFileID       *ids.ID
	EmployeeNo        *string
	// Custom values to set; a nil value clears one. Codes not listed keep
	// their values.
	Custom  map[string]any
	Version int
}

// Fields lists the JSON names of the fields the update sets (the
// self-service check compares them with what the tenant allows).
func (u *ProfileUpdate) Fields() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(u.Name != nil, "name")
	add(u.EnglishName != nil, "englishName")
	add(u.Gender != nil, "gender")
	add(u.BirthDate != nil, "birthDate")
	add(u.IDType != nil, "idType")
	add(u.IDNumber != nil, "idNumber")
	add(u.Nationality != nil, "nationality")
	add(u.Ethnicity != nil, "ethnicity")
	add(u.MaritalStatus != nil, "maritalStatus")
	add(u.HukouType != nil, "hukouType")
	add(u.HukouPlace != nil, "hukouPlace")
	add(u.Education != nil, "education")
	add(u.Mobile != nil, "mobile")
	add(u.Email != nil, "email")
	add(u.Address != nil, "address")
	add(u.EmergencyContacts != nil, "emergencyContacts")
	add(u.BankName != nil, "bankName")
	add(u.BankAccount != nil, "bankAccount")
	add(u.FirstWorkDate != nil, "firstWorkDate")
	add(u.PhotoFileID != nil, "photoFileId")
	add(u.EmployeeNo != nil, "employeeNo")
	return out
}

// profileOf copies a stored record's profile (with opened values).
func profileOf(e *Employee) Profile {
	return Profile{
		Name: e.Name, EnglishName: e.EnglishName, Gender: e.Gender, BirthDate: e.BirthDate, IDType: e.IDType,
		IDNumber: e.IDNumber, Nationality: e.Nationality, Ethnicity: e.Ethnicity, MaritalStatus: e.MaritalStatus,
		HukouType: e.HukouType, HukouPlace: e.HukouPlace, Education: e.Education, Mobile: e.Mobile, Email: e.Email,
		Address: e.Address, EmergencyContacts: e.EmergencyContacts, BankName: e.BankName, BankAccount: e.BankAccount,
		FirstWorkDate: e.FirstWorkDate, Custom: e.Custom,
	}
}

// setProfile copies a validated profile into the record.
func setProfile(e *Employee, p *Profile) {
	e.Name, e.EnglishName, e.Gender, e.BirthDate, e.IDType = p.Name, p.EnglishName, p.Gender, p.BirthDate, p.IDType
	e.IDNumber, e.Nationality, e.Ethnicity, e.MaritalStatus = p.IDNumber, p.Nationality, p.Ethnicity, p.MaritalStatus
	e.HukouType, e.HukouPlace, e.Education, e.Mobile, e.Email = p.HukouType, p.HukouPlace, p.Education, p.Mobile, p.Email
	e.Address, e.EmergencyContacts, e.BankName, e.BankAccount = p.Address, p.EmergencyContacts, p.BankName, p.BankAccount
	e.FirstWorkDate, e.Custom = p.FirstWorkDate, p.Custom
	if e.EmergencyContacts == nil {
		e.EmergencyContacts = []EmergencyContact{}
	}
	if e.Custom == nil {
		e.Custom = map[string]any{}
	}
}

// apply merges the update into a profile.
func (u *ProfileUpdate) apply(p *Profile) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, u.Name)
	set(&p.EnglishName, u.EnglishName)
	set(&p.Gender, u.Gender)
	set(&p.IDType, u.IDType)
	set(&p.IDNumber, u.IDNumber)
	set(&p.Nationality, u.Nationality)
	set(&p.Ethnicity, u.Ethnicity)
	set(&p.MaritalStatus, u.MaritalStatus)
	set(&p.HukouType, u.HukouType)
	set(&p.HukouPlace, u.HukouPlace)
	set(&p.Mobile, u.Mobile)
	set(&p.Email, u.Email)
	set(&p.Address, u.Address)
	set(&p.BankName, u.BankName)
	set(&p.BankAccount, u.BankAccount)
	if u.BirthDate != nil {
		p.BirthDate = *u.BirthDate
	}
	if u.Education != nil {
		p.Education = *u.Education
	}
	if u.EmergencyContacts != nil {
		p.EmergencyContacts = *u.EmergencyContacts
	}
	if u.FirstWorkDate != nil {
		p.FirstWorkDate = *u.FirstWorkDate
	}
	if u.Custom != nil {
		merged := map[string]any{}
		for k, v := range p.Custom {
			merged[k] = v
		}
		for k, v := range u.Custom {
			if v == nil {
				delete(merged, k)
			} else {
				merged[k] = v
			}
		}
		p.Custom = merged
	}
}
