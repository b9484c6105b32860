package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// exportColumns is every roster column (as employee.Columns): the widest
// export a user can ask for.
const exportColumns = "employeeNo,name,englishName,gender,birthDate,idType,idNumber,departmentName,positionName,gradeName,managerName," +
	"legalEntityName,locationName,status,employmentType,hireDate,probationEndDate,regularisationDate,leaveDate,leaveReason,mobile,email," +
	"address,nationality,ethnicity,maritalStatus,hukouType,hukouPlace,highestDegree,school,major,graduationDate,firstWorkDate,bankName,bankAccount"

// exportBench downloads the whole roster through the API as .xlsx and
// .csv (every column) and reports the time, the file size and the
// server's peak resident memory; then the job changes; then the same
// roster through `renshi export employees`.
func exportBench(client *http.Client, base string, pid int, bin string, env []string, dsn string) {
	if strings.HasPrefix(dsn, "postgres") {
		// What autovacuum does within a minute of the bulk load (it may be
		// off on a test server): planned without statistics, each page
		// of 1,000 sorts the whole table instead of reading the index.
		d, err := sql.Open("pgx", dsn)
		must(err)
		_, err = d.Exec("ANALYZE")
		must(err)
		d.Close()
	}
	for _, f := range []string{"xlsx", "csv"} {
		resetPeakRSS(pid)
		before := procKiB(pid, "VmRSS:")
		t0 := time.Now()
		res, err := client.Get(base + "/api/v1/employees/export?format=" + f + "&columns=" + exportColumns)
		must(err)
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		must(err)
		if res.StatusCode != 200 {
			panic(fmt.Sprintf("export %s: %d", f, res.StatusCode))
		}
		fmt.Printf("%-44s %8.1f s    %5.1f MiB; server RSS %d MiB before, peak %d MiB  (target .xlsx ≤ 15 s)\n",
			"GET /employees/export ."+f+" (35 columns)", time.Since(t0).Seconds(), float64(n)/(1<<20), before>>10, procKiB(pid, "VmHWM:")>>10)
	}
	t0 := time.Now()
	res, err := client.Get(base + "/api/v1/employee-changes?pageSize=20")
	must(err)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	first := time.Since(t0)
	t0 = time.Now()
	res, err = client.Get(base + "/api/v1/employee-changes/export?format=xlsx")
	must(err)
	n, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	fmt.Printf("%-44s %8.1f s    %5.1f MiB  (first page of the list %.0f ms)\n", "GET /employee-changes/export .xlsx (all)", time.Since(t0).Seconds(), float64(n)/(1<<20), ms(first))

	dir, err := os.MkdirTemp("", "renshi-bench-export-")
	must(err)
	defer os.RemoveAll(dir)
	t0 = time.Now()
	runOut(bin, env, "export", "employees", "--tenant", "demo", "--columns", exportColumns, "--out", filepath.Join(dir, "roster.xlsx"))
	fmt.Printf("%-44s %8.1f s\n", "renshi export employees .xlsx (35 columns)", time.Since(t0).Seconds())
}

// resetPeakRSS starts a new peak for VmHWM (Linux: clear_refs 5).
func resetPeakRSS(pid int) {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// procKiB reads a size field of /proc/PID/status (VmRSS:, VmHWM: the peak
// since resetPeakRSS) in KiB; 0 if unknown.
func procKiB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return kb
		}
	}
	return 0
}
