package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// searchTerms are what people type into the roster search: surnames,
// pinyin prefixes and initials, employee numbers and mobiles.
var searchTerms = []string{"王", "李娜", "zhang", "liu", "chen", "zs", "wf", "ly", "huang", "xu", "RS0001", "RS00523", "138", "zhao", "s", "w", "郑", "lin", "hq", "ouyang"}

// coreHRBench seeds a company of n employees with the CLI, then measures
// the roster search and the as-of department tree through the API.
func coreHRBench(bin, engine, pgDSN string, n int) {
	dir, err := os.MkdirTemp("", "renshi-bench-hr-")
	must(err)
	defer os.RemoveAll(dir)
	dsn := "sqlite:" + filepath.Join(dir, "renshi.db")
	if engine == "postgres" {
		var drop func()
		dsn, drop = freshPostgres(pgDSN)
		defer drop()
	}
	env := append(os.Environ(), "RENSHI_DB="+dsn, "RENSHI_MASTER_KEY_FILE="+filepath.Join(dir, "master.key"), "RENSHI_LOG_LEVEL=warn", "RENSHI_FILES_DIR="+filepath.Join(dir, "files"))
	fmt.Printf("\nCore HR on %s with %d employees\n", engine, n)

	t0 := time.Now()
	out := runOut(bin, env, "seed", "demo", "--employees", fmt.Sprint(n))
	seed := time.Since(t0)
	fmt.Printf("%-44s %8.1f s    (target ≤ 30 s)\n", fmt.Sprintf("seed demo --employees %d", n), seed.Seconds())
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		panic("seed did not print a password:\n" + out)
	}

	port := freePort()
	_, proc := startServer(bin, env, port)
	defer stop(proc)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := newClient()
	body, _ := json.Marshal(map[string]string{"tenant": "demo", "login": "admin", "password": m[1]})
	res, err := client.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	must(err)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		panic(fmt.Sprintf("login: %d", res.StatusCode))
	}

	urls := make([]string, len(searchTerms))
	for i, q := range searchTerms {
		urls[i] = base + "/api/v1/employees?pageSize=20&q=" + url.QueryEscape(q)
	}
	for _, u := range urls { // warm up
		get(client, u)
	}
	lr := loadURLs(client, urls, 200, 10*time.Second)
	fmt.Printf("%-44s p50 %6.2f ms  p99 %6.2f ms  errors %d  (target p99 ≤ 50 ms)\n", "GET /employees?q= at 200 req/s for 10s", ms(lr.p[50]), ms(lr.p[99]), lr.errors)
	rps, errs := saturate(client, urls, 32, 10*time.Second)
	fmt.Printf("%-44s %8.0f req/s  errors %d  (target ≥ 1,500 req/s)\n", "GET /employees?q= at saturation (32 clients)", rps, errs)

	// The as-of tree with headcounts, for today in the tenant's time zone
	// and for a day a year ago. The first call computes the headcounts (a
	// past day walks every assignment); later calls within 10 s reuse them.
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Now().In(shanghai)
	for _, day := range []struct{ label, on string }{{"today", today.Format("2006-01-02")}, {"a year ago", today.AddDate(-1, 0, 0).Format("2006-01-02")}} {
		var tree []time.Duration
		nodes := 0
		var first time.Duration
		for i := 0; i < 21; i++ {
			t := time.Now()
			res, err := client.Get(base + "/api/v1/departments/tree?on=" + day.on)
			must(err)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				panic(fmt.Sprintf("tree: %d %s", res.StatusCode, b))
			}
			if i == 0 {
				first = time.Since(t)
				nodes = bytes.Count(b, []byte(`"code"`))
				continue
			}
			tree = append(tree, time.Since(t))
		}
		p := percentiles(tree)
		fmt.Printf("%-44s first %6.1f ms  then p50 %6.1f ms  p99 %6.1f ms  (%d departments; target ≤ 100 ms)\n",
			"GET /departments/tree?on="+day.label, ms(first), ms(p[50]), ms(p[99]), nodes)
	}
	exportBench(client, base, proc.Process.Pid, bin, env, dsn)
}

// loadURLs is load() over several URLs in turn.
func loadURLs(c *http.Client, urls []string, rate int, d time.Duration) loadResult {
	n := int(d.Seconds() * float64(rate))
	lat := make([]time.Duration, n)
	var mu sync.Mutex
	errors := 0
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			ok := get(c, urls[i%len(urls)])
			lat[i] = time.Since(due)
			if !ok {
				mu.Lock()
				errors++
				mu.Unlock()
			}
		}(i, due)
	}
	wg.Wait()
	return loadResult{p: percentiles(lat), errors: errors, achieved: float64(n) / time.Since(start).Seconds()}
}

// saturate runs workers back to back and returns the throughput.
func saturate(c *http.Client, urls []string, workers int, d time.Duration) (float64, int64) {
	var done, failed atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; time.Now().Before(deadline); i++ {
				if get(c, urls[i%len(urls)]) {
					done.Add(1)
				} else {
					failed.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	return float64(done.Load()) / d.Seconds(), failed.Load()
}

func runOut(bin string, env []string, args ...string) string {
	cmd := execCommand(bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		panic(fmt.Sprintf("%v: %v\n%s", args, err, out))
	}
	return string(out)
}

// freshPostgres creates an empty database next to the one in dsn, and a
// function that drops it.
func freshPostgres(dsn string) (string, func()) {
	u, err := url.Parse(dsn)
	must(err)
	name := fmt.Sprintf("renshi_bench_%d", time.Now().Unix())
	admin, err := sql.Open("pgx", dsn)
	must(err)
	defer admin.Close()
	_, err = admin.Exec("CREATE DATABASE " + name)
	must(err)
	u.Path = "/" + name
	return u.String(), func() {
		a, err := sql.Open("pgx", dsn)
		if err == nil {
			_, _ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	}
}
