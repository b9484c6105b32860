package employee

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The import targets read whatever people typed: no cell may panic them,
// and cleaning a cell twice changes nothing more.
func FuzzImportCells(f *testing.F) {
	for _, s := range []string{"", " 张三  ", "ＲＳ２００２", "3个月", "十二个月", "技术部 > 后端组", "a/ /b", "\u200b", "\u3000x\u3000",
		"2024年1月5日", "go、SQL", "Male", "男", "-", "１３８１２３４５００２", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := cellText(s)
		if cellText(c) != c {
			t.Fatalf("cellText not idempotent: %q -> %q -> %q", s, c, cellText(c))
		}
		if utf8.ValidString(s) && (strings.HasPrefix(c, " ") || strings.HasSuffix(c, " ") || strings.Contains(c, "  ")) {
			t.Fatalf("cellText left spaces: %q", c)
		}
		if n, ok := parseCount(s); ok && n < 0 {
			t.Fatalf("negative count %d from %q", n, s)
		}
		for _, p := range splitPath(s) {
			if p == "" {
				t.Fatalf("empty path part from %q", s)
			}
		}
		_ = matchKey(s)
		for _, e := range enums() {
			e.match(s)
		}
		fd := Field{Type: FieldMultiSelect, Options: []string{"Go", "SQL"}}
		customValue(fd, s)
		_ = composeName(s, s, "")
		_ = composeAddress(s, "", s, "", "", "")
		if _, code := parseDate(s); code == "" {
			d, _ := parseDate(s)
			if !d.Valid() {
				t.Fatalf("invalid date accepted from %q", s)
			}
		}
	})
}
