// Command bench measures the figures the platform issue sets targets
// for, against the real binary: cold start to ready, idle memory, the
// latency of an authenticated GET /api/v1/auth/me at a fixed request
// rate, and login latency. It prints the figures (and a raw-database
// baseline measured in the same run); it never fails on a slow figure.
//
//	go run ./bench -bin bin/renshi
package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite"
)

const password = "Bench-Passw0rd!2026"

func main() {
	bin := flag.String("bin", "bin/renshi", "renshi binary")
	rate := flag.Int("rate", 500, "requests per second for the /auth/me run")
	dur := flag.Duration("duration", 10*time.Second, "length of the /auth/me run")
	logins := flag.Int("logins", 40, "logins to time")
	employees := flag.Int("employees", 100000, "employees for the core HR figures (0 skips them)")
	pg := flag.String("postgres", os.Getenv("RENSHI_TEST_POSTGRES"), "PostgreSQL DSN for the core HR figures on PostgreSQL (empty skips)")
	only := flag.String("only", "", "platform or corehr: run one part")
	flag.Parse()
	if *only != "corehr" {
		platformBench(*bin, *rate, *dur, *logins)
	}
	if *only == "platform" {
		return
	}
	if *employees > 0 {
		coreHRBench(*bin, "sqlite", "", *employees)
		if *pg != "" {
			coreHRBench(*bin, "postgres", *pg, *employees)
		}
	}
}

func platformBench(bin string, rate int, dur time.Duration, logins int) {

	dir, err := os.MkdirTemp("", "renshi-bench-")
	must(err)
	defer os.RemoveAll(dir)
	env := append(os.Environ(), "RENSHI_DB=sqlite:"+filepath.Join(dir, "renshi.db"), "RENSHI_MASTER_KEY_FILE="+filepath.Join(dir, "master.key"), "RENSHI_LOG_LEVEL=warn")

	fmt.Println("Renshi platform benchmarks (SQLite, loopback)")
	fmt.Printf("machine: %d CPUs, %s\n\n", cpuCount(), strings.TrimSpace(cpuModel()))

	// Cold start on a new database (migrations, key generation, built-in roles).
	port := freePort()
	fresh, proc := startServer(bin, env, port)
	fmt.Printf("%-44s %8.0f ms   (target ≤ 1000 ms)\n", "cold start to ready, new database", ms(fresh))
	stop(proc)

	run(bin, env, "tenant", "create", "--code", "bench", "--name", "Bench")
	pwFile := filepath.Join(dir, "pw")
	must(os.WriteFile(pwFile, []byte(password+"\n"), 0o600))
	run(bin, env, "user", "create", "--tenant", "bench", "--login", "admin", "--password-file", pwFile, "--role", "super_admin")

	port = freePort()
	warm, proc := startServer(bin, env, port)
	defer stop(proc)
	fmt.Printf("%-44s %8.0f ms   (target ≤ 1000 ms)\n", "cold start to ready, existing database", ms(warm))
	time.Sleep(3 * time.Second)
	fmt.Printf("%-44s %8.1f MiB  (target ≤ 80 MiB)\n", "idle memory (RSS)", float64(rss(proc.Process.Pid))/1024)

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := newClient()
	// Login latency: sequential, as people sign in.
	var lat []time.Duration
	for i := 0; i < logins; i++ {
		t0 := time.Now()
		login(client, base)
		lat = append(lat, time.Since(t0))
	}
	p := percentiles(lat)
	fmt.Printf("%-44s p50 %6.1f ms  p99 %6.1f ms  (target p99 ≤ 300 ms; argon2id m=19 MiB t=2 p=1)\n", fmt.Sprintf("POST /auth/login (%d sequential)", logins), ms(p[50]), ms(p[99]))

	// Authenticated GET /auth/me at a fixed rate (open loop: requests are
	// sent on schedule whether or not earlier ones returned).
	res := load(client, base+"/api/v1/auth/me", rate, dur)
	fmt.Printf("%-44s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  errors %d  achieved %.0f req/s  (target p99 ≤ 5 ms)\n",
		fmt.Sprintf("GET /auth/me at %d req/s for %s", rate, dur), ms(res.p[50]), ms(res.p[99]), ms(res.p[100]), res.errors, res.achieved)
	fmt.Printf("%-44s %8.1f MiB\n", "memory after the load (RSS)", float64(rss(proc.Process.Pid))/1024)

	// Raw database baseline in the same run: the point lookups one /auth/me
	// needs, straight through database/sql, to show the framework's share.
	raw := rawBaseline(filepath.Join(dir, "renshi.db"))
	fmt.Printf("%-44s p50 %6.3f ms  p99 %6.3f ms\n", "raw SQLite: session+user+grants lookups", ms(raw[50]), ms(raw[99]))
	if raw[99] > 0 {
		fmt.Printf("%-44s %8.1f×\n", "ratio /auth/me p99 to raw lookups p99", float64(res.p[99])/float64(raw[99]))
	}
}

func startServer(bin string, env []string, port int) (time.Duration, *exec.Cmd) {
	cmd := exec.Command(bin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	cmd.Env = env
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	t0 := time.Now()
	must(cmd.Start())
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	for time.Since(t0) < 30*time.Second {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return time.Since(t0), cmd
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	stop(cmd)
	panic("server did not become ready")
}

func stop(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	_ = cmd.Wait()
}

var execCommand = exec.Command

func run(bin string, env []string, args ...string) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		panic(fmt.Sprintf("%v: %v\n%s", args, err, out))
	}
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}}
}

func login(c *http.Client, base string) {
	body, _ := json.Marshal(map[string]string{"tenant": "bench", "login": "admin", "password": password})
	res, err := c.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	must(err)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		panic(fmt.Sprintf("login: %d", res.StatusCode))
	}
}

type loadResult struct {
	p        map[int]time.Duration
	errors   int
	achieved float64
}

func load(c *http.Client, url string, rate int, d time.Duration) loadResult {
	// Warm up connections and caches.
	for i := 0; i < 200; i++ {
		get(c, url)
	}
	return loadURLs(c, []string{url}, rate, d)
}

func get(c *http.Client, url string) bool {
	res, err := c.Get(url)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode == 200
}

func rawBaseline(path string) map[int]time.Duration {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	must(err)
	defer db.Close()
	var tenant, user int64
	var sess string
	must(db.QueryRow("SELECT tenant_id, id, user_id FROM auth_sessions LIMIT 1").Scan(&tenant, &sess, &user))
	var lat []time.Duration
	for i := 0; i < 2000; i++ {
		t0 := time.Now()
		var x any
		must(db.QueryRow("SELECT * FROM platform_tenants WHERE id = ?", tenant).Scan(new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any)))
		must(db.QueryRow("SELECT user_id FROM auth_sessions WHERE tenant_id = ? AND id = ?", tenant, sess).Scan(&x))
		must(db.QueryRow("SELECT login FROM auth_users WHERE tenant_id = ? AND id = ?", tenant, user).Scan(&x))
		rows, err := db.Query("SELECT role_id FROM rbac_grants WHERE tenant_id = ? AND user_id = ?", tenant, user)
		must(err)
		for rows.Next() {
		}
		rows.Close()
		lat = append(lat, time.Since(t0))
	}
	return percentiles(lat)
}

func percentiles(d []time.Duration) map[int]time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	out := map[int]time.Duration{}
	for _, p := range []int{50, 90, 99, 100} {
		i := len(s)*p/100 - 1
		if i < 0 {
			i = 0
		}
		out[p] = s[i]
	}
	return out
}

func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n // KiB
		}
	}
	return 0
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func cpuCount() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, v, _ := strings.Cut(l, ":")
			return v
		}
	}
	return ""
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func must(err error) {
	if err != nil {
		panic(err)
	}
}
