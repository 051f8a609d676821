package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied to zero Options fields.
const (
	DefaultAdvertisers     = 12
	DefaultAppID           = 1000
	DefaultSecret          = "sim-secret"
	DefaultAccessTokenTTL  = 86399 * time.Second
	DefaultRefreshTokenTTL = 2591999 * time.Second
	DefaultQPS             = 10
	DefaultDeveloperQPS    = 100
	MaxAdvertisers         = 1 << 20
)

// Options configure a Sim. The zero value is usable: a 12-advertiser world
// for app 1000 / "sim-secret" with a frozen clock at DefaultStart().
type Options struct {
	// Seed makes the world reproducible: the same seed gives the same
	// accounts, entities, ids and facts.
	Seed int64
	// Advertisers is the number of leaf advertisers; majordomo and agent
	// accounts are added on top (2 in 5 leaves sit under a majordomo, 2 in 5
	// under an agent, 1 in 5 stands alone). 0 → DefaultAdvertisers.
	Advertisers int
	// AppID and Secret are the developer app the sandbox accepts
	// (0 / "" → DefaultAppID / DefaultSecret).
	AppID  int64
	Secret string
	// Token lifetimes (0 → 86399 s and 2591999 s, the captured real values).
	AccessTokenTTL, RefreshTokenTTL time.Duration
	// OldAccessTokenValidAfterRefresh keeps an access token usable until its
	// own expiry after the refresh token it came with was used. The real
	// behaviour is unknown; false (the stricter one) makes it die at once.
	OldAccessTokenValidAfterRefresh bool
	// AutoApprove makes the authorise page redirect at once, granting every
	// top-level account, as tests need.
	AutoApprove bool
	// QPS is the per app, per endpoint limit (0 → DefaultQPS, negative →
	// unlimited). EndpointQPS overrides it per endpoint key. DeveloperQPS caps
	// all endpoints of an app together and is answered with 40110
	// (0 → DefaultDeveloperQPS, negative → unlimited).
	QPS          float64
	EndpointQPS  map[string]float64
	DeveloperQPS float64
	// Burst is the token-bucket size (0 → one second of quota, at least 2), so
	// a client holding exactly the configured QPS is never refused.
	Burst float64
	// Start is the simulated "now" at creation (zero → DefaultStart()). The
	// world's history (creation times, past status changes) ends here.
	Start time.Time
	// Speed is simulated seconds per real second. 0 freezes the clock so only
	// Clock().Set/Advance move it (the deterministic choice for tests);
	// cmd/oesim runs at 1 by default.
	Speed float64
	// Logger receives one debug line per request; nil discards.
	Logger *slog.Logger
	// CacheDays bounds the fact-day cache (advertiser-days; 0 → 4096).
	CacheDays int
}

func (o *Options) applyDefaults() error {
	if o.Advertisers == 0 {
		o.Advertisers = DefaultAdvertisers
	}
	if o.Advertisers < 0 || o.Advertisers > MaxAdvertisers {
		return fmt.Errorf("oesim: Advertisers must be between 1 and %d, got %d", MaxAdvertisers, o.Advertisers)
	}
	if o.AppID == 0 {
		o.AppID = DefaultAppID
	}
	if o.Secret == "" {
		o.Secret = DefaultSecret
	}
	if o.AccessTokenTTL == 0 {
		o.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if o.RefreshTokenTTL == 0 {
		o.RefreshTokenTTL = DefaultRefreshTokenTTL
	}
	if o.AccessTokenTTL < time.Second || o.RefreshTokenTTL < time.Second {
		return errors.New("oesim: token lifetimes must be at least one second")
	}
	if o.QPS == 0 {
		o.QPS = DefaultQPS
	}
	if o.DeveloperQPS == 0 {
		o.DeveloperQPS = DefaultDeveloperQPS
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart()
	}
	if o.Speed < 0 {
		return errors.New("oesim: Speed must not be negative")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CacheDays <= 0 {
		o.CacheDays = defaultCacheDays
	}
	return nil
}

// Sim is the OceanEngine sandbox. It implements http.Handler: mount it at the
// root of a server and point a client's base URL at it.
type Sim struct {
	opts    Options
	log     *slog.Logger
	clock   *Clock
	faults  *Faults
	stats   *Stats
	limiter *limiter
	world   atomic.Pointer[world]
	auth    atomic.Pointer[authStore]
	reqSeq  atomic.Uint64
	routes  map[string]*endpoint
	mux     *http.ServeMux
	pages   pages
	bufs    sync.Pool // *[]byte response buffers, reused across requests
	inbox   inbox     // requests posted to /_sim/inbox/ (scenario.go)

	closeOnce sync.Once
	done      chan struct{}
}

var _ http.Handler = (*Sim)(nil)

// New builds a sandbox from opts.
func New(opts Options) (*Sim, error) {
	if err := opts.applyDefaults(); err != nil {
		return nil, err
	}
	s := &Sim{opts: opts, log: opts.Logger, done: make(chan struct{})}
	s.bufs.New = func() any { b := make([]byte, 0, 16<<10); return &b }
	s.clock = newClock(opts.Start, opts.Speed, time.Now)
	s.stats = newStats()
	s.faults = newFaults(uint64(opts.Seed), s.revoke)
	s.limiter = newLimiter(opts, time.Now)
	s.resetState()
	s.routes = s.buildRoutes()
	s.pages = newPages()
	s.mux = s.buildMux()
	return s, nil
}

func (s *Sim) resetState() {
	w := newWorld(s.opts.Seed, s.opts.Advertisers, s.opts.Start)
	w.cache.max = s.opts.CacheDays
	s.world.Store(w)
	s.auth.Store(newAuthStore(uint64(s.opts.Seed)))
}

// Reset restores the state at creation: a freshly generated world (writes
// undone), no auth codes or tokens, no faults, zeroed stats and rate limits,
// and the clock back at Options.Start.
func (s *Sim) Reset() {
	s.resetState()
	s.faults.ClearAll()
	s.stats.Reset()
	s.limiter.reset()
	s.clock.Set(s.opts.Start)
}

// Close releases requests held by a Timeout fault. The Sim keeps serving.
func (s *Sim) Close() { s.closeOnce.Do(func() { close(s.done) }) }

// Clock returns the simulated clock.
func (s *Sim) Clock() *Clock { return s.clock }

// Faults returns the fault injector.
func (s *Sim) Faults() *Faults { return s.faults }

// Stats returns the request counters.
func (s *Sim) Stats() *Stats { return s.stats }

// AppID returns the app id the sandbox accepts.
func (s *Sim) AppID() int64 { return s.opts.AppID }

// Secret returns the app secret the sandbox accepts.
func (s *Sim) Secret() string { return s.opts.Secret }

// Options returns the effective options (defaults applied).
func (s *Sim) Options() Options { return s.opts }

// TestServer is a Sim served by an httptest.Server. URL is the base URL:
// requests go to URL+"/open_api/...".
type TestServer struct {
	*httptest.Server
	Sim *Sim
}

// NewTestServer starts a sandbox on a loopback port for in-process tests.
func NewTestServer(opts Options) (*TestServer, error) {
	sim, err := New(opts)
	if err != nil {
		return nil, err
	}
	return &TestServer{Server: httptest.NewServer(sim), Sim: sim}, nil
}

// Close releases held requests and shuts the server down.
func (ts *TestServer) Close() {
	ts.Sim.Close()
	ts.Server.CloseClientConnections()
	ts.Server.Close()
}

// ServeHTTP implements http.Handler.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ep, ok := endpointKey(r.URL.Path); ok {
		s.serveAPI(w, r, ep)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// ---- API dispatch ----

// reqCtx carries what a handler needs about one request.
type reqCtx struct {
	s     *Sim
	r     *http.Request
	ep    string
	p     *params
	now   time.Time
	w     *world
	grant *grant
	acct  *Account  // the account advertiser_id names (scopeAccount and narrower)
	st    *advState // the advertiser advertiser_id names (scopeAdvertiser, scopeWrite)
	bufs  []*[]byte // pooled buffers to release once the response is written
}

// scratch returns an empty pooled buffer for building part of a response.
func (rc *reqCtx) scratch() []byte {
	return (*rc.s.bufs.Get().(*[]byte))[:0]
}

// keep registers a (possibly grown) scratch buffer for release.
func (rc *reqCtx) keep(b []byte) { rc.bufs = append(rc.bufs, &b) }

// successEnvelopeHead is what envelope writes before the data of a success.
const successEnvelopeHead = `{"code":0,"message":"OK","data":`

// prerendered is returned by handlers that render their data straight after
// the success envelope's head (the large reports): handle then only appends
// the request id, sparing a copy of the whole body.
type prerendered struct{ b []byte }

// successHead returns a pooled buffer holding the success envelope's head;
// append the data to it and return rc.prerendered(buffer). handle releases
// the buffer (once: registering it twice would hand it to two requests).
func (rc *reqCtx) successHead() []byte { return append(rc.scratch(), successEnvelopeHead...) }

func (rc *reqCtx) prerendered(b []byte) prerendered { return prerendered{b} }

func (s *Sim) release(bufs []*[]byte) {
	for _, b := range bufs {
		if cap(*b) <= 1<<20 { // let unusually large buffers go
			s.bufs.Put(b)
		}
	}
}

// Stat codes recorded for transport-level faults (business codes and HTTP
// statuses of gateway errors are recorded as themselves).
const (
	StatDropped  = -1 // connection closed without a response (Drop, LoseResponse)
	StatTimeout  = -2 // request held until the client gave up (Timeout)
	StatNotFound = -404
)

func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request, ep string) {
	rt := s.routes[ep]
	if rt == nil {
		s.stats.record(ep, StatNotFound)
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// The parameters are read before any fault acts: an advertiser-scoped
	// fault needs the request's advertiser, and net/http only notices a
	// client hanging up (cancelling r.Context) once the body was consumed.
	p, perr := parseParams(r, rt)
	f, hasFault := s.faults.take(ep, requestAdvertiser(rt, p))
	if hasFault {
		if f.Latency > 0 && !s.sleep(r.Context(), f.Latency) {
			s.stats.record(ep, StatTimeout)
			return
		}
		switch {
		case f.Timeout:
			select {
			case <-r.Context().Done():
			case <-s.done:
			}
			s.stats.record(ep, StatTimeout)
			return
		case f.Drop:
			s.stats.record(ep, StatDropped)
			dropConn(w)
			return
		case f.GatewayError != 0:
			s.stats.record(ep, f.GatewayError)
			writeGateway(w, f.GatewayError)
			return
		case f.ErrorRate > 0 && s.faults.roll(f.ErrorRate):
			code := f.Code
			if code == 0 {
				code = CodeSystem
			}
			s.stats.record(ep, code)
			body := s.envelope(nil, s.clock.Now(), code, "fault injected: "+codeText(code), nil)
			writeJSON(w, body)
			return
		}
	}
	body, code, bufs := s.handle(r, ep, rt, p, perr)
	defer s.release(bufs)
	if hasFault && f.LoseResponse {
		s.stats.record(ep, StatDropped)
		dropConn(w)
		return
	}
	s.stats.record(ep, code)
	if hasFault && f.Truncate {
		writeTruncated(w, body)
		return
	}
	writeJSON(w, body)
}

func (s *Sim) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

const maxBody = 1 << 20

// parseParams reads the request's parameters: the query of a GET, the JSON
// body of a POST, the form of an upload.
func parseParams(r *http.Request, rt *endpoint) (*params, *apiError) {
	switch {
	case rt.method == http.MethodGet:
		return parseQuery(r.URL.RawQuery)
	case rt.multipart:
		return parseMultipart(r)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return nil, errParam("request body: %v", err)
	}
	return parseBody(data)
}

// requestAdvertiser is the advertiser a request acts on, for
// advertiser-scoped faults: its advertiser_id parameter on the endpoints
// that resolve one (scope other than none), else 0.
func requestAdvertiser(rt *endpoint, p *params) int64 {
	if rt.scope == scopeNone || p == nil {
		return 0
	}
	id, err := p.id("advertiser_id", false)
	if err != nil {
		return 0
	}
	return id
}

// handle runs one API request, whose parameters parseParams read, and
// returns the envelope, its code and the pooled buffers to release after
// the body was written.
func (s *Sim) handle(r *http.Request, ep string, rt *endpoint, p *params, perr *apiError) ([]byte, int, []*[]byte) {
	now := s.clock.Now()
	if perr != nil {
		return s.envelope(nil, now, perr.code, perr.msg, nil), perr.code, nil
	}
	rc := &reqCtx{s: s, r: r, ep: ep, p: p, now: now, w: s.world.Load()}
	var app int64
	switch rt.auth {
	case authToken:
		g, aerr := s.auth.Load().check(r.Header.Get("Access-Token"), now)
		if aerr != nil {
			return s.envelope(nil, now, aerr.code, aerr.msg, nil), aerr.code, nil
		}
		rc.grant, app = g, g.app
	case authQueryToken, authNone:
		if id, err := p.id("app_id", false); err == nil {
			app = id
		}
	}
	if code := s.limiter.allow(app, ep, rt.quota); code != 0 {
		msg := "request too frequent, please retry later"
		if code == CodeDeveloperLimited {
			msg = "developer request quota exceeded, please retry later"
		}
		return s.envelope(nil, now, code, msg, nil), code, nil
	}
	data, aerr := s.run(rc, rt)
	if aerr != nil {
		s.log.Debug("oesim request", "endpoint", ep, "code", aerr.code, "message", aerr.msg)
		return s.envelope(nil, now, aerr.code, aerr.msg, nil), aerr.code, rc.bufs
	}
	s.log.Debug("oesim request", "endpoint", ep, "code", 0)
	if pr, ok := data.(prerendered); ok {
		out := s.envelopeTail(pr.b, now)
		rc.keep(out)
		return out, CodeOK, rc.bufs
	}
	out := rc.scratch()
	out = s.envelope(out, now, CodeOK, "OK", data)
	rc.keep(out)
	return out, CodeOK, rc.bufs
}

// run resolves the endpoint's scope, then decodes the parameters and calls
// the handler (endpoint.call) under the advertiser's lock.
func (s *Sim) run(rc *reqCtx, rt *endpoint) (any, *apiError) {
	unlock, err := rc.resolveScope(rt.scope)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return rt.call(rc)
}

// envelope renders {"code","message","data","request_id"}, appending to b.
func (s *Sim) envelope(b []byte, now time.Time, code int, msg string, data any) []byte {
	if data == nil {
		data = obj{}
	}
	b = append(b, `{"code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"message":`...)
	b = appendString(b, msg)
	b = append(b, `,"data":`...)
	b = appendJSON(b, data)
	return s.envelopeTail(b, now)
}

// envelopeTail appends the request id and closes the envelope.
func (s *Sim) envelopeTail(b []byte, now time.Time) []byte {
	b = append(b, `,"request_id":"`...)
	b = s.appendRequestID(b, now)
	return append(b, `"}`...)
}

// appendRequestID writes yyyyMMddHHmmss (Beijing) + 20 uppercase hex characters.
func (s *Sim) appendRequestID(b []byte, now time.Time) []byte {
	b = now.In(beijing).AppendFormat(b, "20060102150405")
	n := s.reqSeq.Add(1)
	x, y := h2(uint64(s.opts.Seed), n), h3(uint64(s.opts.Seed), n, 7)
	const hex = "0123456789ABCDEF"
	for i := 0; i < 16; i++ {
		b = append(b, hex[(x>>(60-4*i))&0xF])
	}
	for i := 0; i < 4; i++ {
		b = append(b, hex[(y>>(60-4*i))&0xF])
	}
	return b
}

func writeJSON(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
