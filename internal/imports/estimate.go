package imports

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// The dry run's progress is by rows, so it needs the file's row count
// before it has read the rows; reading the file twice would double the
// cost of the largest files. These guesses cost milliseconds: a CSV's
// line breaks, an xlsx worksheet's <dimension> (written by Excel, WPS
// and LibreOffice). 0 means unknown. A guess off by a few rows only
// makes the bar jump at the end.

// estimateRows guesses the data rows of a batch's sheet.
func estimateRows(r io.ReaderAt, size int64, b *Batch) int {
	var last int
	if b.Format == "xlsx" {
		last = xlsxLastRow(r, size, b.Sheet)
	} else {
		last = lineBreaks(r, size) + 1
	}
	return max(0, last-b.HeaderLine)
}

// lineBreaks counts the \n bytes of a text file (in UTF-8, UTF-16 and
// GB18030 alike, no other character contains that byte).
func lineBreaks(r io.ReaderAt, size int64) int {
	buf := make([]byte, 1<<20)
	n := 0
	for off := int64(0); off < size; {
		k, err := r.ReadAt(buf, off)
		n += bytes.Count(buf[:k], []byte{'\n'})
		off += int64(k)
		if err != nil {
			break
		}
	}
	return n
}

var dimension = regexp.MustCompile(`<(?:\w+:)?dimension\s+ref="(?:[A-Za-z]+\d+:)?[A-Za-z]+(\d+)"`)

// xlsxLastRow reads the last row number a worksheet declares.
func xlsxLastRow(r io.ReaderAt, size int64, sheet string) int {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return 0
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		List []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if !readXML(files["xl/workbook.xml"], &wb) || !readXML(files["xl/_rels/workbook.xml.rels"], &rels) {
		return 0
	}
	rid := ""
	for i, s := range wb.Sheets {
		if s.Name == sheet || (sheet == "" && i == 0) {
			rid = s.ID
			break
		}
	}
	part := ""
	for _, rel := range rels.List {
		if rel.ID == rid && rid != "" {
			part = rel.Target
			if strings.HasPrefix(part, "/") {
				part = strings.TrimPrefix(part, "/")
			} else {
				part = path.Join("xl", part)
			}
		}
	}
	f := files[strings.ToLower(part)]
	if f == nil {
		return 0
	}
	rc, err := f.Open()
	if err != nil {
		return 0
	}
	defer rc.Close()
	head := make([]byte, 64<<10) // <dimension> comes before the rows
	n, _ := io.ReadFull(rc, head)
	head = head[:n]
	if m := dimension.FindSubmatch(head); m != nil {
		if last, _ := strconv.Atoi(string(m[1])); last > 1 {
			return last
		}
	}
	// No useful <dimension> (excelize writes "A1" unless streaming): the
	// worksheet's size over the size of its first rows.
	rows := rowTag.FindAllIndex(head, -1)
	if len(rows) < 2 {
		return len(rows)
	}
	first, lastRow := rows[0][0], rows[len(rows)-1][0]
	per := float64(lastRow-first) / float64(len(rows)-1)
	return int(float64(int64(f.UncompressedSize64)-int64(first))/per + 0.5)
}

var rowTag = regexp.MustCompile(`<(?:\w+:)?row[\s>]`)

func readXML(f *zip.File, v any) bool {
	if f == nil || f.UncompressedSize64 > 8<<20 {
		return false
	}
	rc, err := f.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, 8<<20)).Decode(v) == nil
}
