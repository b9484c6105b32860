package employee

import (
	"context"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// ChartNode is a department of the org chart with its head and
// headcount (own, and including every department below).
type ChartNode struct {
	ID             ids.ID       `json:"id"`
	Code           string       `json:"code"`
	Name           string       `json:"name"`
	ParentID       ids.ID       `json:"parentId,omitempty"`
	HeadEmployeeID ids.ID       `json:"headEmployeeId,omitempty"`
	HeadName       string       `json:"headName,omitempty"`
	Active         bool         `json:"active"`
	Headcount      int          `json:"headcount"`
	HeadcountTotal int          `json:"headcountTotal"`
	Children       []*ChartNode `json:"children"`
}

// OrgChart returns the department tree on day (default today) with heads
// and headcounts; rooted at root when given. Everyone who may read the
// organisation may see it (it names heads, not members).
func (s *Service) OrgChart(ctx context.Context, on civil.Date, root ids.ID, activeOnly bool) ([]*ChartNode, error) {
	if _, _, err := rbac.Require(ctx, org.PermRead); err != nil {
		return nil, err
	}
	if s.org == nil {
		return []*ChartNode{}, nil
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	day := s.orToday(ctx, on)
	all, err := s.org.Tree(orgCtx(ctx), day)
	if err != nil {
		return nil, err
	}
	nodes := make(map[ids.ID]*ChartNode, len(all))
	var deptIDs, heads []ids.ID
	for _, d := range all {
		if activeOnly && !d.Active {
			continue
		}
		nodes[d.ID] = &ChartNode{ID: d.ID, Code: d.Code, Name: d.Name, ParentID: d.ParentID, HeadEmployeeID: d.HeadEmployeeID,
			Active: d.Active, Children: []*ChartNode{}}
		deptIDs = append(deptIDs, d.ID)
		if d.HeadEmployeeID != 0 {
			heads = append(heads, d.HeadEmployeeID)
		}
	}
	counts, err := s.Staffed(ctx, deptIDs, day)
	if err != nil {
		return nil, err
	}
	names, err := s.EmployeeNames(ctx, heads)
	if err != nil {
		return nil, err
	}
	roots := []*ChartNode{}
	for _, d := range all { // parents come before children
		n := nodes[d.ID]
		if n == nil {
			continue
		}
		n.Headcount, n.HeadcountTotal, n.HeadName = counts[d.ID], counts[d.ID], names[d.HeadEmployeeID]
		if p := nodes[d.ParentID]; p != nil && d.ParentID != d.ID {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	var total func(n *ChartNode) int
	total = func(n *ChartNode) int {
		for _, c := range n.Children {
			n.HeadcountTotal += total(c)
		}
		return n.HeadcountTotal
	}
	for _, r := range roots {
		total(r)
	}
	if root != 0 {
		n := nodes[root]
		if n == nil {
			return nil, errs.NotFoundf("object.department")
		}
		return []*ChartNode{n}, nil
	}
	return roots, nil
}
