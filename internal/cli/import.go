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
	"github.com/renshi/renshi/internal/config"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/sheet"
)

// `renshi import`: the same engine as the web import (upload, mapping,
// dry run, commit as one transaction), run in the foreground as the
// tenant's system principal (the operator has server access). It prints
// the counts and the first problems, and exits 1 when rows fail in
// all-or-nothing mode (nothing is written then).

func init() {
	commands["import"] = command{"import TARGET FILE [--dry-run] [--mode all|valid] [--tenant CODE] [--mapping NAME] [--key K] [--create-departments]   import a spreadsheet (targets: employees, departments, job_history, contracts)", importCmd}
}

// importErrorsShown is how many problems the command prints.
const importErrorsShown = 20

func importCmd(ctx context.Context, args []string, out io.Writer) error {
	const want = "want: import TARGET FILE [--dry-run] [--mode all|valid] [--tenant CODE] [--mapping NAME] [--key K] [--create-departments]"
	var dryRun, createDepts *bool
	var mode, tenantCode, mappingName, key, lang *string
	extra := func(fs *flag.FlagSet) {
		dryRun = fs.Bool("dry-run", false, "check only: print the counts and problems, write nothing")
		mode = fs.String("mode", imports.ModeAll, "all: nothing is imported while any row fails; valid: import the rows that pass")
		tenantCode = fs.String("tenant", "", "tenant code (needed when there is more than one tenant)")
		mappingName = fs.String("mapping", "", "a saved or predefined column mapping (orangehrm, frappe)")
		key = fs.String("key", "", "upsert key, e.g. employeeNo or idNumber (default: the target's first)")
		createDepts = fs.Bool("create-departments", false, "create departments the file names that do not exist")
		lang = fs.String("lang", i18n.ZH, "language of the messages: zh-CN or en")
	}
	flagArgs, pos, err := splitArgs(args, extra)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New(want)
	}
	target, file := pos[0], pos[1]
	return withApp(ctx, "import", flagArgs, extra, func(a *app.App) error {
		if *mode != imports.ModeAll && *mode != imports.ModeValid {
			return fmt.Errorf("--mode %q: want all or valid", *mode)
		}
		t, err := pickTenant(ctx, a, *tenantCode)
		if err != nil {
			return err
		}
		p := rbac.SystemPrincipal(t.ID, "cli")
		p.TimeZone, p.Locale = t.TimeZone, *lang
		ctx := i18n.WithLocale(rbac.WithPrincipal(ctx, p), i18n.Negotiate(*lang))
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		v, err := a.Imports.Upload(ctx, target, filepath.Base(file), f, st.Size())
		if err != nil {
			return err
		}
		mapping, k := v.Mapping, *key
		if *mappingName != "" {
			m, mk, err := a.Imports.NamedMapping(ctx, v.ID, *mappingName)
			if err != nil {
				return fmt.Errorf("--mapping %q: %w", *mappingName, err)
			}
			if mapping = m; k == "" {
				k = mk
			}
		}
		v, err = a.Imports.SetMapping(ctx, v.ID, imports.MappingInput{Mapping: mapping, Key: k, Mode: *mode, CreateDepartments: *createDepts})
		if err != nil {
			return err
		}
		where := v.Format
		if v.Sheet != "" {
			where = "sheet " + v.Sheet
		}
		fmt.Fprintf(out, "batch %s: %s (%s, header on row %d), %d columns mapped", v.ID, v.FileName, where, v.HeaderLine, len(v.Mapping))
		if len(v.Unmapped) > 0 {
			fmt.Fprintf(out, ", ignored: %s", strings.Join(v.Unmapped, ", "))
		}
		fmt.Fprintln(out)
		progress := progressPrinter(os.Stderr)
		v, err = a.Imports.CheckNow(ctx, v.ID, progress("checking"))
		if err != nil {
			return err
		}
		if v.State == imports.StateFailed {
			return errors.New(v.FailureMessage)
		}
		printCounts(out, "dry run", v)
		if err := printErrors(ctx, a, out, v); err != nil {
			return err
		}
		failedAll := v.Mode == imports.ModeAll && v.Counts.Failed > 0
		switch {
		case failedAll:
			return fmt.Errorf("%d rows failed the checks; nothing was imported (all-or-nothing mode; --mode valid imports the rest)", v.Counts.Failed)
		case *dryRun:
			fmt.Fprintln(out, "dry run only: nothing was written")
			return nil
		}
		v, err = a.Imports.CommitNow(ctx, v.ID, progress("importing"))
		if err != nil {
			return err
		}
		if v.State != imports.StateImported {
			if err := printErrors(ctx, a, out, v); err != nil {
				return err
			}
			return fmt.Errorf("nothing was imported: %s", v.FailureMessage)
		}
		printCounts(out, "imported", v)
		return nil
	})
}

// splitArgs separates flags from positional arguments wherever they
// stand ("import employees roster.xlsx --dry-run"), since the flag
// package stops at the first positional one.
func splitArgs(args []string, extra func(*flag.FlagSet)) ([]string, []string, error) {
	fs := flag.NewFlagSet("renshi import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config.AddFlags(fs)
	extra(fs)
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			if name == "h" || name == "help" {
				continue
			}
			return nil, nil, fmt.Errorf("unknown flag %s", a)
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, pos, nil
}

// progressPrinter reports a run's progress on a terminal every tenth.
func progressPrinter(w io.Writer) func(phase string) imports.Progress {
	return func(phase string) imports.Progress {
		last := -1
		return func(_ context.Context, pct int, msg string) error {
			if pct/10 != last/10 || last < 0 {
				last = pct
				fmt.Fprintf(w, "%s %3d%%  %s\n", phase, pct, msg)
			}
			return nil
		}
	}
}

func printCounts(out io.Writer, what string, v *imports.View) {
	c := v.Counts
	fmt.Fprintf(out, "%s: %d rows: %d new, %d updated, %d unchanged, %d failed\n", what, c.New+c.Updated+c.Unchanged+c.Failed, c.New, c.Updated, c.Unchanged, c.Failed)
}

// printErrors prints the first problems: row, column and message.
func printErrors(ctx context.Context, a *app.App, out io.Writer, v *imports.View) error {
	if v.ErrorCount == 0 {
		return nil
	}
	list, total, err := a.Imports.Errors(ctx, v.ID, 1, importErrorsShown)
	if err != nil {
		return err
	}
	zh := i18n.FromContext(ctx) == i18n.ZH
	for _, e := range list {
		where := fmt.Sprintf("row %d", e.Line)
		if zh {
			where = fmt.Sprintf("第 %d 行", e.Line)
		}
		if e.Header != "" {
			where += fmt.Sprintf(" %s（%s 列）", e.Header, sheet.ColumnName(e.Index))
			if !zh {
				where = fmt.Sprintf("row %d, %s (column %s)", e.Line, e.Header, sheet.ColumnName(e.Index))
			}
		}
		value := ""
		if e.Value != "" {
			value = fmt.Sprintf(" “%s”", e.Value)
		}
		fmt.Fprintf(out, "  %s%s: %s\n", where, value, e.Message)
	}
	if total > len(list) {
		fmt.Fprintf(out, "  ... %d more (GET /api/v1/imports/%s/report for the marked file)\n", total-len(list), v.ID)
	}
	return nil
}
