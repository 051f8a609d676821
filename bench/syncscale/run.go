package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/proctest"
)

// result is what a run measured.
type result struct {
	advertisers int
	phases      []phase
}

// run sets the stack up, measures the phases and prints them to out;
// progress goes to logw.
func run(ctx context.Context, dbCfg config.Database, o options, out, logw io.Writer) (res result, err error) {
	root, err := proctest.FindModuleRoot()
	if err != nil {
		return res, err
	}
	dir, err := os.MkdirTemp("", "syncscale-")
	if err != nil {
		return res, err
	}
	s := &stack{dir: dir, root: root, configFile: filepath.Join(root, o.config)}
	defer func() {
		s.close()
		if err == nil {
			os.RemoveAll(dir)
		} else {
			err = fmt.Errorf("%w (logs kept in %s)", err, dir)
		}
	}()
	if err := setup(ctx, s, dbCfg, o, logw); err != nil {
		return res, err
	}
	fmt.Fprintf(out, "# sync of %d advertisers, %d worker process(es), quota %g QPS per endpoint group (developer QPS %g), config %s\n",
		o.advertisers, o.workers, o.qps, o.developerQPS, o.config)
	fmt.Fprintf(out, "machine: %d CPUs (GOMAXPROCS %d), %s, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAverage(), time.Now().UTC().Format(time.RFC3339))
	pids := make([]int, len(s.workers))
	for i, w := range s.workers {
		pids[i] = w.cmd.Process.Pid
	}
	sampler := newRSSSampler(pids)
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go sampler.run(sctx, o.sample)

	m := &meter{s: s, o: o, log: logw, out: out, sampler: sampler}
	first, advs, err := m.firstSync(ctx)
	if err != nil {
		return res, err
	}
	res.advertisers = len(advs)
	first.print(out)
	res.phases = append(res.phases, first)
	if o.cycle {
		cyc, err := m.cycle(ctx, advs, "hourly cycle (sandbox clock +1h, sync of every advertiser requested)")
		if err != nil {
			return res, err
		}
		cyc.print(out)
		res.phases = append(res.phases, cyc)
	}
	if o.soak > 0 {
		soak, err := m.soak(ctx, advs)
		if err != nil {
			return res, err
		}
		soak.print(out)
		printSeries(out, sampler)
		res.phases = append(res.phases, soak)
	}
	return res, nil
}

// setup builds and starts everything: database, redis, sandbox, API
// server, workers.
func setup(ctx context.Context, s *stack, dbCfg config.Database, o options, logw io.Writer) error {
	fmt.Fprintf(logw, "building, creating %s, starting redis and a sandbox of %d advertisers\n", dbCfg.Database, o.advertisers)
	server, worker, err := build(ctx, o, s.root, s.dir)
	if err != nil {
		return err
	}
	db, drop, err := createDatabase(ctx, dbCfg, o.keep)
	if err != nil {
		return err
	}
	s.db = db
	s.closers = append(s.closers, drop)
	// Every child's ports at once, distinct and below the kernel's ephemeral
	// range: Redis, then the HTTP and metrics ports of the server and of
	// each worker.
	if s.ports, err = proctest.Ports(1 + 2*(1+o.workers)); err != nil {
		return err
	}
	redisAddr, err := s.startRedis(ctx)
	if err != nil {
		return err
	}
	secret := randomText(20) // 40 characters, as the platform issues
	if err := s.startSandbox(o, secret); err != nil {
		return err
	}
	apiPort, err := s.nextPort()
	if err != nil {
		return err
	}
	s.apiURL = fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	s.env = baseEnv(dbCfg, redisAddr, s.simURL, s.apiURL, secret, o.qps)
	if _, err := s.startProcess(ctx, "server", server, apiPort); err != nil {
		return err
	}
	for i := 0; i < o.workers; i++ {
		port, err := s.nextPort()
		if err != nil {
			return err
		}
		p, err := s.startProcess(ctx, fmt.Sprintf("worker%d", i+1), worker, port)
		if err != nil {
			return err
		}
		s.workers = append(s.workers, p)
	}
	return nil
}

// loadAverage is /proc/loadavg's first three fields.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	var a, b2, c string
	fmt.Sscan(string(b), &a, &b2, &c)
	return "load average " + a + " " + b2 + " " + c
}

// meter runs the phases.
type meter struct {
	s       *stack
	o       options
	log     io.Writer
	out     io.Writer
	sampler *rssSampler
	token   string
}

// api calls the API server as the admin; v receives the JSON answer.
func (m *meter) api(ctx context.Context, method, path string, body any, v any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, m.s.apiURL+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if m.token != "" {
		req.Header.Set("Authorization", "Bearer "+m.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, b)
	}
	if v != nil {
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
		if err := json.Unmarshal(env.Data, v); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// bind logs in and authorises every top-level sandbox account through
// the consent flow and the API's callback; it returns the leaf advertisers
// bound.
func (m *meter) bind(ctx context.Context) ([]int64, error) {
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if st, err := m.api(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": adminPassword}, &login); err != nil || st != 200 {
		return nil, fmt.Errorf("login: %d %v", st, err)
	}
	m.token = login.AccessToken
	var authz struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	if st, err := m.api(ctx, "POST", "/api/v1/oauth/oceanengine/authorize", nil, &authz); err != nil || st != 200 {
		return nil, fmt.Errorf("authorize: %d %v", st, err)
	}
	u, err := url.Parse(authz.AuthorizeURL)
	if err != nil {
		return nil, err
	}
	resp, err := http.Post(m.s.simURL+"/_sim/authorize", "application/json", nil)
	if err != nil {
		return nil, err
	}
	var grant struct {
		AuthCode string `json:"auth_code"`
	}
	err = json.NewDecoder(resp.Body).Decode(&grant)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("sandbox authorize: %w", err)
	}
	var bound struct {
		Advertisers []int64 `json:"advertisers"`
	}
	q := url.Values{"state": {u.Query().Get("state")}, "auth_code": {grant.AuthCode}}
	if st, err := m.api(ctx, "GET", "/api/v1/oauth/oceanengine/callback?"+q.Encode(), nil, &bound); err != nil || st != 200 {
		return nil, fmt.Errorf("callback: %d %v", st, err)
	}
	if len(bound.Advertisers) != m.o.advertisers {
		return nil, fmt.Errorf("callback bound %d advertisers, the sandbox has %d", len(bound.Advertisers), m.o.advertisers)
	}
	return bound.Advertisers, nil
}

// synced counts the (advertiser, stream) rows with a success at or after
// since, and the rows whose last run failed.
func (m *meter) synced(ctx context.Context, since time.Time) (done, failing int, err error) {
	err = m.s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(last_success_at >= ?), 0), COALESCE(SUM(consecutive_failures > 0), 0) FROM sync_state`,
		since.UTC()).Scan(&done, &failing)
	return done, failing, err
}

// waitSynced waits until every stream of n advertisers succeeded at or
// after since.
func (m *meter) waitSynced(ctx context.Context, n int, since time.Time, label string) (int, error) {
	want := n * streams
	deadline := time.Now().Add(m.o.timeout)
	lastLog := time.Now()
	for {
		done, failing, err := m.synced(ctx, since)
		if err != nil {
			return done, err
		}
		if done >= want {
			return done, nil
		}
		for _, w := range m.s.workers {
			if w.exited() {
				return done, fmt.Errorf("%s exited:\n%s", w.name, w.tail())
			}
		}
		if time.Now().After(deadline) {
			return done, fmt.Errorf("%s: %d of %d streams synced after %s", label, done, want, m.o.timeout)
		}
		if time.Since(lastLog) >= m.o.progress {
			fmt.Fprintf(m.log, "%s %s: %d/%d streams synced, %d failing, %s\n", time.Now().UTC().Format("15:04:05"), label, done, want, failing, loadAverage())
			lastLog = time.Now()
		}
		select {
		case <-ctx.Done():
			return done, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// finish fills a phase's counters and RSS figures.
func (m *meter) finish(p *phase, before counters, start time.Time) {
	p.elapsed = time.Since(start)
	p.calls = counters(m.s.sim.Stats().Snapshot()).minus(before)
	p.qps, p.devQPS = m.o.qps, m.o.developerQPS
	p.rssPeak, p.rssEnd, p.hwm = m.sampler.window()
}

// firstSync binds every advertiser (the callback enqueues their first
// sync) and waits until every stream has synced once.
func (m *meter) firstSync(ctx context.Context) (phase, []int64, error) {
	p := phase{name: "first full sync (from the end of the bind until every stream of every advertiser synced once)"}
	fmt.Fprintf(m.log, "binding %d advertisers\n", m.o.advertisers)
	bindStart := time.Now()
	advs, err := m.bind(ctx)
	if err != nil {
		return p, nil, err
	}
	bound := time.Since(bindStart)
	fmt.Fprintf(m.log, "bound in %s; first sync running\n", bound.Round(time.Millisecond))
	// The callback enqueued the first sync of every advertiser as it
	// returned: the phase starts there; the bind's own calls (token
	// exchange, account discovery) are left out and reported apart.
	start := time.Now()
	before := counters(m.s.sim.Stats().Snapshot())
	p.note = fmt.Sprintf("bind (consent callback, %d advertisers): %s, %d platform calls", len(advs), bound.Round(10*time.Millisecond), before.total())
	done, err := m.waitSynced(ctx, len(advs), time.Time{}, "first sync")
	p.rowsDone = done
	if err != nil {
		return p, nil, err
	}
	m.finish(&p, before, start)
	return p, advs, nil
}

// requestAll asks the API for a sync of every advertiser, 8 at a time.
func (m *meter) requestAll(ctx context.Context, advs []int64) error {
	var wg sync.WaitGroup
	errs := make([]error, len(advs))
	sem := make(chan struct{}, 8)
	for i, adv := range advs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			st, err := m.api(ctx, "POST", fmt.Sprintf("/api/v1/advertisers/%d/sync", adv), nil, nil)
			if err == nil && st != http.StatusAccepted {
				err = fmt.Errorf("sync of %d: HTTP %d", adv, st)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// cycle moves the sandbox clock one hour on and requests a sync of every
// advertiser, then waits until every stream synced again.
func (m *meter) cycle(ctx context.Context, advs []int64, name string) (phase, error) {
	p := phase{name: name}
	m.s.sim.Clock().Advance(time.Hour)
	// DATETIME(3) columns: a success in the same millisecond counts.
	start := time.Now().Truncate(time.Millisecond)
	before := counters(m.s.sim.Stats().Snapshot())
	if err := m.requestAll(ctx, advs); err != nil {
		return p, err
	}
	done, err := m.waitSynced(ctx, len(advs), start, "cycle")
	p.rowsDone = done
	if err != nil {
		return p, err
	}
	m.finish(&p, before, start)
	return p, nil
}

// soak runs cycles one after the other for o.soak, the RSS sampled
// throughout; a cycle still running at the end is left unfinished.
func (m *meter) soak(ctx context.Context, advs []int64) (phase, error) {
	p := phase{name: fmt.Sprintf("soak (%s of hourly cycles one after the other)", m.o.soak)}
	start := time.Now()
	before := counters(m.s.sim.Stats().Snapshot())
	m.sampler.window() // the soak's own peak
	sctx, cancel := context.WithDeadline(ctx, start.Add(m.o.soak))
	defer cancel()
	peak := make([]int64, len(m.s.workers))
	for sctx.Err() == nil {
		c, err := m.cycle(sctx, advs, "soak cycle")
		if sctx.Err() != nil {
			break
		}
		if err != nil {
			return p, err
		}
		for i := range peak {
			peak[i] = max(peak[i], c.rssPeak[i])
		}
		p.cycles++
		p.rowsDone += c.rowsDone
		c.name = fmt.Sprintf("soak cycle %d (sandbox clock +1h, sync of every advertiser requested)", p.cycles)
		c.print(m.out)
		fmt.Fprintf(m.log, "%s soak cycle %d: %s, ratio %.1f%%\n", time.Now().UTC().Format("15:04:05"), p.cycles, c.elapsed.Round(time.Second), 100*c.ratio())
	}
	if ctx.Err() != nil {
		return p, ctx.Err()
	}
	m.finish(&p, before, start)
	for i := range peak {
		p.rssPeak[i] = max(p.rssPeak[i], peak[i])
	}
	return p, nil
}

// printSeries prints the workers' summed RSS once a minute.
func printSeries(w io.Writer, r *rssSampler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(w, "RSS of the workers (sum) by minute since the start of the first sync:")
	next := int64(0)
	for _, s := range r.series {
		if s[0] >= next {
			fmt.Fprintf(w, " %dm:%.0fMB", s[0]/60, mb(s[1]))
			next = s[0] - s[0]%60 + 60
		}
	}
	fmt.Fprintln(w)
}
