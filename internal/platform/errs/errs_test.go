package errs

import (
	"fmt"
	"testing"
)

func TestFieldsCollectAndClassify(t *testing.T) {
	var f Fields
	if f.Err() != nil {
		t.Fatal("empty Fields must be nil error")
	}
	f.Check(false, "login", "required")
	f.Check(true, "email", "invalid_email")
	f.Add("password", "too_short", Params{"min": 10})
	err := fmt.Errorf("wrapped: %w", f.Err())
	if KindOf(err) != Invalid || !Is(err, Invalid, "invalid") {
		t.Fatalf("kind = %v", KindOf(err))
	}
	if !f.Has("login") || f.Has("email") {
		t.Fatal("Has is wrong")
	}
	if KindOf(fmt.Errorf("plain")) != Internal {
		t.Fatal("plain errors are internal")
	}
	if Denied("platform.user.read").Params["permission"] != "platform.user.read" {
		t.Fatal("Denied must name the permission")
	}
}
