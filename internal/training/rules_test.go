package training

import (
	"testing"
	"time"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

func TestGradeByKind(t *testing.T) {
	cases := []struct {
		q      Question
		answer []string
		points int
		graded bool
	}{
		{Question{Kind: Single, Answer: []string{"1"}, Points: 5}, []string{"1"}, 5, true},
		{Question{Kind: Single, Answer: []string{"1"}, Points: 5}, []string{"0"}, 0, true},
		{Question{Kind: Multiple, Answer: []string{"0", "2"}, Points: 2}, []string{"2", "0"}, 2, true},
		{Question{Kind: Multiple, Answer: []string{"0", "2"}, Points: 2}, []string{"0"}, 0, true},           // partly right is wrong
		{Question{Kind: Multiple, Answer: []string{"0", "2"}, Points: 2}, []string{"0", "1", "2"}, 0, true}, // a wrong option too
		{Question{Kind: Multiple, Answer: []string{"0", "2"}, Points: 2}, []string{"0", "0", "2"}, 2, true}, // repeats ignored
		{Question{Kind: TrueFalse, Answer: []string{"false"}, Points: 1}, []string{"false"}, 1, true},
		{Question{Kind: Fill, Answer: []string{"客户第一", "customer first"}, Points: 3}, []string{" Customer  First "}, 3, true},
		{Question{Kind: Fill, Answer: []string{"ＡＢＣ"}, Points: 3}, []string{"abc"}, 3, true}, // full width folds
		{Question{Kind: Fill, Answer: []string{"abc"}, Points: 3}, []string{""}, 0, true},
		{Question{Kind: Fill, Answer: []string{"abc"}, Points: 3}, nil, 0, true},
		{Question{Kind: Short, Points: 10}, []string{"an essay"}, 0, false}, // for a reviewer
	}
	for i, c := range cases {
		got, graded := grade(&c.q, c.answer)
		if got != c.points || graded != c.graded {
			t.Errorf("case %d (%s %v): %d %v, want %d %v", i, c.q.Kind, c.answer, got, graded, c.points, c.graded)
		}
	}
}

func TestScoreAttemptLateNeverPasses(t *testing.T) {
	qs := []Question{{ID: 1, Kind: Single, Answer: []string{"0"}, Points: 1}, {ID: 2, Kind: Single, Answer: []string{"0"}, Points: 1}}
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a := &Attempt{PassMark: 80, DeadlineAt: now.Add(-2 * time.Minute), QuestionIDs: []ids.ID{1, 2}}
	scoreAttempt(a, qs, map[string][]string{"1": {"0"}, "2": {"0"}}, now)
	if a.Score != 100 || a.Passed || !a.Late || a.State != AttemptGraded {
		t.Fatalf("late attempt: %+v", a)
	}
	b := &Attempt{PassMark: 80, DeadlineAt: now.Add(-30 * time.Second)} // within the grace
	scoreAttempt(b, qs, map[string][]string{"1": {"0"}, "2": {"1"}}, now)
	if b.Score != 50 || b.Passed || b.Late {
		t.Fatalf("in-grace attempt: %+v", b)
	}
}

func TestNamedMaterial(t *testing.T) {
	for title, want := range map[string]string{"提供《项目实战案例》": "项目实战案例", "提供资料": "", "《 A 》": "A", "》反《": ""} {
		if got := namedMaterial(title); got != want {
			t.Errorf("%q: %q, want %q", title, got, want)
		}
	}
}

func TestDutyStateOnADay(t *testing.T) {
	day := civil.MustParse("2026-03-08")
	open := Duty{State: DutyOpen, DueDate: civil.MustParse("2026-03-03")}
	dutyState(&open, day, time.UTC)
	if open.State != DutyOverdue || open.DaysLate != 5 {
		t.Errorf("open past due: %s %d", open.State, open.DaysLate)
	}
	done := Duty{State: DutyDone, DueDate: civil.MustParse("2026-03-03"), DoneAt: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)}
	dutyState(&done, day, time.UTC)
	if done.State != DutyDone || done.DaysLate != 2 {
		t.Errorf("done late: %s %d", done.State, done.DaysLate)
	}
	// HR has not reviewed progress for 14 days (every 7).
	track := Duty{State: DutyOpen, EveryDays: 7, CreatedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), LastDoneAt: time.Date(2026, 2, 22, 9, 0, 0, 0, time.UTC)}
	dutyState(&track, day, time.UTC)
	if track.State != DutyOverdue || track.SinceDays != 14 || track.DaysLate != 7 {
		t.Errorf("recurring: %s since %d late %d", track.State, track.SinceDays, track.DaysLate)
	}
}

func TestWeeklyOccurrences(t *testing.T) {
	w := Weekly{Weekday: 2, Start: "14:00", End: "16:00", From: civil.MustParse("2026-03-01"), Weeks: 4} // from a Sunday
	got := w.Occurrences()
	want := []string{"2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
}

func TestModuleDone(t *testing.T) {
	p := Progress{MaterialsTotal: 3, MaterialsDone: 3, TestState: TestPassed, HomeworkState: HomeworkSubmitted}
	if !p.Done() {
		t.Error("all done")
	}
	p.TestState = TestFailed
	if p.Done() {
		t.Error("failed test")
	}
	p = Progress{MaterialsTotal: 3, MaterialsDone: 2}
	if p.Done() {
		t.Error("material left")
	}
}
