package ids

import (
	"encoding/json"
	"testing"
	"time"
)

func TestNewIsUniqueAndOrdered(t *testing.T) {
	seen := make(map[ID]bool)
	var last ID
	for i := 0; i < 20000; i++ {
		id := New()
		if seen[id] {
			t.Fatalf("duplicate id %d", id)
		}
		if id <= last {
			t.Fatalf("id %d not greater than %d", id, last)
		}
		seen[id], last = true, id
	}
	if d := time.Since(last.Time()); d < -time.Second || d > time.Minute {
		t.Fatalf("id time %v is off by %v", last.Time(), d)
	}
}

func TestJSONRoundTripAsString(t *testing.T) {
	id := New()
	b, err := json.Marshal(struct{ ID ID }{id})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"ID":"` + id.String() + `"}`; string(b) != want {
		t.Fatalf("got %s want %s", b, want)
	}
	var back struct{ ID ID }
	if err := json.Unmarshal(b, &back); err != nil || back.ID != id {
		t.Fatalf("round trip: %v %v", back.ID, err)
	}
	if err := json.Unmarshal([]byte(`{"ID":"abc"}`), &back); err == nil {
		t.Fatal("want error for non-numeric id")
	}
}
