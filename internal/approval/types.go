package approval

import (
	"context"
	"slices"
	"sort"

	"github.com/renshi/renshi/internal/platform/ids"
)

// RequestType is what a module registers for each kind of request it
// sends through approval. Every callback runs inside the engine's
// transaction, so the module's effect commits (or rolls back) together
// with the approval.
type RequestType interface {
	// Info describes the type; it is read once at registration.
	Info() TypeInfo
	// Validate checks and normalises a submission or a resubmission
	// before it is stored: it may rewrite in.Fields (keep only a masked
	// copy of a secret it seals in its own table), set in.Title, in.ObjectID
	// and in.SubjectEmployeeID. The caller is the applicant.
	Validate(ctx context.Context, in *Instance) error
	// OnApproved applies the request: the last approver is the caller.
	OnApproved(ctx context.Context, in *Instance) error
	// OnRejected is told the request was rejected (returned to the
	// applicant) or withdrawn: in.State says which.
	OnRejected(ctx context.Context, in *Instance) error
}

// TypeInfo describes a request type.
type TypeInfo struct {
	Code  string // module.name, e.g. "employee.bank_account"
	Label string // message key of the type's name
	// Fields are what conditions may test (and forms show).
	Fields []FieldSpec
	// SubjectField names the field holding the employee the request is
	// about; empty means the applicant's own record.
	SubjectField string
	// DefaultFlow is seeded for a tenant that has not saved one.
	DefaultFlow Definition
}

// Field kinds.
const (
	KindNumber     = "number"
	KindDate       = "date"
	KindString     = "string"
	KindDepartment = "department"
	KindEmployee   = "employee"
)

// FieldSpec is one field of a request.
type FieldSpec struct {
	Name  string `json:"name"`
	Kind  string `json:"kind" doc:"number, date, string, department or employee"`
	Label string `json:"label" doc:"message key"`
}

// SubjectDepartmentField is a field every request has: the department of
// the employee the request is about, when it was submitted.
const SubjectDepartmentField = "subjectDepartmentId"

var builtinFields = []FieldSpec{{Name: SubjectDepartmentField, Kind: KindDepartment, Label: "field.subjectDepartmentId"}}

// Type is a registered request type as clients see it.
type Type struct {
	Code   string      `json:"code"`
	Label  string      `json:"label" doc:"message key of the name"`
	Fields []FieldSpec `json:"fields"`
}

type registered struct {
	info TypeInfo
	rt   RequestType
}

// Register adds a request type. Modules call it while the app is wired,
// before serving.
func (s *Service) Register(rt RequestType) {
	info := rt.Info()
	if info.Code == "" {
		panic("approval: request type without a code")
	}
	s.typesMu.Lock()
	defer s.typesMu.Unlock()
	if _, dup := s.types[info.Code]; dup {
		panic("approval: request type registered twice: " + info.Code)
	}
	s.types[info.Code] = &registered{info: info, rt: rt}
}

func (s *Service) typeOf(code string) (*registered, bool) {
	s.typesMu.RLock()
	defer s.typesMu.RUnlock()
	r, ok := s.types[code]
	return r, ok
}

// Types lists the registered request types, by code.
func (s *Service) Types() []Type {
	s.typesMu.RLock()
	defer s.typesMu.RUnlock()
	out := make([]Type, 0, len(s.types))
	for _, r := range s.types {
		out = append(out, Type{Code: r.info.Code, Label: r.info.Label, Fields: fieldsOf(r.info)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// fieldsOf lists a type's fields with the built-in ones.
func fieldsOf(info TypeInfo) []FieldSpec {
	return append(slices.Clone(info.Fields), builtinFields...)
}

func fieldSpec(info TypeInfo, name string) (FieldSpec, bool) {
	for _, f := range fieldsOf(info) {
		if f.Name == name {
			return f, true
		}
	}
	return FieldSpec{}, false
}

// Users is a shorthand for an Approver naming accounts.
func Users(list ...ids.ID) Approver { return Approver{Kind: ApproverUsers, UserIDs: list} }

// Role is a shorthand for an Approver naming a role's holders.
func Role(code string) Approver { return Approver{Kind: ApproverRole, Role: code} }

// Manager is a shorthand for the subject's manager at a level (1: direct).
func Manager(level int) Approver { return Approver{Kind: ApproverManager, Level: level} }

// DepartmentHead is a shorthand for the head of the subject's department
// (level 0) or of one above; field, when set, names a department field.
func DepartmentHead(level int, field string) Approver {
	return Approver{Kind: ApproverDepartmentHead, Level: level, Field: field}
}

// NopCallbacks can be embedded by request types that need no callbacks.
type NopCallbacks struct{}

func (NopCallbacks) Validate(context.Context, *Instance) error   { return nil }
func (NopCallbacks) OnApproved(context.Context, *Instance) error { return nil }
func (NopCallbacks) OnRejected(context.Context, *Instance) error { return nil }
