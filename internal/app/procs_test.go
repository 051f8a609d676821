package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/shopspring/decimal"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/app"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/rules"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// Worker processes: the test binary re-executes itself with
// -test.run=^TestHelper...$ and APP_HELPER_* variables carrying the
// database settings, the Redis address and the sandbox's URL. A helper
// prints "HELPER READY", then runs the commands the parent writes to its
// stdin, one a line, each with the time its clock is to read (the
// sandbox's clock lives in the parent), and answers each with one
// "HELPER <word> <json>" line.

// helperTimeout bounds every wait on a helper process's output.
const helperTimeout = 90 * time.Second

// workerProc is a helper process seen from the parent.
type workerProc struct {
	t     *testing.T
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // the HELPER lines, in order; closed at exit
	done  chan struct{}
	mu    sync.Mutex
	out   bytes.Buffer // everything it printed
}

// startWorkerProc starts the helper test helper in a new process, with
// the scenario's database, Redis and sandbox, and waits until it is ready.
func (s *scenario) startWorkerProc(helper, name string, env ...string) *workerProc {
	s.t.Helper()
	dbcfg, err := json.Marshal(s.dbcfg)
	must(s.t, err)
	p := &workerProc{t: s.t, name: name, lines: make(chan string, 64), done: make(chan struct{}),
		cmd: exec.Command(os.Args[0], "-test.run=^"+helper+"$", "-test.count=1")}
	p.cmd.Env = append(append(os.Environ(),
		"APP_HELPER="+helper,
		"APP_HELPER_NAME="+name,
		"APP_HELPER_DB="+string(dbcfg),
		"APP_HELPER_REDIS="+s.redisAddr,
		"APP_HELPER_SIM="+s.simURL), env...)
	p.stdin, err = p.cmd.StdinPipe()
	must(s.t, err)
	stdout, err := p.cmd.StdoutPipe()
	must(s.t, err)
	p.cmd.Stderr = p.cmd.Stdout
	must(s.t, p.cmd.Start())
	go func() {
		defer close(p.done)
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if strings.HasPrefix(sc.Text(), "HELPER ") {
				p.lines <- strings.TrimPrefix(sc.Text(), "HELPER ")
			}
		}
		_ = p.cmd.Wait()
	}()
	s.t.Cleanup(func() {
		_ = p.stdin.Close()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	p.expect("READY", nil)
	return p
}

// output is everything the process printed so far.
func (p *workerProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// send writes one command line.
func (p *workerProc) send(format string, args ...any) {
	p.t.Helper()
	if _, err := fmt.Fprintf(p.stdin, format+"\n", args...); err != nil {
		p.t.Fatalf("%s: command: %v\n%s", p.name, err, p.output())
	}
}

// expect waits for the next HELPER line, which must start with word, and
// decodes the JSON after it into v (unless v is nil).
func (p *workerProc) expect(word string, v any) {
	p.t.Helper()
	select {
	case line, ok := <-p.lines:
		if !ok {
			p.t.Fatalf("%s exited while the test waited for %s: %v\n%s", p.name, word, p.cmd.ProcessState, p.output())
		}
		got, rest, _ := strings.Cut(line, " ")
		if got != word {
			p.t.Fatalf("%s answered %q, want %s\n%s", p.name, line, word, p.output())
		}
		if v != nil {
			if err := json.Unmarshal([]byte(rest), v); err != nil {
				p.t.Fatalf("%s: %v in %q", p.name, err, rest)
			}
		}
	case <-time.After(helperTimeout):
		p.t.Fatalf("%s: no %s within %s\n%s", p.name, word, helperTimeout, p.output())
	}
}

// kill ends the process with SIGKILL and waits until it is gone.
func (p *workerProc) kill() {
	p.t.Helper()
	must(p.t, p.cmd.Process.Signal(syscall.SIGKILL))
	select {
	case <-p.done:
	case <-time.After(helperTimeout):
		p.t.Fatalf("%s still running after SIGKILL", p.name)
	}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		p.t.Fatalf("%s ended with %v, want killed by SIGKILL", p.name, p.cmd.ProcessState)
	}
}

// helperEnv is what a helper process connects to, as a worker process's
// wiring does: its own MySQL pool and Redis client, the token store and
// the OceanEngine client on the sandbox, on a clock the parent sets.
type helperEnv struct {
	ctx    context.Context
	clock  *fakeclock.Clock // set by each command
	db     *mysql.DB
	keys   *tokencrypt.Keyring
	client *oceanengine.Client
}

func newHelperEnv(t *testing.T, helper string) *helperEnv {
	t.Helper()
	if os.Getenv("APP_HELPER") != helper {
		t.Skip("helper process only")
	}
	var dbcfg config.Database
	must(t, json.Unmarshal([]byte(os.Getenv("APP_HELPER_DB")), &dbcfg))
	h := &helperEnv{ctx: context.Background(), clock: fakeclock.New(time.Now())}
	var err error
	h.db, err = mysql.Open(h.ctx, dbcfg)
	must(t, err)
	t.Cleanup(func() { _ = h.db.Close() })
	rdb := goredis.NewClient(&goredis.Options{Addr: os.Getenv("APP_HELPER_REDIS")})
	t.Cleanup(func() { _ = rdb.Close() })
	h.keys = testenv.Keys(t)
	_, h.client = workerClient(t, h.db, rdb, h.clock.Now, oceanengine.Config{BaseURL: os.Getenv("APP_HELPER_SIM"),
		AppID: sandbox.DefaultAppID, Secret: sandbox.DefaultSecret, HTTPClient: &http.Client{Timeout: 30 * time.Second}})
	return h
}

// workerClient is a worker process's token store and OceanEngine client on
// db and rdb: tokens under testenv.Keys, the shared Redis limiter, a few
// quick retries. cfg names the platform (and may set the HTTP client).
func workerClient(t *testing.T, db *mysql.DB, rdb goredis.UniversalClient, now func() time.Time, cfg oceanengine.Config) (*accounts.TokenStore, *oceanengine.Client) {
	t.Helper()
	om, err := oceanengine.NewMetrics(nil)
	must(t, err)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	cfg.Limiter = testenv.Limiter(t, rdb, oceanengine.LimiterConfig{AppID: cfg.AppID, QPS: 5000, Metrics: om})
	cfg.Metrics, cfg.MaxAttempts, cfg.BackoffBase, cfg.BackoffMax = om, 4, 5*time.Millisecond, 50*time.Millisecond
	return testenv.TokenClient(t, db, rdb, testenv.Keys(t), accounts.StoreOptions{Now: now, Logger: zap.NewNop()}, cfg)
}

// serve prints READY and runs the commands on stdin until it closes:
// "<verb> <RFC 3339 time> [<arg>]" sets the clock and calls run(verb, arg),
// whose result is printed as "HELPER <word> <json>".
func (h *helperEnv) serve(t *testing.T, run func(verb, arg string) (string, any, error)) {
	fmt.Println("HELPER READY")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			fmt.Printf("HELPER ERR bad command %q\n", sc.Text())
			continue
		}
		now, err := time.Parse(time.RFC3339Nano, f[1])
		if err != nil {
			fmt.Printf("HELPER ERR %v\n", err)
			continue
		}
		h.clock.Set(now)
		arg := ""
		if len(f) > 2 {
			arg = f[2]
		}
		word, v, err := run(f[0], arg)
		if err != nil {
			fmt.Printf("HELPER ERR %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			continue
		}
		b, err := json.Marshal(v)
		must(t, err)
		fmt.Printf("HELPER %s %s\n", word, b)
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// dyingChanger makes changes like the worker's, except that after its n-th
// change it says so on stdout and waits to be killed: a worker process
// that dies after the platform applied a change and before it recorded the
// rule action.
type dyingChanger struct {
	app.RuleChanger
	n, calls int
}

func (c *dyingChanger) Change(ctx context.Context, ch rules.Change) (rules.ChangeResult, error) {
	res, err := c.RuleChanger.Change(ctx, ch)
	c.calls++
	if c.calls == c.n {
		fmt.Printf("HELPER STALLED %d\n", ch.ObjectID)
		select {}
	}
	return res, err
}

// TestHelperRuleWorkerProcess is a rule worker process of
// TestRuleSlotsRunOnceAcrossWorkerProcesses: the rules service as the
// worker wires it (ad operations as the changer, default lease and grace).
// "tick <now>" runs the due evaluations (the rules tick: RunDue) and
// answers "RAN [evaluations it ran]".
func TestHelperRuleWorkerProcess(t *testing.T) {
	h := newHelperEnv(t, "TestHelperRuleWorkerProcess")
	ops, err := adops.New(adops.Deps{DB: h.db, Platform: h.client, Now: h.clock.Now}, adops.Options{})
	must(t, err)
	var changer rules.Changer = app.RuleChanger{Ops: ops}
	if n, _ := strconv.Atoi(os.Getenv("APP_HELPER_DIE_AFTER")); n > 0 {
		changer = &dyingChanger{RuleChanger: app.RuleChanger{Ops: ops}, n: n}
	}
	svc, err := rules.New(rules.Deps{Store: h.db, Scopes: h.db, Changer: changer, Now: h.clock.Now}, rules.Options{})
	must(t, err)
	h.serve(t, func(verb, _ string) (string, any, error) {
		if verb != "tick" {
			return "", nil, fmt.Errorf("unknown command %s", verb)
		}
		evs, err := svc.RunDue(h.ctx)
		if evs == nil {
			evs = []rules.EvaluationRecord{}
		}
		return "RAN", evs, err
	})
}

// tick has the processes run the rules tick at now, all at once, and
// returns the evaluations each ran.
func tick(now time.Time, ps ...*workerProc) [][]rules.EvaluationRecord {
	for _, p := range ps {
		p.send("tick %s", stamp(now))
	}
	out := make([][]rules.EvaluationRecord, len(ps))
	for i, p := range ps {
		p.expect("RAN", &out[i])
	}
	return out
}

// TestRuleSlotsRunOnceAcrossWorkerProcesses: TestRuleSlotsRunOnceAcrossWorkers
// with worker processes. A worker process killed (SIGKILL) in the middle
// of a run, after the platform applied one of its changes and before it
// recorded it, is taken over by another process once the lease has run
// out on that process's clock, which finishes the run without applying any
// change twice; then two processes ticking together run each (rule, slot)
// once: one evaluation per slot, each ad changed once, as many platform
// writes as changes.
func TestRuleSlotsRunOnceAcrossWorkerProcesses(t *testing.T) {
	k := newRulesKit(t)
	at, adv, r := k.pauseSpenders()
	k.sim.Stats().Reset()

	// Worker A dies after its second change; B and C are plain workers.
	a := k.startWorkerProc("TestHelperRuleWorkerProcess", "worker A", "APP_HELPER_DIE_AFTER=2")
	b := k.startWorkerProc("TestHelperRuleWorkerProcess", "worker B")
	c := k.startWorkerProc("TestHelperRuleWorkerProcess", "worker C")
	slot := at.Truncate(15 * time.Minute)
	a.send("tick %s", stamp(at))
	a.expect("STALLED", nil)
	if n := k.calls(adStatusEndpoint); n != 2 {
		t.Fatalf("worker A sent %d status writes before stopping, want 2", n)
	}
	// While A's lease lasts, B finds the slot held and does nothing.
	if ran := tick(at.Add(time.Minute), b)[0]; len(ran) != 0 {
		t.Fatalf("worker B ran %+v while A held the slot", ran)
	}
	a.kill()
	// A's lease (2 minutes) has run out on B's clock: B takes the
	// evaluation over and finishes it.
	k.sim.Clock().Set(at.Add(3 * time.Minute))
	ran := tick(at.Add(3*time.Minute), b)[0]
	if len(ran) != 1 || ran[0].Attempts != 2 || ran[0].Status != rules.EvalDone || ran[0].Failed != 0 || !ran[0].SlotAt.Equal(slot) {
		t.Fatalf("takeover: %+v", ran)
	}
	if changes := k.checkOneWritePerAd(r.ID, adv); len(changes) != 3 {
		t.Fatalf("after the takeover: %d changes, want 3", len(changes))
	}

	byProc := map[string]int{"B": 1}
	// The next slots, with B and C ticking together, run once each (and
	// pause the next ads).
	for i := 1; i <= 4; i++ {
		now := slot.Add(time.Duration(i)*15*time.Minute + time.Minute)
		k.sim.Clock().Set(now)
		k.syncAll() // as the worker's syncs would by then
		got := tick(now, b, c)
		byProc["B"] += len(got[0])
		byProc["C"] += len(got[1])
		if n := len(got[0]) + len(got[1]); n != 1 {
			t.Fatalf("slot %d: %d evaluations between the two processes (B %+v, C %+v), want 1", i, n, got[0], got[1])
		}
		for _, ev := range append(got[0], got[1]...) {
			if ev.Status != rules.EvalDone || ev.Failed != 0 || ev.Attempts != 1 {
				t.Fatalf("slot %d: %+v", i, ev)
			}
		}
	}

	evs, err := k.db.ListEvaluations(k.ctx, r.ID, 100)
	must(t, err)
	slots := map[time.Time]int{}
	for _, ev := range evs {
		slots[ev.SlotAt.UTC()]++
	}
	if len(evs) != 5 || len(slots) != 5 {
		t.Fatalf("evaluations: %d over %d slots, want 5, one per slot", len(evs), len(slots))
	}
	changes := k.checkOneWritePerAd(r.ID, adv)
	for _, c := range changes {
		if c.Result != mysql.ChangeSucceeded || c.Field != "status" {
			t.Errorf("change %+v", c)
		}
	}
	if len(changes) != 15 {
		t.Fatalf("%d changes over 5 slots, want 15 (3 a slot)", len(changes))
	}
	acts, err := k.db.ListActions(k.ctx, r.ID, 0, auth.SystemScope(), 1000)
	must(t, err)
	if len(acts) != len(changes) {
		t.Errorf("%d actions for %d changes", len(acts), len(changes))
	}
	for _, x := range acts {
		if x.Status != rules.ActionSucceeded {
			t.Errorf("action %+v", x)
		}
	}
	t.Logf("%d slots, %d ads paused once each by 3 worker processes (one killed); evaluations by process: %v", len(slots), len(changes), byProc)
}

// sandboxTap sits in front of the sandbox: it counts the status writes of
// each ad, and holds the answer to one request after the sandbox applied
// it (the change is made on the platform, its sender has not heard back).
type sandboxTap struct {
	mu       sync.Mutex
	writes   map[int64]int // ad id → 2/ad/update/status requests naming it
	endpoint string        // "" when nothing is to be held
	skip     int           // requests of endpoint let through before the held one
	held     chan struct{}
	release  chan struct{}
}

// adStatusEndpoint is the platform's endpoint of ad status writes.
const adStatusEndpoint = "2/ad/update/status"

// Hold arms the tap for the request of endpoint after the next skip ones;
// the channel returned is closed once its answer is held.
func (g *sandboxTap) Hold(endpoint string, skip int) <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.endpoint, g.skip = endpoint, skip
	g.held, g.release = make(chan struct{}), make(chan struct{})
	return g.held
}

// Release lets a held answer go (to a sender that may be gone).
func (g *sandboxTap) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.release != nil {
		select {
		case <-g.release:
		default:
			close(g.release)
		}
	}
}

// StatusWrites returns how many status writes named each ad.
func (g *sandboxTap) StatusWrites() map[int64]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return maps.Clone(g.writes)
}

func (g *sandboxTap) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimSuffix(r.URL.Path, "/")
		var ids []int64
		if strings.HasSuffix(path, "/"+adStatusEndpoint) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct {
				AdIDs []int64 `json:"ad_ids"`
			}
			_ = json.Unmarshal(body, &req)
			ids = req.AdIDs
		}
		g.mu.Lock()
		if g.writes == nil {
			g.writes = map[int64]int{}
		}
		for _, id := range ids {
			g.writes[id]++
		}
		hold := g.endpoint != "" && strings.HasSuffix(path, "/"+g.endpoint)
		if hold && g.skip > 0 {
			g.skip--
			hold = false
		} else if hold {
			g.endpoint = ""
		}
		held, release := g.held, g.release
		g.mu.Unlock()
		if !hold {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		close(held)
		<-release
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// checkOneWritePerAd fails unless every ad the rule changed was written to
// the platform once and is paused there, each with one change log row, and
// the platform received no other status write.
func (k *rulesKit) checkOneWritePerAd(ruleID, adv int64) []mysql.AdChange {
	k.t.Helper()
	changes := k.ruleChanges(ruleID)
	rows := map[int64]int{}
	for _, c := range changes {
		rows[c.EntityID]++
		if e := k.truthAd(adv, c.EntityID); e.OptStatus != "DISABLE" {
			k.t.Errorf("ad %d in the sandbox: %s, want DISABLE", c.EntityID, e.OptStatus)
		}
	}
	writes := k.tap.StatusWrites()
	for id, n := range rows {
		if n != 1 || writes[id] != 1 {
			k.t.Errorf("ad %d: %d change log rows, %d status writes to the platform; want 1 and 1", id, n, writes[id])
		}
	}
	for id, n := range writes {
		if rows[id] == 0 {
			k.t.Errorf("ad %d: %d status writes to the platform, no change log row", id, n)
		}
	}
	if n := k.calls(adStatusEndpoint); n != len(changes) {
		k.t.Errorf("%d status writes reached the platform for %d changes", n, len(changes))
	}
	return changes
}

// TestRuleTakeoverAfterAWorkerProcessDiesMidWrite: a worker process is
// killed (SIGKILL) while the platform's answer to one of its writes is
// held, after the platform applied it. Another worker process takes the
// evaluation over once the lease has run out on its clock and finishes it;
// no change reaches the platform twice, then or in the next evaluations.
//
// The taker cannot settle the write it never heard back about: the dead
// process's lock of that ad (ad operations' LockTTL, 15 minutes) outlives
// the lease (2 minutes) and the slot's grace (10 minutes), so the ad's
// action is recorded as failed ("in flight") and its change log row stays
// pending, though the platform applied it. The test accepts that or a
// settled (succeeded) action, nothing else. Once the lock has expired, the
// sweep of stale pending changes reads the ad back and settles the row as
// succeeded.
func TestRuleTakeoverAfterAWorkerProcessDiesMidWrite(t *testing.T) {
	k := newRulesKit(t)
	at, adv, r := k.pauseSpenders()
	k.sim.Stats().Reset()

	a := k.startWorkerProc("TestHelperRuleWorkerProcess", "worker A")
	b := k.startWorkerProc("TestHelperRuleWorkerProcess", "worker B")
	held := k.tap.Hold(adStatusEndpoint, 1)
	a.send("tick %s", stamp(at))
	select {
	case <-held:
	case <-time.After(helperTimeout):
		t.Fatalf("worker A's second status write never came\n%s", a.output())
	}
	if n := k.calls(adStatusEndpoint); n != 2 {
		t.Fatalf("%d status writes applied when the second one's answer was held, want 2", n)
	}
	var heldAd int64
	for _, c := range k.ruleChanges(r.ID) {
		if c.Result == mysql.ChangePending {
			heldAd = c.EntityID
		}
	}
	if heldAd == 0 {
		t.Fatalf("no pending change while the write's answer is held: %+v", k.ruleChanges(r.ID))
	}
	a.kill()
	k.tap.Release() // to a closed connection

	if ran := tick(at.Add(time.Minute), b)[0]; len(ran) != 0 {
		t.Fatalf("worker B ran %+v while A's lease lasted", ran)
	}
	k.sim.Clock().Set(at.Add(3 * time.Minute))
	ran := tick(at.Add(3*time.Minute), b)[0]
	slot := at.Truncate(15 * time.Minute)
	if len(ran) != 1 || ran[0].Attempts != 2 || ran[0].Status != rules.EvalDone || ran[0].Acted != 3 || !ran[0].SlotAt.Equal(slot) {
		t.Fatalf("takeover: %+v", ran)
	}
	if changes := k.checkOneWritePerAd(r.ID, adv); len(changes) != 3 {
		t.Fatalf("after the takeover: %d changes, want 3", len(changes))
	}
	acts, err := k.db.ListActions(k.ctx, r.ID, 0, auth.SystemScope(), 100)
	must(t, err)
	for _, x := range acts {
		switch {
		case x.Status == rules.ActionSucceeded:
		case x.ObjectID == heldAd && x.Status == rules.ActionFailed && strings.Contains(x.Error, "in flight"):
			t.Logf("the held write of ad %d is not settled: action %s (%s)", heldAd, x.Status, x.Error)
		default:
			t.Errorf("action %+v", x)
		}
	}

	// The next slot, past the dead process's lock, with fresh reports:
	// the next ads are paused, the ones of the first slot left alone.
	now := slot.Add(30*time.Minute + 2*time.Minute)
	k.sim.Clock().Set(now)
	k.syncAll()
	ran = tick(now, b)[0]
	if len(ran) != 1 || ran[0].Status != rules.EvalDone || ran[0].Failed != 0 || ran[0].Acted != 3 || ran[0].Skips[rules.SkipCooldown] != 3 {
		t.Fatalf("next slot: %+v, want 3 ads paused and the 3 of the first slot in cooldown", ran)
	}
	if changes := k.checkOneWritePerAd(r.ID, adv); len(changes) != 6 {
		t.Fatalf("after the next slot: %d changes, want 6", len(changes))
	}
	heldRow := func() mysql.AdChange {
		t.Helper()
		for _, c := range k.ruleChanges(r.ID) {
			if c.EntityID == heldAd {
				return c
			}
		}
		t.Fatalf("no change log row of the held write (ad %d)", heldAd)
		return mysql.AdChange{}
	}
	before := heldRow()
	if before.Result != mysql.ChangePending && before.Result != mysql.ChangeSucceeded {
		t.Errorf("the held write's change log row before the sweep: %+v, want pending or succeeded", before)
	}
	// The sweep of stale pending changes (the worker's adops:settle_pending),
	// past the dead process's lock, reads the ad back: the write was
	// applied, so its row is settled as succeeded.
	rep, err := k.ops.SettlePending(k.ctx)
	must(t, err)
	c := heldRow()
	if c.Result != mysql.ChangeSucceeded || !c.Verified {
		t.Errorf("the held write's change log row after the sweep (%+v): %+v, want succeeded", rep, c)
	}
	if before.Result == mysql.ChangePending && (rep.Succeeded != 1 || !strings.Contains(c.ErrorMessage, "settled by the sweep")) {
		t.Errorf("the sweep (%+v) did not settle the held write's row: %+v", rep, c)
	}
	if rep.Left != 0 || rep.Failed != 0 || rep.Unknown != 0 {
		t.Errorf("sweep: %+v, want nothing but succeeded", rep)
	}
}

// TestHelperAlertsWorkerProcess is an alerts worker process of
// TestAlertsOncePerPeriodAcrossWorkerProcesses: the alerts service with
// its own name as the worker's, on the sandbox. "cycle <now> <slot>" runs
// the cycle of the period starting at slot (what the worker's alerts job
// does with its payload) and answers "CYCLE <stats>".
func TestHelperAlertsWorkerProcess(t *testing.T) {
	h := newHelperEnv(t, "TestHelperAlertsWorkerProcess")
	svc, err := alerts.New(alerts.Deps{Store: h.db, Facts: h.db, Reviews: app.ReviewSource{Client: h.client}, Keys: h.keys, Now: h.clock.Now,
		Sender: channel.NewSender(channel.Options{AllowPrivateNetworks: true, Backoff: time.Millisecond})},
		alerts.Options{Worker: os.Getenv("APP_HELPER_NAME"), ConsoleURL: "https://ops.example.com"})
	must(t, err)
	h.serve(t, func(verb, arg string) (string, any, error) {
		if verb != "cycle" {
			return "", nil, fmt.Errorf("unknown command %s", verb)
		}
		slot, err := time.Parse(time.RFC3339Nano, arg)
		if err != nil {
			return "", nil, err
		}
		st, err := svc.RunCycle(h.ctx, slot)
		return "CYCLE", st, err
	})
}

// TestAlertsOncePerPeriodAcrossWorkerProcesses: two worker processes run
// the alert cycle of every period together (and once more a period that
// ran already, as a repeated task would): one cycle runs per period, and a
// drained balance, its top-up and a review rejection each reach the
// webhook receiver exactly once.
func TestAlertsOncePerPeriodAcrossWorkerProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and syncs a sandbox world")
	}
	s := newScenario(t)
	admin := alerts.Actor{UserID: 1, Username: "ops", Scope: auth.Scope{All: true}, Manage: true}
	parent := s.service("parent")
	hookCh, err := parent.CreateChannel(s.ctx, admin, alerts.ChannelInput{Name: "hook", Enabled: true,
		Config: channel.Config{Type: channel.TypeWebhook, URL: s.hook.URL, Secret: "scenario-webhook-secret"}})
	must(t, err)
	_, err = parent.CreateSubscription(s.ctx, admin, alerts.SubscriptionInput{Enabled: true, ChannelIDs: []int64{hookCh.ID}})
	must(t, err)
	x := s.advs[1]
	s.syncAll()
	for _, adv := range s.advs {
		_, err := s.sim.AdjustFunds(adv, s.averageSpend(adv).Mul(decimal.NewFromInt(30)).Shift(2).IntPart())
		must(t, err)
	}
	s.syncAll()

	procs := []*workerProc{s.startWorkerProc("TestHelperAlertsWorkerProcess", "worker-a"),
		s.startWorkerProc("TestHelperAlertsWorkerProcess", "worker-b")}
	first := time.Now().UTC().Truncate(time.Minute)
	period := 0
	// cycle has both processes run the cycle of a period at once and
	// returns the alerts that started firing.
	cycle := func(slot time.Time) map[string]alerts.Alert {
		t.Helper()
		before := s.firingKeys(parent)
		for _, p := range procs {
			p.send("cycle %s %s", stamp(s.sim.Clock().Now()), stamp(slot))
		}
		ran := 0
		for _, p := range procs {
			var st alerts.CycleStats
			p.expect("CYCLE", &st)
			switch st.Skipped {
			case "":
				ran++
			case "busy", "taken":
			default:
				t.Fatalf("%s: %+v", p.name, st)
			}
		}
		if ran != 1 {
			t.Fatalf("period %s: %d cycles ran between the two processes, want 1", slot.Format(time.TimeOnly), ran)
		}
		out := map[string]alerts.Alert{}
		for k, a := range s.firingKeys(parent) {
			if _, ok := before[k]; !ok {
				out[k] = a
			}
		}
		return out
	}
	next := func() map[string]alerts.Alert {
		t.Helper()
		s.syncAll()
		slot := first.Add(time.Duration(period) * time.Minute)
		period++
		return cycle(slot)
	}
	base := next()
	t.Logf("alerts firing at the start: %d: %s", len(base), keysOf(base))

	// A drained balance fires one low-balance alert.
	rate := s.averageSpend(x)
	_, err = s.sim.SetBalance(x, rate.Mul(decimal.NewFromFloat(1.5)).Shift(2).IntPart())
	must(t, err)
	lb := alerts.Key(alerts.KindLowBalance, alerts.Entity{Type: alerts.EntityAdvertiser, ID: x})
	fired := next()
	if keysOf(fired) != lb {
		t.Fatalf("after draining X: fired %q, want only %s", keysOf(fired), lb)
	}
	low := fired[lb]
	// The same period once more (a repeated task): neither process runs it.
	for _, p := range procs {
		p.send("cycle %s %s", stamp(s.sim.Clock().Now()), stamp(first.Add(time.Duration(period-1)*time.Minute)))
	}
	for _, p := range procs {
		var st alerts.CycleStats
		p.expect("CYCLE", &st)
		if st.Skipped != "taken" {
			t.Fatalf("%s ran a period that ran already: %+v", p.name, st)
		}
	}
	// A top-up resolves it.
	_, err = s.sim.AdjustFunds(x, rate.Mul(decimal.NewFromInt(40)).Shift(2).IntPart())
	must(t, err)
	next()
	// A review rejection fires an alert with the platform's reason.
	rejected := s.deliveringAd(s.advs[2])
	must(t, s.sim.Review(s.advs[2], rejected, false, []string{"落地页无法访问"}, []string{"修复后重新提交"}))
	rk := alerts.Key(alerts.KindReviewRejected, alerts.Entity{Type: alerts.EntityAd, ID: rejected})
	if fired := next(); !strings.Contains(fired[rk].Summary, "落地页无法访问") {
		t.Fatalf("review alert: %+v (fired %s)", fired[rk], keysOf(fired))
	}
	// Quiet periods send nothing more.
	next()
	next()

	events := map[int64]int{}
	byAlert := map[int64]map[string]int{}
	for _, req := range s.hook.Accepted() {
		for _, e := range req.Payload.Events {
			events[e.EventID]++
			if byAlert[e.Alert.ID] == nil {
				byAlert[e.Alert.ID] = map[string]int{}
			}
			byAlert[e.Alert.ID][e.Type]++
		}
	}
	for id, n := range events {
		if n != 1 {
			t.Errorf("event %d delivered %d times", id, n)
		}
	}
	// The alerts firing at the start, the low balance alert fired and
	// resolved, the review alert fired: nothing else.
	if len(events) != len(base)+3 {
		t.Errorf("%d events delivered, want %d", len(events), len(base)+3)
	}
	for id, types := range byAlert {
		if types["fired"] != 1 {
			t.Errorf("alert %d: events %v, want one fired", id, types)
		}
	}
	if got := byAlert[low.ID]; got["fired"] != 1 || got["resolved"] != 1 {
		t.Errorf("low balance alert %d: events %v, want fired and resolved once", low.ID, got)
	}
	review := s.firingKeys(parent)[rk]
	if got := byAlert[review.ID]; got["fired"] != 1 {
		t.Errorf("review alert %d: events %v, want fired once", review.ID, got)
	}
	cycles, err := s.db.AlertCycles(s.ctx, time.Time{})
	must(t, err)
	if len(cycles) != period {
		t.Fatalf("%d cycles recorded over %d periods", len(cycles), period)
	}
	for _, c := range cycles {
		if c.Result != "done" {
			t.Errorf("cycle %v: %s %s", c.Slot, c.Result, c.Error)
		}
		s.workers[c.Worker]++
	}
	t.Logf("%d periods, one cycle each, by process: %v; %d messages with %d events", period, s.workers, len(s.hook.Accepted()), len(events))
}
