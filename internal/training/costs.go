package training

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// ObjectCost is the audit object type of program costs.
const ObjectCost = "training_cost"

// Cost categories.
const (
	CostInstructor = "instructor"
	CostVenue      = "venue"
	CostMaterials  = "materials"
	CostTravel     = "travel"
	CostOther      = "other"
)

// CostCategories lists the categories.
var CostCategories = []string{CostInstructor, CostVenue, CostMaterials, CostTravel, CostOther}

// MaxCostFen bounds one cost line: 1,000,000,000.00 yuan. Sums of any
// realistic number of lines stay far inside int64.
const MaxCostFen int64 = 100_000_000_000

// Cost is one expense of a program, in fen.
type Cost struct {
	bun.BaseModel `bun:"table:training_costs,alias:co"`

	TenantID  ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID        ids.ID     `bun:"id,pk" json:"id"`
	ProgramID ids.ID     `bun:"program_id" json:"programId"`
	Category  string     `bun:"category" json:"category" enum:"instructor,venue,materials,travel,other"`
	AmountFen int64      `bun:"amount_fen" json:"amountFen" doc:"fen (0.01 yuan)"`
	Date      civil.Date `bun:"incurred_on" json:"date"`
	Vendor    string     `bun:"vendor" json:"vendor"`
	Note      string     `bun:"note" json:"note"`
	CreatedBy ids.ID     `bun:"created_by" json:"createdBy"`
	CreatedAt time.Time  `bun:"created_at" json:"createdAt" audit:"-"`

	// Views.
	ProgramTitle string `bun:"program_title,scanonly" json:"programTitle"`
	Amount       string `bun:"-" json:"amount" doc:"yuan with two decimals, e.g. \"1234.50\""`
}

// CostInput records a cost.
type CostInput struct {
	Category  string     `json:"category" enum:"instructor,venue,materials,travel,other"`
	AmountFen int64      `json:"amountFen" doc:"fen (0.01 yuan), more than 0"`
	Date      civil.Date `json:"date" doc:"the day it was incurred"`
	Vendor    string     `json:"vendor,omitempty" required:"false" maxLength:"100"`
	Note      string     `json:"note,omitempty" required:"false" maxLength:"500"`
}

// CostFilter narrows costs: of a program, a category, incurred in [From, To].
type CostFilter struct {
	ProgramID  ids.ID
	Category   string
	From, To   civil.Date
	Page, Size int
}

// Yuan writes fen as yuan with two decimals, exactly ("-0.05", "1234.50").
func Yuan(fen int64) string {
	sign, u := "", uint64(fen)
	if fen < 0 {
		sign, u = "-", uint64(-(fen+1))+1 // also right for the smallest int64
	}
	cents := u % 100
	s := strconv.FormatUint(u/100, 10) + "."
	if cents < 10 {
		s += "0"
	}
	return sign + s + strconv.FormatUint(cents, 10)
}

func costView(list ...*Cost) {
	for _, c := range list {
		c.Amount = Yuan(c.AmountFen)
	}
}

func (in *CostInput) check() error {
	var f errs.Fields
	f.Check(slices.Contains(CostCategories, in.Category), "category", "training.cost_category")
	f.Check(in.AmountFen > 0 && in.AmountFen <= MaxCostFen, "amountFen", "training.amount_range", errs.Params{"max": Yuan(MaxCostFen)})
	f.Check(in.Date.Valid(), "date", "required")
	validate.Prose(&f, "vendor", &in.Vendor, 100, false)
	validate.Prose(&f, "note", &in.Note, 500, false)
	return f.Err()
}

// AddCost records an expense of a program.
func (s *Service) AddCost(ctx context.Context, programID ids.ID, in CostInput) (*Cost, error) {
	p, _, err := rbac.Require(ctx, PermCostManage)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *Cost
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		pr, err := s.store.Program(ctx, programID)
		if err != nil {
			return err
		}
		c := &Cost{TenantID: p.TenantID, ID: ids.New(), ProgramID: pr.ID, Category: in.Category, AmountFen: in.AmountFen, Date: in.Date,
			Vendor: in.Vendor, Note: in.Note, CreatedBy: p.UserID, CreatedAt: s.nowUTC(), ProgramTitle: pr.Title}
		costView(c)
		if err := s.store.InsertCost(ctx, c); err != nil {
			return err
		}
		out = c
		return s.record(ctx, "create", ObjectCost, c.ID, c)
	})
	return out, err
}

// DeleteCost removes a cost line (the audit log keeps what it was).
func (s *Service) DeleteCost(ctx context.Context, id ids.ID) error {
	if _, _, err := rbac.Require(ctx, PermCostManage); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Cost(ctx, id)
		if err != nil {
			return err
		}
		costView(c)
		if err := s.store.DeleteCost(ctx, c.ID); err != nil {
			return err
		}
		return s.record(ctx, "delete", ObjectCost, c.ID, c)
	})
}

// Costs lists costs (of one program or across programs) newest first,
// with the exact sum of every line matching the filter.
func (s *Service) Costs(ctx context.Context, f CostFilter) ([]Cost, int, int64, error) {
	if _, _, err := rbac.Require(ctx, PermCostRead); err != nil {
		return nil, 0, 0, err
	}
	if err := f.check(); err != nil {
		return nil, 0, 0, err
	}
	if f.ProgramID != 0 {
		if _, err := s.store.Program(ctx, f.ProgramID); err != nil {
			return nil, 0, 0, err
		}
	}
	list, total, err := s.store.Costs(ctx, f)
	if err != nil {
		return nil, 0, 0, err
	}
	sum, err := s.store.CostTotal(ctx, f)
	if err != nil {
		return nil, 0, 0, err
	}
	costView(ptrs(list)...)
	return list, total, sum, nil
}

func (f *CostFilter) check() error {
	var fs errs.Fields
	fs.Check(f.Category == "" || slices.Contains(CostCategories, f.Category), "category", "training.cost_category")
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		fs.Add("to", "training.end_before_start")
	}
	return fs.Err()
}

// EachCost calls fn with every cost matching the filter, newest first
// (exports).
func (s *Service) EachCost(ctx context.Context, f CostFilter, fn func(*Cost) error) error {
	if _, _, err := rbac.Require(ctx, PermCostRead); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	f.Size = 200
	for f.Page = 1; ; f.Page++ {
		list, total, err := s.store.Costs(ctx, f)
		if err != nil {
			return err
		}
		costView(ptrs(list)...)
		for i := range list {
			if err := fn(&list[i]); err != nil {
				return err
			}
		}
		if len(list) == 0 || f.Page*f.Size >= total {
			return nil
		}
	}
}
