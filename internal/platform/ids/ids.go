// Package ids generates application-side, time-ordered 63-bit identifiers.
//
// IDs are never database sequences so rows can move between databases and be
// distributed by tenant (Citus). They are serialised as JSON strings because
// JavaScript numbers lose precision above 2^53.
package ids

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// ID is a time-ordered identifier: 41 bits of milliseconds since 2024-01-01,
// 10 bits of process node and 12 bits of per-millisecond sequence.
type ID int64

// epoch is 2024-01-01T00:00:00Z in milliseconds; 41 bits last until 2093.
const epoch = 1704067200000

const (
	nodeBits = 10
	seqBits  = 12
	maxSeq   = 1<<seqBits - 1
)

var gen = newGenerator()

type generator struct {
	mu     sync.Mutex
	node   int64
	lastMS int64
	seq    int64
}

func newGenerator() *generator {
	var b [2]byte
	_, _ = rand.Read(b[:])
	// A random node keeps two processes (or two servers on one PostgreSQL)
	// from minting the same ID in the same millisecond.
	return &generator{node: int64(binary.BigEndian.Uint16(b[:])) & (1<<nodeBits - 1)}
}

// New returns a fresh ID, unique within this process and ordered by time.
func New() ID { return gen.next() }

func (g *generator) next() ID {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := time.Now().UnixMilli() - epoch
	if ms < g.lastMS { // clock stepped back: stay monotonic
		ms = g.lastMS
	}
	if ms == g.lastMS {
		g.seq++
		if g.seq > maxSeq {
			ms++ // borrow the next millisecond rather than sleep
			g.seq = 0
		}
	} else {
		g.seq = 0
	}
	g.lastMS = ms
	return ID(ms<<(nodeBits+seqBits) | g.node<<seqBits | g.seq)
}

// Time is the moment the ID was minted (millisecond precision).
func (id ID) Time() time.Time {
	return time.UnixMilli(int64(id)>>(nodeBits+seqBits) + epoch).UTC()
}

func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// IsZero reports whether the ID is unset.
func (id ID) IsZero() bool { return id == 0 }

// Parse reads a decimal ID.
func Parse(s string) (ID, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid id %q", s)
	}
	return ID(n), nil
}

// MarshalJSON writes the ID as a JSON string.
func (id ID) MarshalJSON() ([]byte, error) {
	if id == 0 {
		return []byte(`"0"`), nil
	}
	return []byte(`"` + id.String() + `"`), nil
}

// UnmarshalJSON accepts a JSON string or number.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*id = 0
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if s == "" || s == "0" {
		*id = 0
		return nil
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// MarshalText lets IDs be map keys and query parameters.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses a decimal ID.
func (id *ID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = 0
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// Value stores the ID as a 64-bit integer.
func (id ID) Value() (driver.Value, error) { return int64(id), nil }

// Scan reads an integer column.
func (id *ID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*id = 0
	case int64:
		*id = ID(v)
	case []byte:
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return err
		}
		*id = ID(n)
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return err
		}
		*id = ID(n)
	default:
		return fmt.Errorf("ids: cannot scan %T", src)
	}
	return nil
}
