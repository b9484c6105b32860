package employee

import (
	"context"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/ids"
)

// ProfileView is the personal part of a record as shown: ID number and
// bank account masked.
type ProfileView struct {
	EmployeeNo        string             `json:"employeeNo"`
	Name              string             `json:"name"`
	EnglishName       string             `json:"englishName"`
	Gender            string             `json:"gender"`
	BirthDate         civil.Date         `json:"birthDate"`
	IDType            string             `json:"idType"`
	IDNumber          string             `json:"idNumber" doc:"masked"`
	Nationality       string             `json:"nationality"`
	Ethnicity         string             `json:"ethnicity"`
	MaritalStatus     string             `json:"maritalStatus"`
	HukouType         string             `json:"hukouType"`
	HukouPlace        string             `json:"hukouPlace"`
	Education         Education          `json:"education"`
	Mobile            string             `json:"mobile"`
	Email             string             `json:"email"`
	Address           string             `json:"address"`
	EmergencyContacts []EmergencyContact `json:"emergencyContacts"`
	BankName          string             `json:"bankName"`
	BankAccount       string             `json:"bankAccount" doc:"masked"`
	PhotoFileID       ids.ID             `json:"photoFileId,omitempty"`
	FirstWorkDate     civil.Date         `json:"firstWorkDate"`
}

// JobView is a job with the names of what it refers to.
type JobView struct {
	Job
	AssignmentID    ids.ID     `json:"assignmentId,omitempty"`
	ValidFrom       civil.Date `json:"validFrom"`
	ValidTo         civil.Date `json:"validTo"`
	Reason          string     `json:"reason,omitempty"`
	LegalEntityName string     `json:"legalEntityName"`
	DepartmentName  string     `json:"departmentName"`
	DepartmentPath  []string   `json:"departmentPath"`
	PositionName    string     `json:"positionName"`
	GradeName       string     `json:"gradeName"`
	ManagerName     string     `json:"managerName"`
	LocationName    string     `json:"locationName"`
	// NextChangeOn is the start of the next scheduled change, if any.
	NextChangeOn civil.Date `json:"nextChangeOn"`
}

// Detail is one employee as the record page shows it.
type Detail struct {
	ID                ids.ID         `json:"id"`
	EmployeeNo        string         `json:"employeeNo"`
	Profile           ProfileView    `json:"profile"`
	Job               JobView        `json:"job"`
	Period            int            `json:"period"`
	Custom            map[string]any `json:"custom"`
	OpenEndedEligible bool           `json:"openEndedEligible"`
	Version           int            `json:"version"`
}

// HistoryEntry is one row of the job timeline.
type HistoryEntry struct {
	JobView
	ID   ids.ID `json:"id"`
	Note string `json:"note"`
	// When is past, current or future (scheduled) relative to today.
	When string `json:"when" enum:"past,current,future"`
	// Cancellable rows are scheduled changes that may be withdrawn.
	Cancellable bool `json:"cancellable"`
}

// ListItem is a roster row.
type ListItem struct {
	ID              ids.ID         `json:"id"`
	EmployeeNo      string         `json:"employeeNo"`
	Name            string         `json:"name"`
	EnglishName     string         `json:"englishName,omitempty"`
	Gender          string         `json:"gender"`
	DepartmentID    ids.ID         `json:"departmentId"`
	DepartmentName  string         `json:"departmentName"`
	PositionID      ids.ID         `json:"positionId,omitempty"`
	PositionName    string         `json:"positionName"`
	GradeID         ids.ID         `json:"gradeId,omitempty"`
	GradeName       string         `json:"gradeName"`
	ManagerID       ids.ID         `json:"managerId,omitempty"`
	ManagerName     string         `json:"managerName"`
	LegalEntityID   ids.ID         `json:"legalEntityId,omitempty"`
	LegalEntityName string         `json:"legalEntityName"`
	Status          string         `json:"status"`
	EmploymentType  string         `json:"employmentType"`
	HireDate        civil.Date     `json:"hireDate"`
	LeaveDate       civil.Date     `json:"leaveDate"`
	Mobile          string         `json:"mobile"`
	Email           string         `json:"email"`
	LocationID      ids.ID         `json:"locationId,omitempty"`
	LocationName    string         `json:"locationName"`
	Custom          map[string]any `json:"custom"`
}

// Page is a page of roster rows. TotalCapped says Total stopped counting
// at the cap (a broad search: "500+").
type Page struct {
	Items       []ListItem `json:"items"`
	Total       int        `json:"total"`
	TotalCapped bool       `json:"totalCapped"`
	Page        int        `json:"page"`
	PageSize    int        `json:"pageSize"`
}

// SensitiveData is a record's unmasked personal data.
type SensitiveData struct {
	IDNumber    string `json:"idNumber"`
	BankAccount string `json:"bankAccount"`
}

func profileView(e *Employee) ProfileView {
	return ProfileView{
		EmployeeNo: e.EmployeeNo, Name: e.Name, EnglishName: e.EnglishName, Gender: e.Gender, BirthDate: e.BirthDate,
		IDType: e.IDType, IDNumber: crypto.MaskIDNumber(e.IDNumber), Nationality: e.Nationality, Ethnicity: e.Ethnicity,
		MaritalStatus: e.MaritalStatus, HukouType: e.HukouType, HukouPlace: e.HukouPlace, Education: e.Education,
		Mobile: e.Mobile, Email: e.Email, Address: e.Address, EmergencyContacts: e.EmergencyContacts,
		BankName: e.BankName, BankAccount: MaskBankAccount(e.BankAccount), PhotoFileID: e.PhotoFileID,
		FirstWorkDate: e.FirstWorkDate,
	}
}

// describer names the references of jobs (departments by their state on
// the job's day; catalogue entries by their current names).
type describer struct {
	s       *Service
	today   civil.Date
	manager map[ids.ID]string
}

func (s *Service) describer(_ civil.Date, today civil.Date) *describer {
	return &describer{s: s, today: today, manager: map[ids.ID]string{}}
}

// managers loads the names of the given employees.
func (d *describer) managers(ctx context.Context, idList []ids.ID) error {
	var need []ids.ID
	for _, id := range idList {
		if _, ok := d.manager[id]; !ok && id != 0 {
			need = append(need, id)
		}
	}
	if len(need) == 0 {
		return nil
	}
	m, err := d.s.EmployeeNames(ctx, need)
	for k, v := range m {
		d.manager[k] = v
	}
	return err
}

func (d *describer) department(ctx context.Context, id ids.ID, day civil.Date) (string, []string) {
	if id == 0 {
		return "", []string{}
	}
	depts, err := d.s.names.departments(ctx, day, d.today)
	if err != nil {
		return "", []string{}
	}
	x, ok := depts[id]
	if !ok {
		return "", []string{}
	}
	path := x.PathNames
	if path == nil {
		path = []string{x.Name}
	}
	return x.Name, path
}

// job names a job's references on day.
func (d *describer) job(ctx context.Context, j Job, day civil.Date) JobView {
	v := JobView{Job: j}
	v.DepartmentName, v.DepartmentPath = d.department(ctx, j.DepartmentID, day)
	n := d.s.names
	v.LegalEntityName = n.name(ctx, kindLegalEntity, j.LegalEntityID)
	v.PositionName = n.name(ctx, kindPosition, j.PositionID)
	v.GradeName = n.name(ctx, kindGrade, j.GradeID)
	v.LocationName = n.name(ctx, kindLocation, j.LocationID)
	v.ManagerName = d.manager[j.ManagerID]
	return v
}
