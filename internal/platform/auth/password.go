package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id cost. OWASP's password storage guidance lists m=19 MiB, t=2,
// p=1 as a baseline for argon2id; it costs about 25-40 ms a hash on one
// core of a current server, well inside the 300 ms login budget, while
// making offline guessing expensive. Memory is what GPUs lack, so we keep
// the 19 MiB and bound concurrent hashes (hashSlots) so a login flood
// cannot exhaust RAM: 2×cores × 19 MiB at most.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

var hashSlots = make(chan struct{}, 2*runtime.NumCPU())

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(pw string) string {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err)
	}
	key := argonKey(pw, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether pw matches hash, and whether the hash
// uses old parameters and should be replaced.
func CheckPassword(hash, pw string) (ok, rehash bool) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, false
	}
	got := argonKey(pw, salt, t, m, p, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, ok && (m != argonMemory || t != argonTime || p != argonThreads)
}

func argonKey(pw string, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(pw), salt, t, m, p, n)
}

// dummyHash is checked against when a login names no user, so the
// response takes as long as for a real user and does not reveal which
// logins exist.
var dummyHash = HashPassword("renshi-dummy-password")

// GeneratePassword returns a random password that satisfies the policy:
// 16 characters from an alphabet without look-alikes, with every class.
func GeneratePassword() string {
	const (
		lower  = "abcdefghijkmnpqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
		marks  = "!@#%*-_=+"
	)
	sets := []string{lower, upper, digits, marks}
	all := lower + upper + digits + marks
	b := make([]byte, 16)
	r := make([]byte, 16)
	if _, err := rand.Read(r); err != nil {
		panic(err)
	}
	for i := range b {
		set := all
		if i < len(sets) {
			set = sets[i]
		}
		b[i] = set[int(r[i])%len(set)]
	}
	// Shuffle so the classes are not always in front.
	for i := len(b) - 1; i > 0; i-- {
		var x [1]byte
		_, _ = rand.Read(x[:])
		j := int(x[0]) % (i + 1)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
