package auth

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/platform/errs"
)

func TestPasswordHashing(t *testing.T) {
	h := HashPassword("Correct-Horse-9")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if ok, rehash := CheckPassword(h, "Correct-Horse-9"); !ok || rehash {
		t.Fatal("right password refused")
	}
	if ok, _ := CheckPassword(h, "correct-horse-9"); ok {
		t.Fatal("wrong password accepted")
	}
	if h2 := HashPassword("Correct-Horse-9"); h2 == h {
		t.Fatal("salt not random")
	}
	// A hash made with older, cheaper parameters still verifies and asks
	// to be rehashed.
	old := strings.Replace(h, "m=19456,t=2", "m=8192,t=1", 1)
	parts := strings.Split(old, "$")
	parts[5] = strings.Split(hashWith("Correct-Horse-9", parts[4], 1, 8192), "$")[5]
	if ok, rehash := CheckPassword(strings.Join(parts, "$"), "Correct-Horse-9"); !ok || !rehash {
		t.Fatalf("old parameters: ok=%v rehash=%v", ok, rehash)
	}
	for _, bad := range []string{"", "$argon2id$", "plain", "$argon2id$v=19$m=x$salt$hash"} {
		if ok, _ := CheckPassword(bad, "x"); ok {
			t.Fatalf("garbage hash %q accepted", bad)
		}
	}
}

func TestGeneratedPasswordsPassThePolicy(t *testing.T) {
	for i := 0; i < 200; i++ {
		pw := GeneratePassword()
		if err := CheckPasswordPolicy("password", pw, "someone", 16); err != nil {
			t.Fatalf("%q: %v", pw, err)
		}
	}
}

func TestPolicy(t *testing.T) {
	cases := map[string]string{
		"Sh0rt!":           "too_short",
		"abcdefghijkl":     "auth.password_classes",
		"1234567890123":    "auth.password_classes",
		"Password123":      "auth.password_common",
		"my-alice-pass-1":  "auth.password_contains_login",
		"Fine-Passw0rd-ok": "",
		"中文密码也可以用1234":     "",
	}
	for pw, want := range cases {
		err := CheckPasswordPolicy("newPassword", pw, "alice", 10)
		var e *errs.Error
		got := ""
		if err != nil {
			e = err.(*errs.Error)
			got = e.Fields[0].Code
		}
		if got != want {
			t.Errorf("%q: got %q want %q", pw, got, want)
		}
	}
}

// RFC 6238 appendix B test vectors (SHA-1, seed "12345678901234567890"),
// last six digits.
func TestTOTPVectors(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	vectors := map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037"}
	for unix, want := range vectors {
		if got := TOTPCode(secret, TOTPStep(time.Unix(unix, 0))); got != want {
			t.Errorf("t=%d: %s want %s", unix, got, want)
		}
	}
	now := time.Unix(1111111111, 0)
	code := TOTPCode(secret, TOTPStep(now))
	step, ok := CheckTOTP(secret, code, now, 0)
	if !ok {
		t.Fatal("current code refused")
	}
	if _, ok := CheckTOTP(secret, code, now, step); ok {
		t.Fatal("replayed code accepted")
	}
	if _, ok := CheckTOTP(secret, TOTPCode(secret, TOTPStep(now)-3), now, 0); ok {
		t.Fatal("stale code accepted")
	}
}

func TestCredentialParsing(t *testing.T) {
	secret := newSecret()
	if tn, s, ok := parseSessionCookie(sessionCookieValue(42, secret)); !ok || tn != 42 || s != secret {
		t.Fatal("cookie round trip")
	}
	tok := tokenValue(7, 99, secret)
	if tn, id, s, ok := parseToken(tok); !ok || tn != 7 || id != 99 || s != secret {
		t.Fatal("token round trip")
	}
	for _, bad := range []string{"", "x.y", "rs_1_2_short", "rs_a_b_" + secret, "7." + secret + "x"} {
		if _, _, ok := parseSessionCookie(bad); ok && bad != "" {
			t.Errorf("cookie %q accepted", bad)
		}
		if _, _, _, ok := parseToken(bad); ok {
			t.Errorf("token %q accepted", bad)
		}
	}
}

func TestLockoutBackoff(t *testing.T) {
	want := map[int]time.Duration{4: 0, 5: time.Minute, 6: 2 * time.Minute, 8: 8 * time.Minute, 20: time.Hour}
	for n, d := range want {
		if got := lockFor(n); got != d {
			t.Errorf("lockFor(%d) = %v, want %v", n, got, d)
		}
	}
}

func hashWith(pw, saltB64 string, t, m uint32) string {
	salt, _ := b64.DecodeString(saltB64)
	return "$argon2id$v=19$m=0,t=0,p=1$" + saltB64 + "$" + b64.EncodeToString(argonKey(pw, salt, t, m, 1, 32))
}

var b64 = base64.RawStdEncoding
