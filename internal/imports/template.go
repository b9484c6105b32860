package imports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/sheet"
)

// templateRows is how far down the template's dropdowns reach.
const templateRows = 10000

// Template writes an empty file for a target in the caller's language:
// the header (required columns marked *), an example row (ignored on
// import when left in), and in xlsx dropdowns for enumerations, text
// format for every column (long digits and leading zeros survive Excel)
// and a notes sheet on formats. format is "xlsx" or "csv".
func (s *Service) Template(ctx context.Context, target, format string, w io.Writer) (string, error) {
	t, err := s.target(target)
	if err != nil {
		return "", err
	}
	if _, _, err := require(ctx, t); err != nil {
		return "", err
	}
	cols, err := t.Columns(ctx)
	if err != nil {
		return "", err
	}
	locale := i18n.FromContext(ctx)
	label := i18n.T(locale, t.Label(), nil)
	name := label + "-" + i18n.T(locale, "imports.template_suffix", nil)
	header := make([]string, len(cols))
	example := make([]string, len(cols))
	for i, c := range cols {
		header[i] = i18n.T(locale, c.Label, nil)
		if c.Required {
			header[i] += "*"
		}
		example[i] = exampleOf(c, locale)
	}
	if format == "csv" {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return "", err
		}
		cw := csv.NewWriter(w)
		// Custom fields' labels are the tenant's text: kept inert.
		esc := func(row []string) []string {
			out := make([]string, len(row))
			for i, v := range row {
				out[i] = export.Escape(v)
			}
			return out
		}
		if err := cw.WriteAll([][]string{esc(header), esc(example)}); err != nil {
			return "", err
		}
		return name + ".csv", nil
	}
	f := excelize.NewFile()
	defer f.Close()
	main := sheetName(label)
	if err := f.SetSheetName("Sheet1", main); err != nil {
		return "", err
	}
	styles, err := newTemplateStyles(f)
	if err != nil {
		return "", err
	}
	optionsSheet := ""
	optionsCol := 0
	for i, c := range cols {
		col := sheet.ColumnName(i)
		head := fmt.Sprintf("%s1", col)
		if err := f.SetCellStr(main, head, header[i]); err != nil {
			return "", err
		}
		hs := styles.header
		if c.Required {
			hs = styles.required
		}
		if err := f.SetCellStyle(main, head, head, hs); err != nil {
			return "", err
		}
		width := float64(max(12, utf8.RuneCountInString(header[i])*2+2))
		if err := f.SetColWidth(main, col, col, width); err != nil {
			return "", err
		}
		if c.Kind != KindDecimal {
			if err := f.SetColStyle(main, col, styles.text); err != nil {
				return "", err
			}
		}
		ex := fmt.Sprintf("%s2", col)
		if err := f.SetCellStr(main, ex, example[i]); err != nil {
			return "", err
		}
		if err := f.SetCellStyle(main, ex, ex, styles.example); err != nil {
			return "", err
		}
		choices := dropdown(c, locale)
		if len(choices) == 0 {
			continue
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, templateRows+1)
		if err := dv.SetDropList(choices); err != nil {
			// Over Excel's 255 characters: the list lives on a hidden sheet.
			if optionsSheet == "" {
				optionsSheet = i18n.T(locale, "imports.template_options", nil)
				if _, err := f.NewSheet(optionsSheet); err != nil {
					return "", err
				}
			}
			optionsCol++
			oc := sheet.ColumnName(optionsCol - 1)
			for r, v := range choices {
				if err := f.SetCellStr(optionsSheet, fmt.Sprintf("%s%d", oc, r+1), v); err != nil {
					return "", err
				}
			}
			dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$1:$%s$%d", optionsSheet, oc, oc, len(choices)))
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, header[i], i18n.T(locale, "imports.template_choose", nil))
		if err := f.AddDataValidation(main, dv); err != nil {
			return "", err
		}
	}
	if err := f.SetPanes(main, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return "", err
	}
	if err := s.notes(ctx, f, t, cols, locale, styles); err != nil {
		return "", err
	}
	if optionsSheet != "" {
		if err := f.SetSheetVisible(optionsSheet, false); err != nil {
			return "", err
		}
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return "", err
	}
	return name + ".xlsx", nil
}

type templateStyles struct{ header, required, example, text, wrap, title int }

func newTemplateStyles(f *excelize.File) (*templateStyles, error) {
	var s templateStyles
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	s.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	s.required = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, NumFmt: 49,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FCE4D6"}}})
	s.example = mk(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}, NumFmt: 49})
	s.text = mk(&excelize.Style{NumFmt: 49})
	s.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true}})
	return &s, err
}

// notes writes the sheet explaining each column's format.
func (s *Service) notes(ctx context.Context, f *excelize.File, t Target, cols []Column, locale string, st *templateStyles) error {
	name := i18n.T(locale, "imports.template_notes", nil)
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	var keys []string
	for _, k := range t.Keys() {
		keys = append(keys, keyLabel(k, cols, locale))
	}
	lines := []string{
		i18n.T(locale, "imports.note_header", nil),
		i18n.T(locale, "imports.note_example", nil),
		i18n.T(locale, "imports.note_limits", map[string]any{"rows": s.maxRows(), "size": humanSize(s.opts.Limits.MaxBytes)}),
		i18n.T(locale, "imports.note_keys", map[string]any{"keys": strings.Join(keys, i18n.T(locale, "imports.list_separator", nil))}),
		i18n.T(locale, "imports.note_dry_run", nil),
	}
	row := 1
	for _, l := range lines {
		if err := f.SetCellStr(name, fmt.Sprintf("A%d", row), l); err != nil {
			return err
		}
		row++
	}
	row++
	heads := []string{i18n.T(locale, "imports.note_column", nil), i18n.T(locale, "imports.note_required", nil), i18n.T(locale, "imports.note_format", nil)}
	for i, h := range heads {
		cell := fmt.Sprintf("%s%d", sheet.ColumnName(i), row)
		if err := f.SetCellStr(name, cell, h); err != nil {
			return err
		}
		if err := f.SetCellStyle(name, cell, cell, st.title); err != nil {
			return err
		}
	}
	yes, no := i18n.T(locale, "imports.yes", nil), ""
	for _, c := range cols {
		row++
		req := no
		if c.Required {
			req = yes
		}
		vals := []string{i18n.T(locale, c.Label, nil), req, formatNote(c, locale)}
		for i, v := range vals {
			if err := f.SetCellStr(name, fmt.Sprintf("%s%d", sheet.ColumnName(i), row), v); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(name, fmt.Sprintf("C%d", row), fmt.Sprintf("C%d", row), st.wrap); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(name, "A", "A", 24); err != nil {
		return err
	}
	if err := f.SetColWidth(name, "B", "B", 8); err != nil {
		return err
	}
	return f.SetColWidth(name, "C", "C", 80)
}

func (s *Service) maxRows() int {
	if s.opts.Limits.MaxRows > 0 {
		return s.opts.Limits.MaxRows
	}
	return sheet.DefaultMaxRows
}

func keyLabel(key string, cols []Column, locale string) string {
	for _, c := range cols {
		if c.Key == key {
			return i18n.T(locale, c.Label, nil)
		}
	}
	return key
}

// formatNote explains what a column takes.
func formatNote(c Column, locale string) string {
	note := i18n.T(locale, "imports.kind."+c.Kind, nil)
	if c.Kind == KindEnum && len(c.Choices) > 0 {
		note += i18n.T(locale, "imports.note_choices", map[string]any{"choices": strings.Join(dropdown(c, locale), i18n.T(locale, "imports.list_separator", nil))})
	}
	if c.Max > 0 {
		note += i18n.T(locale, "imports.note_max", map[string]any{"max": c.Max})
	}
	if c.Sensitive {
		note += i18n.T(locale, "imports.note_sensitive", nil)
	}
	return note
}

// dropdown lists the values offered for an enumeration or yes/no column.
func dropdown(c Column, locale string) []string {
	switch c.Kind {
	case KindEnum:
		out := make([]string, 0, len(c.Choices))
		for _, ch := range c.Choices {
			v := ch.ZH
			if locale == i18n.EN || v == "" {
				v = ch.EN
			}
			if v == "" {
				v = ch.Code
			}
			out = append(out, v)
		}
		return out
	case KindBool:
		return []string{i18n.T(locale, "imports.yes", nil), i18n.T(locale, "imports.no", nil)}
	}
	return nil
}

// exampleOf is the example row's value of a column.
func exampleOf(c Column, locale string) string {
	if c.Example != "" {
		return c.Example
	}
	switch c.Kind {
	case KindEnum, KindBool:
		if d := dropdown(c, locale); len(d) > 0 {
			return d[0]
		}
		return ""
	case KindText:
		return ""
	}
	return i18n.T(locale, "imports.example."+c.Kind, nil)
}

// examples are the texts the template's example row may hold for a
// column, in every language (the row is skipped when left in).
func examples(c Column) map[string]bool {
	out := map[string]bool{}
	for _, l := range i18n.Locales {
		out[exampleOf(c, l)] = true
	}
	return out
}

// sheetName makes a valid worksheet name (31 characters, none of []:*?/\).
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}
