package training

import (
	"context"

	"github.com/renshi/renshi/internal/platform/ids"
)

// SessionStore keeps classroom sessions, attendance, learners' questions
// to module owners and program costs (part of Store).
type SessionStore interface {
	// Classroom sessions. Reads carry ProgramTitle and SignedIn.
	InsertSession(ctx context.Context, x *Session) error
	UpdateSession(ctx context.Context, x *Session) error
	DeleteSession(ctx context.Context, id ids.ID) error
	Session(ctx context.Context, id ids.ID) (*Session, error)
	// LockSession reads a session for update: sign-ins to it wait for the
	// transaction (capacity is counted inside it).
	LockSession(ctx context.Context, id ids.ID) (*Session, error)
	Sessions(ctx context.Context, f SessionFilter) ([]Session, int, error) // by start
	// EmployeeSessions lists the sessions of the programs (not drafts) the
	// employee is enrolled in, by start, with MySignedAt and MyMethod.
	EmployeeSessions(ctx context.Context, employeeID ids.ID, f SessionFilter) ([]Session, int, error)

	// Attendance.
	Enrollees(ctx context.Context, programID ids.ID, employeeIDs []ids.ID) (map[ids.ID]Enrollment, error) // those enrolled
	CountAttendance(ctx context.Context, sessionID ids.ID) (int, error)
	AttendanceOf(ctx context.Context, sessionID ids.ID, employeeIDs []ids.ID) (map[ids.ID]Attendance, error)
	InsertAttendance(ctx context.Context, rows []Attendance) error            // rows already there stay as they were
	Roster(ctx context.Context, f RosterFilter) ([]AttendanceRow, int, error) // the program's learners by name

	// Learners' questions to module owners. AskedList joins ModuleTitle.
	InsertAsked(ctx context.Context, q *AskedQuestion) error
	AnswerAsked(ctx context.Context, q *AskedQuestion) error
	Asked(ctx context.Context, id ids.ID) (*AskedQuestion, error)
	AskedList(ctx context.Context, f AskedFilter) ([]AskedQuestion, int, error) // newest first

	// Program costs. Costs joins ProgramTitle; CostTotal sums the filter.
	InsertCost(ctx context.Context, c *Cost) error
	DeleteCost(ctx context.Context, id ids.ID) error
	Cost(ctx context.Context, id ids.ID) (*Cost, error)
	Costs(ctx context.Context, f CostFilter) ([]Cost, int, error) // newest first
	CostTotal(ctx context.Context, f CostFilter) (int64, error)
}
