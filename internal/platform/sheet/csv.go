package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/renshi/renshi/internal/platform/errs"
)

// sampleSize is how much text is decoded to judge the file and its delimiter.
const sampleSize = 64 << 10

// binary formats that would otherwise pass for text in GB18030.
var binaryMagic = [][]byte{
	[]byte("%PDF"), []byte("\x89PNG"), []byte("GIF8"), {0xFF, 0xD8, 0xFF}, []byte("Rar!"),
	{0x1F, 0x8B}, []byte("7z\xBC\xAF"), []byte("{\\rtf"), []byte("BM"), []byte("PK"),
	{0x00, 0x00, 0xFE, 0xFF}, {0xFF, 0xFE, 0x00, 0x00}, []byte("%!PS"), []byte("\x7FELF"), []byte("MZ"),
}

func openText(r io.ReaderAt, size int64, head []byte, lim Limits) (*Reader, error) {
	for _, m := range binaryMagic {
		if bytes.HasPrefix(head, m) {
			if bytes.Equal(m, []byte("BM")) || bytes.Equal(m, []byte("MZ")) {
				// Two letters are a weak sign; a CSV may start with them.
				if !bytes.ContainsRune(head, 0) {
					continue
				}
			}
			return nil, errs.E(errs.Invalid, "sheet.unsupported_type")
		}
	}
	var (
		enc  encoding.Encoding
		name string
		skip int64
	)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		name, skip = "utf-8-bom", 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		name, enc = "utf-16le", xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		name, enc = "utf-16be", xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)
	default:
		if le, be := utf16Guess(head); le {
			name, enc = "utf-16le", xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)
		} else if be {
			name, enc = "utf-16be", xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)
		} else if validUTF8(r, size) {
			name = "utf-8"
		} else {
			name, enc = "gb18030", simplifiedchinese.GB18030
		}
	}
	open := func() io.Reader {
		var in io.Reader = io.NewSectionReader(r, skip, size-skip)
		if enc != nil {
			in = transform.NewReader(in, enc.NewDecoder())
		}
		return in
	}
	sample, err := io.ReadAll(io.LimitReader(open(), sampleSize))
	if err != nil {
		return nil, errs.E(errs.Invalid, "sheet.unsupported_type")
	}
	if strings.TrimSpace(string(sample)) == "" && int64(len(sample)) < sampleSize {
		return nil, errs.E(errs.Invalid, "sheet.empty")
	}
	if !looksLikeText(sample) {
		return nil, errs.E(errs.Invalid, "sheet.unsupported_type")
	}
	cr := csv.NewReader(bufio.NewReaderSize(open(), 64<<10))
	cr.Comma = sniffDelimiter(sample)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &Reader{lim: lim, format: CSV, enc: strings.TrimSuffix(name, "-bom"), src: &csvSource{r: cr}}, nil
}

// utf16Guess spots UTF-16 without a BOM: text in Latin letters and digits
// has a zero in every other byte.
func utf16Guess(head []byte) (le, be bool) {
	if len(head) < 16 {
		return false, false
	}
	n := len(head) &^ 1
	var even, odd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	return odd*2 > pairs && even == 0, even*2 > pairs && odd == 0
}

// validUTF8 reads the whole file: GBK text can look like UTF-8 for a long
// stretch of ASCII before its first Chinese character.
func validUTF8(r io.ReaderAt, size int64) bool {
	const chunk = 1 << 20
	buf := make([]byte, chunk+utf8.UTFMax)
	carry := 0
	for off := int64(0); off < size; {
		n, err := r.ReadAt(buf[carry:carry+chunk], off)
		if n <= 0 {
			return err == io.EOF && carry == 0
		}
		off += int64(n)
		b := buf[:carry+n]
		// Keep an incomplete last rune for the next chunk.
		end := len(b)
		if off < size {
			for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
				if utf8.RuneStart(b[len(b)-i]) {
					if !utf8.FullRune(b[len(b)-i:]) {
						end = len(b) - i
					}
					break
				}
			}
		}
		if !utf8.Valid(b[:end]) {
			return false
		}
		carry = copy(buf, b[end:])
	}
	return carry == 0
}

// looksLikeText rejects binary data: NUL bytes, control characters or
// undecodable bytes beyond a trace.
func looksLikeText(sample []byte) bool {
	var runes, bad int
	for len(sample) > 0 {
		c, n := utf8.DecodeRune(sample)
		if len(sample) < utf8.UTFMax && c == utf8.RuneError && n == 1 && !utf8.FullRune(sample) {
			break // cut by the sample size
		}
		sample = sample[n:]
		runes++
		switch {
		case c == 0:
			return false
		case c == '\t' || c == '\n' || c == '\r' || c == '\f':
		case c == utf8.RuneError || unicode.IsControl(c):
			bad++
		}
	}
	return bad*50 <= runes
}

// sniffDelimiter picks , ; or tab: the one that splits the first lines
// into the same number of fields most often.
func sniffDelimiter(sample []byte) rune {
	if i := bytes.LastIndexByte(sample, '\n'); i > 0 && len(sample) == sampleSize {
		sample = sample[:i]
	}
	best, bestScore, bestCount := ',', 0, 0
	for _, d := range []rune{',', '\t', ';'} {
		counts := map[int]int{}
		lines := 0
		for _, line := range splitRecords(sample, 50) {
			counts[countOutsideQuotes(line, d)]++
			lines++
		}
		score, mode := 0, 0
		for c, k := range counts {
			if c > 0 && (k > score || k == score && c > mode) {
				score, mode = k, c
			}
		}
		if score > bestScore || score == bestScore && mode > bestCount {
			best, bestScore, bestCount = d, score, mode
		}
	}
	return best
}

// splitRecords cuts text into at most n non-empty records, keeping quoted
// newlines inside their record.
func splitRecords(b []byte, n int) [][]byte {
	var out [][]byte
	quoted, start := false, 0
	for i := 0; i < len(b) && len(out) < n; i++ {
		switch b[i] {
		case '"':
			quoted = !quoted
		case '\n':
			if !quoted {
				if line := bytes.TrimSpace(b[start:i]); len(line) > 0 {
					out = append(out, line)
				}
				start = i + 1
			}
		}
	}
	if len(out) < n {
		if line := bytes.TrimSpace(b[start:]); len(line) > 0 {
			out = append(out, line)
		}
	}
	return out
}

func countOutsideQuotes(line []byte, d rune) int {
	quoted, n := false, 0
	for _, c := range string(line) {
		switch {
		case c == '"':
			quoted = !quoted
		case c == d && !quoted:
			n++
		}
	}
	return n
}

// csvSource numbers records the way a spreadsheet shows them: blank lines
// count, a quoted field spanning lines is one row.
type csvSource struct {
	r       *csv.Reader
	row     int // row number of the last record
	endLine int // file line where the last record ended
	e       error
}

func (s *csvSource) next() ([]string, int, bool) {
	if s.e != nil {
		return nil, 0, false
	}
	rec, err := s.r.Read()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			s.e = errs.Wrap(errs.Invalid, "sheet.corrupt", err)
		}
		return nil, 0, false
	}
	start, _ := s.r.FieldPos(0)
	s.row += start - s.endLine
	if s.endLine == 0 {
		s.row = start
	}
	last, _ := s.r.FieldPos(len(rec) - 1)
	s.endLine = last + strings.Count(rec[len(rec)-1], "\n")
	return trimRow(rec), s.row, true
}

func (s *csvSource) err() error   { return s.e }
func (s *csvSource) close() error { return nil }
