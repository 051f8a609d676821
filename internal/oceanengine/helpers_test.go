package oceanengine

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/redis/redistest"
	"github.com/oceanops/adplatform/internal/sandbox"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// bundle is what a test needs: a sandbox, a private Redis, a client with a
// shared limiter, the token store, and captured wire requests, logs and
// metrics.
type bundle struct {
	ts      *sandbox.TestServer
	sim     *sandbox.Sim
	world   *sandbox.World
	rdb     *goredis.Client
	redis   *redistest.Server
	client  *Client
	limiter *RedisLimiter
	tokens  *MemoryTokenStore
	rec     *recorder
	logs    *syncBuffer
	reg     *prometheus.Registry
	grant   *Token
	// Secrets seen by the test: none may reach logs or metrics.
	secrets *secretSet
}

type options struct {
	sim     sandbox.Options
	limiter LimiterConfig
	client  Config
	timeout time.Duration
}

// setup starts a sandbox and a Redis, builds a client and authorises every
// top-level account of the sandbox world.
func setup(t *testing.T, mod func(*options)) *bundle {
	t.Helper()
	o := options{
		sim:     sandbox.Options{Seed: 7, QPS: -1, DeveloperQPS: -1},
		limiter: LimiterConfig{QPS: 1000},
		client: Config{MaxAttempts: 5, BackoffBase: 5 * time.Millisecond, BackoffMax: 40 * time.Millisecond,
			Breaker: BreakerConfig{ConsecutiveFailures: 50, OpenFor: 200 * time.Millisecond}},
		timeout: 5 * time.Second,
	}
	if mod != nil {
		mod(&o)
	}
	ts, err := sandbox.NewTestServer(o.sim)
	if err != nil {
		t.Fatalf("oesim: %v", err)
	}
	t.Cleanup(ts.Close)
	rdb, rs := redistest.New(t)
	b := &bundle{ts: ts, sim: ts.Sim, world: ts.Sim.World(), rdb: rdb, redis: rs, tokens: &MemoryTokenStore{},
		logs: &syncBuffer{}, reg: prometheus.NewRegistry(), secrets: &secretSet{}}
	b.secrets.add(ts.Sim.Secret())
	metrics, err := NewMetrics(b.reg)
	if err != nil {
		t.Fatal(err)
	}
	logger := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(b.logs), zap.DebugLevel))
	o.limiter.AppID, o.limiter.Metrics, o.limiter.Logger = ts.Sim.AppID(), metrics, logger
	b.limiter, err = NewRedisLimiter(rdb, o.limiter)
	if err != nil {
		t.Fatal(err)
	}
	b.rec = &recorder{base: http.DefaultTransport.(*http.Transport).Clone()}
	cfg := o.client
	cfg.BaseURL, cfg.AppID, cfg.Secret = ts.URL, ts.Sim.AppID(), ts.Sim.Secret()
	cfg.HTTPClient = &http.Client{Timeout: o.timeout, Transport: b.rec}
	cfg.Tokens, cfg.Limiter, cfg.Metrics, cfg.Logger = b.tokens, b.limiter, metrics, logger
	b.client, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.tokens.Refresher = b.client
	b.grant = b.authorize(t)
	b.rec.reset()
	return b
}

// authorize grants every top-level account and stores the tokens for all
// accounts, leaf advertisers included.
func (b *bundle) authorize(t *testing.T) *Token {
	t.Helper()
	code, err := b.sim.Authorize(nil)
	if err != nil {
		t.Fatal(err)
	}
	b.secrets.add(code)
	tok, err := b.client.ExchangeAuthCode(context.Background(), code)
	if err != nil {
		t.Fatalf("ExchangeAuthCode: %v", err)
	}
	b.secrets.add(tok.AccessToken, tok.RefreshToken)
	b.tokens.Put(tok, b.world.Advertisers()...)
	return tok
}

// leaf returns a leaf advertiser of the world.
func (b *bundle) leaf() int64 { return b.world.Advertisers()[0] }

// checkAttempts checks the sandbox saw want requests to ep.
func (b *bundle) checkAttempts(t *testing.T, ep string, want int) {
	t.Helper()
	if got := b.sim.Stats().Total(ep); got != want {
		t.Errorf("sandbox saw %d attempts, want %d", got, want)
	}
}

// currentTokens records the store's current tokens as secrets.
func (b *bundle) noteTokens(t *testing.T) {
	t.Helper()
	for _, id := range b.world.Advertisers() {
		g, err := b.tokens.grant(id)
		if err != nil {
			t.Fatal(err)
		}
		g.mu.Lock()
		b.secrets.add(g.access, g.refresh)
		g.mu.Unlock()
	}
}

// metricsText renders the registry in the exposition format.
func (b *bundle) metricsText(t *testing.T) string {
	t.Helper()
	mfs, err := b.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

// counter returns the value of a counter or gauge series.
func (b *bundle) counter(name string, labels map[string]string) float64 {
	v, _ := metrics.Sample(b.reg, name, labels)
	return v
}

type secretSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (s *secretSet) add(vs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]bool{}
	}
	for _, v := range vs {
		if v != "" {
			s.m[v] = true
		}
	}
}

func (s *secretSet) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(maps.Keys(s.m))
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// recorder captures every request on the wire before passing it on.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	reqs []string
	rids []string        // request_id of each answer, in order
	raw  []*http.Request // the requests themselves (bodies re-readable)
	// sent, when set, runs as each request leaves (a test moving its
	// clock by the time an attempt takes).
	sent func()
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s\n", req.Method, req.URL.Path)
	for _, h := range []string{"Access-Token", "Content-Type", "X-Debug-Mode"} {
		if v := req.Header.Get(h); v != "" {
			fmt.Fprintf(&sb, "%s: %s\n", h, v)
		}
	}
	if req.URL.RawQuery != "" {
		fmt.Fprintf(&sb, "raw query: %s\n", req.URL.RawQuery)
		q := req.URL.Query()
		for _, k := range slices.Sorted(maps.Keys(q)) {
			fmt.Fprintf(&sb, "  %s = %s\n", k, q.Get(k))
		}
	}
	if len(body) > 0 {
		fmt.Fprintf(&sb, "body: %s\n", body)
	}
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.reqs = append(r.reqs, sb.String())
	r.raw = append(r.raw, clone)
	sent := r.sent
	r.mu.Unlock()
	if sent != nil {
		sent()
	}
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	// Remember the answer's request_id (the body is put back untouched).
	raw, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	if rerr != nil {
		return nil, rerr
	}
	var env struct {
		RequestID string `json:"request_id"`
	}
	_ = json.Unmarshal(raw, &env)
	r.mu.Lock()
	r.rids = append(r.rids, env.RequestID)
	r.mu.Unlock()
	return resp, nil
}

// lastRequestID returns the request_id of the last answer (empty when none
// carried one).
func (r *recorder) lastRequestID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.rids) == 0 {
		return ""
	}
	return r.rids[len(r.rids)-1]
}

// count returns how many recorded requests went to a path containing sub.
func (r *recorder) count(sub string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.reqs {
		first, _, _ := strings.Cut(q, "\n")
		if strings.Contains(first, sub) {
			n++
		}
	}
	return n
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs, r.rids, r.raw = nil, nil, nil
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.reqs, "\n")
}

var tokenLike = regexp.MustCompile(`\b[0-9a-f]{40}\b`)

// golden compares the recorded requests with testdata/golden/name.golden,
// tokens and the secret replaced by placeholders.
func (b *bundle) golden(t *testing.T, name string) {
	t.Helper()
	got := tokenLike.ReplaceAllString(b.rec.text(), "<token>")
	got = strings.ReplaceAll(got, b.sim.Secret(), "<secret>")
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("wire requests differ from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
