package sheet

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/renshi/renshi/internal/platform/errs"
)

// Header finds the header row among the first 30 non-empty rows: the row
// whose cells match most aliases (each cell is passed through Normalise
// first); with no match at all, the first non-empty row. Title rows above
// it are skipped. In an xlsx, a merged range's value fills every cell it
// covers, and a cell under a horizontally merged parent ("合同" over
// "开始" and "结束") is also tried as parent+cell ("合同开始"); the
// returned text is the one that matched. Rows still covered by a merge that
// includes the header row belong to the header and are skipped. Header
// leaves the reader on the header: Row and Line give it, Next moves to the
// first data row. Call it before Next.
func (r *Reader) Header(aliases func(normalised string) bool) ([]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.src == nil {
		return nil, errs.E(errs.Invalid, "sheet.empty")
	}
	if aliases == nil {
		aliases = func(string) bool { return false }
	}
	r.started = true
	var buf []bufRow
	for _, p := range r.pending {
		if !isEmpty(p.cells) {
			buf = append(buf, p)
		}
	}
	r.pending = nil
	for len(buf) < headerScan {
		cells, line, ok := r.src.next()
		if !ok {
			if err := r.src.err(); err != nil {
				r.err = err
				return nil, err
			}
			break
		}
		if err := r.checkCells(cells, line); err != nil {
			r.err = err
			return nil, err
		}
		if !isEmpty(cells) {
			buf = append(buf, bufRow{cells: slices.Clone(cells), line: line})
		}
	}
	if len(buf) == 0 {
		return nil, errs.E(errs.Invalid, "sheet.empty")
	}
	var merges []mergeRange
	if xs, ok := r.src.(*xlsxSource); ok {
		merges = xs.merges
	}
	spanned := fillMerges(buf, merges)

	best, bestScore := 0, 0
	var bestTexts []string
	for k, row := range buf {
		texts := slices.Clone(row.cells)
		score := 0
		for c, t := range texts {
			if t == "" {
				continue
			}
			if aliases(Normalise(t)) {
				score++
				continue
			}
			if k > 0 && buf[k-1].line == row.line-1 && spanned[[2]int{buf[k-1].line, c}] {
				if joined := buf[k-1].cells[c] + t; aliases(Normalise(joined)) {
					texts[c] = joined
					score++
				}
			}
		}
		if score > bestScore {
			best, bestScore, bestTexts = k, score, texts
		}
	}
	if bestTexts == nil {
		bestTexts = buf[0].cells
	}
	h := buf[best]
	r.header, r.row, r.line, r.started = h.line, bestTexts, h.line, true
	r.pending = buf[best+1:]
	r.data = 0
	for _, m := range merges {
		if m.top <= h.line && h.line <= m.bottom {
			r.skipTo = max(r.skipTo, m.bottom)
		}
	}
	return bestTexts, nil
}

// fillMerges copies each merged range's top-left value into the cells it
// covers among the buffered rows, and returns the cells covered by a
// range more than one column wide.
func fillMerges(buf []bufRow, merges []mergeRange) map[[2]int]bool {
	spanned := map[[2]int]bool{}
	if len(merges) == 0 {
		return spanned
	}
	byLine := map[int]int{}
	for i, row := range buf {
		byLine[row.line] = i
	}
	last := buf[len(buf)-1].line
	for _, m := range merges {
		if m.top > last || m.right-m.left > 16383 {
			continue
		}
		top, ok := byLine[m.top]
		if !ok || m.left >= len(buf[top].cells) {
			continue
		}
		v := buf[top].cells[m.left]
		for line := m.top; line <= min(m.bottom, last); line++ {
			i, ok := byLine[line]
			if !ok {
				continue
			}
			for c := m.left; c <= m.right; c++ {
				if m.right > m.left {
					spanned[[2]int{line, c}] = true
				}
				for len(buf[i].cells) <= c {
					buf[i].cells = append(buf[i].cells, "")
				}
				if buf[i].cells[c] == "" {
					buf[i].cells[c] = v
				}
			}
		}
	}
	return spanned
}

// Normalise makes header texts comparable: NFKC (full-width letters and
// brackets become ASCII), lower case, without spaces, underscores,
// asterisks, zero-width characters, and without a trailing required/
// optional mark or colon: "　工号（必填）*" → "工号".
func Normalise(header string) string {
	s := strings.ToLower(norm.NFKC.String(header))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '*' || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	for changed := true; changed; {
		changed = false
		for _, suf := range []string{"(必填)", "(选填)", "(可选)", "(required)", "(optional)", "【必填】", "【选填】", "[必填]", "[选填]", ":"} {
			if t := strings.TrimSuffix(s, suf); t != s && t != "" {
				s, changed = t, true
			}
		}
	}
	return s
}
