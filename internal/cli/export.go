package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/renshi/renshi/internal/app"
	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// `renshi export`: the roster or the job changes of a tenant to a file,
// as the tenant's system principal (the operator has server access).
// Sensitive columns are masked unless --unmasked, which is audited like
// an unmasked export in the UI.

func init() {
	commands["export"] = command{"export employees|changes --out FILE [--format xlsx|csv] [--tenant CODE] [--columns a,b] [--unmasked]   write the roster or the job changes", exportCmd}
}

func exportCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "employees" && args[0] != "changes") {
		return errors.New("want: export employees|changes --out FILE [--format xlsx|csv] [--tenant CODE]")
	}
	what := args[0]
	var format, outFile, tenantCode, columns, q, status, reason, from, to, lang *string
	var unmasked *bool
	return withApp(ctx, "export "+what, args[1:], func(fs *flag.FlagSet) {
		format = fs.String("format", "xlsx", "xlsx or csv")
		outFile = fs.String("out", "", "file to write (- for standard output)")
		tenantCode = fs.String("tenant", "", "tenant code (needed when there is more than one tenant)")
		columns = fs.String("columns", "", "columns, comma-separated (default: the roster's default columns; every column for changes)")
		q = fs.String("q", "", "search: name, pinyin, initials, number, mobile, email or an ID number")
		lang = fs.String("lang", "", "language of headers and labels: zh-CN or en (default: the tenant's)")
		unmasked = fs.Bool("unmasked", false, "employees: full ID numbers and bank accounts (audited)")
		status = fs.String("status", "", "employees: statuses, comma-separated (pending, probation, regular, resigning, left)")
		reason = fs.String("reason", "", "changes: reasons, comma-separated (hire, transfer, promote, resign...)")
		from = fs.String("from", "", "changes: effective on or after YYYY-MM-DD")
		to = fs.String("to", "", "changes: effective on or before YYYY-MM-DD")
	}, func(a *app.App) error {
		if *outFile == "" {
			return errors.New("--out FILE is needed (- for standard output)")
		}
		if *format != "xlsx" && *format != "csv" {
			return fmt.Errorf("--format %q: want xlsx or csv", *format)
		}
		t, err := pickTenant(ctx, a, *tenantCode)
		if err != nil {
			return err
		}
		p := rbac.SystemPrincipal(t.ID, "cli")
		p.TimeZone = t.TimeZone
		ctx := rbac.WithPrincipal(ctx, p)
		locale := *lang
		if locale == "" {
			locale = t.Locale
		}
		cols := splitList(*columns)
		// Everything is checked before the file is created.
		var title string
		var write func(w export.Writer) (int, error)
		switch what {
		case "employees":
			x, err := a.Employees.PrepareExport(ctx, employee.ExportRequest{Filter: employee.Filter{Query: *q, Statuses: splitList(*status)},
				Columns: cols, Unmasked: *unmasked, Locale: locale})
			if err != nil {
				return err
			}
			title, write = x.Title, func(w export.Writer) (int, error) { return x.Write(ctx, w) }
		case "changes":
			f := employee.ChangeFilter{Query: *q, Reasons: splitList(*reason)}
			for _, d := range []struct {
				flag, v string
				to      *civil.Date
			}{{"from", *from, &f.From}, {"to", *to, &f.To}} {
				if d.v == "" {
					continue
				}
				if *d.to, err = civil.Parse(d.v); err != nil {
					return fmt.Errorf("--%s %q: want YYYY-MM-DD", d.flag, d.v)
				}
			}
			x, err := a.Employees.PrepareChangesExport(ctx, f, cols, locale)
			if err != nil {
				return err
			}
			title, write = x.Title, func(w export.Writer) (int, error) { return x.Write(ctx, w) }
		}
		n, err := writeExport(*outFile, export.Format(*format), title, write, out)
		if err != nil {
			return err
		}
		dest, note := *outFile, ""
		if what == "employees" {
			note = " (ID numbers and bank accounts masked)"
			if *unmasked {
				note = " (UNMASKED: recorded in the audit log)"
			}
		}
		if dest == "-" {
			fmt.Fprintf(os.Stderr, "exported %d %s of tenant %s%s\n", n, what, t.Code, note)
			return nil
		}
		fmt.Fprintf(out, "exported %d %s of tenant %s to %s%s\n", n, what, t.Code, dest, note)
		return nil
	})
}

// writeExport writes the file next to its destination and renames it
// into place once complete, so a failed export leaves no partial file.
func writeExport(dest string, f export.Format, sheet string, write func(export.Writer) (int, error), stdout io.Writer) (int, error) {
	if dest == "-" {
		w, err := export.New(stdout, f, sheet)
		if err != nil {
			return 0, err
		}
		n, err := write(w)
		if err != nil {
			return n, err
		}
		return n, w.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; the leftover on failure
	w, err := export.New(tmp, f, sheet)
	if err != nil {
		tmp.Close()
		return 0, err
	}
	n, err := write(w)
	if err == nil {
		err = w.Close()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	return n, os.Rename(tmp.Name(), dest)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
