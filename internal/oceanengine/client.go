// Package oceanengine is the client of the OceanEngine (巨量引擎) Marketing
// Open API. Every call the system makes to the platform goes through it.
//
// A Client encodes requests the way the platform expects (JSON-encoded GET
// parameters, the Access-Token header, exact int64 ids and money), waits on
// a quota shared by every process through Redis, retries transient failures
// with exponential backoff and jitter (never repeating a write that may have
// been applied), refreshes an expired access token once through its
// TokenSource, stops calling a failing endpoint group with a circuit breaker,
// and reports Prometheus metrics. Errors are typed (*APIError, *HTTPError,
// *TransportError, *BatchError, ...) and carry their apperr kind.
//
// See docs/oceanengine-client.md for the endpoint groups, the retry policy
// and the error mapping.
package oceanengine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
)

// maxBody bounds a response body (a report page of 1000 rows is well below).
const maxBody = 64 << 20

// Config configures a Client.
type Config struct {
	// BaseURL is the platform's base, with or without the trailing
	// "/open_api" (https://ad.oceanengine.com/open_api, or a sandbox URL).
	BaseURL string
	AppID   int64
	Secret  string
	// HTTPClient sends the requests; its Timeout bounds one attempt
	// (oceanengine.timeout). nil: a client with a 30s timeout.
	HTTPClient *http.Client
	// Tokens gives access tokens for token-scoped calls.
	Tokens TokenSource
	// Limiter is the shared quota; nil disables limiting (tools only).
	Limiter Limiter
	// Metrics receives the client's metrics; nil: unregistered collectors.
	Metrics *Metrics
	Logger  *zap.Logger
	// MaxAttempts bounds the attempts of one call (oceanengine.max_attempts;
	// default 5). A token refresh adds one attempt on top.
	MaxAttempts int
	// MaxElapsed bounds the time of one call, waits and backoff included
	// (default 2m); no backoff sleep starts that would end after it.
	MaxElapsed time.Duration
	// BackoffBase and BackoffMax shape the exponential backoff: attempt n
	// waits a random time in [d/2, d] with d = min(BackoffMax,
	// BackoffBase·2^(n-1)) (defaults 250ms and 10s).
	BackoffBase, BackoffMax time.Duration
	Breaker                 BreakerConfig
	// DebugMode sends X-Debug-Mode: 1 (the real platform's sandbox mode).
	DebugMode bool
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Client calls the Open API. It is safe for concurrent use.
type Client struct {
	base     string
	appID    int64
	secret   string
	http     *http.Client
	tokens   TokenSource
	limiter  Limiter
	metrics  *Metrics
	log      *zap.Logger
	breakers *breakers
	cfg      Config
	now      func() time.Time
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("oceanengine: base URL %q is not an absolute URL", cfg.BaseURL)
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	if !strings.HasSuffix(base, "/open_api") {
		base += "/open_api"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Metrics == nil {
		cfg.Metrics, _ = NewMetrics(nil)
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.MaxElapsed <= 0 {
		cfg.MaxElapsed = 2 * time.Minute
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = 250 * time.Millisecond
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{
		base: base, appID: cfg.AppID, secret: cfg.Secret, http: cfg.HTTPClient, tokens: cfg.Tokens,
		limiter: cfg.Limiter, metrics: cfg.Metrics, log: cfg.Logger.Named("oceanengine"),
		breakers: newBreakers(cfg.Breaker, cfg.Metrics, cfg.Now), cfg: cfg, now: cfg.Now,
	}, nil
}

// NewFromConfig builds a client from the oceanengine config section: an
// http.Client with oceanengine.timeout, a RedisLimiter on rdb with
// oceanengine.qps/group_qps, and oceanengine.max_attempts.
func NewFromConfig(c config.OceanEngine, rdb goredis.UniversalClient, tokens TokenSource, metrics *Metrics, log *zap.Logger) (*Client, error) {
	lim, err := NewRedisLimiter(rdb, LimiterConfig{AppID: c.AppID, QPS: c.QPS, GroupQPS: c.GroupQPS, Metrics: metrics, Logger: log})
	if err != nil {
		return nil, err
	}
	return New(Config{
		BaseURL: c.BaseURL, AppID: c.AppID, Secret: c.Secret,
		HTTPClient: &http.Client{Timeout: time.Duration(c.Timeout)},
		Tokens:     tokens, Limiter: NewUsageCounter(rdb, c.AppID, nil).Wrap(lim), Metrics: metrics, Logger: log, MaxAttempts: c.MaxAttempts,
	})
}

// BreakerState returns the circuit breaker state of an endpoint group:
// "closed", "half-open" or "open".
func (c *Client) BreakerState(group string) string { return c.breakers.state(group).String() }

// call is one logical API call.
type call struct {
	ep     endpoint
	acct   int64 // the account whose token authenticates (authHeader)
	params any   // GET parameters or POST body
	out    any   // decodes data (nil: ignored)
	// idempotent marks a write the platform deduplicates (unique_fk).
	idempotent bool
	// secrets in params, removed from anything logged or returned.
	secrets []string
}

// envelope is the platform's response wrapper. Code is a pointer so that
// an answer without one is told from code 0 (success).
type envelope struct {
	Code      json.RawMessage `json:"code"`
	Message   string          `json:"message"`
	Data      json.RawMessage `json:"data"`
	RequestID string          `json:"request_id"`
}

// code is the answer's code, an integer that may arrive quoted; ok is
// false when it is missing, null, empty or not an integer: such an answer
// is not the platform's envelope, and its data must not be used.
func (e envelope) code() (code int64, ok bool) {
	s := unquote(bytes.TrimSpace(e.Code))
	v, err := strconv.ParseInt(string(s), 10, 64)
	return v, err == nil
}

// do runs a call: quota, breaker, attempt, token refresh, retries. It
// returns the request_id of the successful answer.
func (c *Client) do(ctx context.Context, cl call) (string, error) {
	ep := cl.ep
	deadline := c.now().Add(c.cfg.MaxElapsed)
	var token string
	if ep.auth == authHeader {
		if c.tokens == nil {
			return "", fmt.Errorf("oceanengine: %s: client has no TokenSource", ep.key)
		}
		t, err := c.tokens.AccessToken(ctx, cl.acct)
		if err != nil {
			return "", fmt.Errorf("oceanengine: %s: access token for advertiser %d: %w", ep.key, cl.acct, err)
		}
		token = t
	}
	refreshed := false
	for attempt := 1; ; attempt++ {
		done, ok := c.breakers.allow(ep.group)
		if !ok {
			err := &BreakerOpenError{Group: ep.group, Endpoint: ep.key}
			c.log.Warn("oceanengine call refused: circuit open", zap.String("endpoint", ep.key), zap.String("group", ep.group), zap.Int64("advertiser_id", cl.acct))
			return "", err
		}
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx, ep.group); err != nil {
				done(err)
				return "", &QuotaWaitError{Group: ep.group, Endpoint: ep.key, Err: err}
			}
		}
		rid, data, err := c.attempt(ctx, cl, token)
		done(err)
		if err == nil {
			if cl.out != nil && len(data) > 0 && string(data) != "null" {
				if derr := json.Unmarshal(data, cl.out); derr != nil {
					err := &DecodeError{Endpoint: ep.key, RequestID: rid, Err: derr}
					c.metrics.requests.WithLabelValues(ep.key, codeDecode).Inc()
					c.logFailure(cl, attempt, err)
					return rid, err
				}
			}
			return rid, nil
		}
		if ctx.Err() != nil {
			return rid, err
		}
		if ep.auth == authHeader && !refreshed && tokenRefused(err) {
			refreshed = true
			code, _ := apiCode(err)
			nt, rerr := c.tokens.Refresh(ctx, cl.acct, token)
			if rerr != nil {
				c.metrics.refreshes.WithLabelValues("error").Inc()
				rerr = fmt.Errorf("oceanengine: %s: refresh the access token of advertiser %d after code %d: %w", ep.key, cl.acct, code, rerr)
				c.logFailure(cl, attempt, rerr)
				return rid, rerr
			}
			c.metrics.refreshes.WithLabelValues("ok").Inc()
			c.metrics.retries.WithLabelValues(ep.key, "token_refresh").Inc()
			c.log.Info("oceanengine access token refreshed", zap.String("endpoint", ep.key), zap.Int64("advertiser_id", cl.acct),
				zap.Int("code", code), zap.String("request_id", rid))
			token = nt
			attempt-- // the refreshed retry does not use up an attempt
			continue
		}
		if IsRateLimited(err) && c.limiter != nil {
			if code, _ := apiCode(err); code == CodeDeveloperLimited {
				for _, g := range Groups() { // the developer quota covers the whole app
					c.limiter.Penalize(ctx, g)
				}
			} else {
				c.limiter.Penalize(ctx, ep.group)
			}
		}
		reason, transient := retryReason(err)
		if transient && !(ep.idempotent || cl.idempotent) && !provesNotApplied(err) {
			err = &OutcomeUnknownError{Endpoint: ep.key, Err: err}
			transient = false
		}
		if !transient || attempt >= c.cfg.MaxAttempts {
			c.logFailure(cl, attempt, err)
			return rid, err
		}
		d := c.backoff(attempt)
		if c.now().Add(d).After(deadline) {
			c.logFailure(cl, attempt, err)
			return rid, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			c.logFailure(cl, attempt, err)
			return rid, err
		}
		c.metrics.retries.WithLabelValues(ep.key, reason).Inc()
		c.log.Debug("oceanengine retry", zap.String("endpoint", ep.key), zap.Int64("advertiser_id", cl.acct),
			zap.Int("attempt", attempt), zap.Duration("backoff", d), zap.String("request_id", rid), zap.Error(err))
		if serr := sleep(ctx, d); serr != nil {
			return rid, fmt.Errorf("oceanengine: %s: %w (last error: %w)", ep.key, serr, err)
		}
	}
}

func (c *Client) logFailure(cl call, attempts int, err error) {
	fields := []zap.Field{zap.String("endpoint", cl.ep.key), zap.Int("attempts", attempts), zap.Error(err)}
	if cl.acct != 0 {
		fields = append(fields, zap.Int64("advertiser_id", cl.acct))
	}
	var ae *APIError
	if errors.As(err, &ae) {
		fields = append(fields, zap.Int("code", ae.Code), zap.String("request_id", ae.RequestID))
	}
	var de *DecodeError
	if errors.As(err, &de) {
		fields = append(fields, zap.String("request_id", de.RequestID))
	}
	c.log.Warn("oceanengine call failed", fields...)
}

// backoff returns the sleep before attempt+1: exponential with jitter.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.BackoffBase << min(attempt-1, 20)
	if d > c.cfg.BackoffMax || d <= 0 {
		d = c.cfg.BackoffMax
	}
	half := d / 2
	return half + rand.N(half+1)
}

// tokenRefused reports a refusal that a token refresh may cure.
func tokenRefused(err error) bool {
	c, ok := apiCode(err)
	return ok && (c == CodeAccessExpired || c == CodeAccessInvalid)
}

// retryReason classifies a transient error for the retries metric.
func retryReason(err error) (string, bool) {
	if c, ok := apiCode(err); ok {
		switch {
		case isRateCode(c):
			return "rate_limited", true
		case c == CodeSystem:
			return "system_error", true
		}
		return "", false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		switch {
		case he.StatusCode == 429:
			return "rate_limited", true
		case he.StatusCode >= 500:
			return "http_5xx", true
		}
		return "", false
	}
	var te *TransportError
	if errors.As(err, &te) {
		if te.Timeout {
			return "timeout", true
		}
		return "transport_error", true
	}
	return "", false
}

// provesNotApplied reports an error that shows the platform did not act on
// the request: a quota refusal, or a connection that was never opened.
func provesNotApplied(err error) bool {
	if c, ok := apiCode(err); ok {
		return c != CodeSystem
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.StatusCode == 429
	}
	var te *TransportError
	return errors.As(err, &te) && !te.Sent
}

// attempt sends one request and returns the envelope's request_id and data.
func (c *Client) attempt(ctx context.Context, cl call, token string) (string, json.RawMessage, error) {
	ep := cl.ep
	secrets := append([]string{token, c.secret}, cl.secrets...)
	req, err := c.newRequest(ctx, cl, token)
	if err != nil {
		return "", nil, err
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.metrics.duration.WithLabelValues(ep.key).Observe(time.Since(start).Seconds())
		if ctx.Err() != nil {
			return "", nil, fmt.Errorf("oceanengine: %s: %w", ep.key, ctx.Err())
		}
		te := transportError(ep.key, err, secrets)
		code := codeTransport
		if te.Timeout {
			code = codeTimeout
		}
		c.metrics.requests.WithLabelValues(ep.key, code).Inc()
		return "", nil, te
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	c.metrics.duration.WithLabelValues(ep.key).Observe(time.Since(start).Seconds())
	if err != nil {
		if ctx.Err() != nil {
			return "", nil, fmt.Errorf("oceanengine: %s: %w", ep.key, ctx.Err())
		}
		te := transportError(ep.key, err, secrets)
		te.Sent = true
		code := codeTransport
		if te.Timeout {
			code = codeTimeout
		}
		c.metrics.requests.WithLabelValues(ep.key, code).Inc()
		return "", nil, te
	}
	httpErr := func() *HTTPError {
		snippet := string(body)
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return &HTTPError{StatusCode: resp.StatusCode, Endpoint: ep.key, ContentType: resp.Header.Get("Content-Type"), Body: scrub(snippet, secrets...)}
	}
	if resp.StatusCode != http.StatusOK {
		c.metrics.requests.WithLabelValues(ep.key, "http_"+strconv.Itoa(resp.StatusCode)).Inc()
		return "", nil, httpErr()
	}
	var env envelope
	err = json.Unmarshal(body, &env)
	code, ok := env.code()
	if err != nil || !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) || !ok {
		c.metrics.requests.WithLabelValues(ep.key, codeNotJSON).Inc()
		return "", nil, httpErr()
	}
	c.metrics.requests.WithLabelValues(ep.key, strconv.FormatInt(code, 10)).Inc()
	if code != CodeOK {
		return env.RequestID, nil, &APIError{Code: int(code), Message: scrub(env.Message, secrets...), RequestID: env.RequestID, Endpoint: ep.key}
	}
	return env.RequestID, env.Data, nil
}

func (c *Client) newRequest(ctx context.Context, cl call, token string) (*http.Request, error) {
	ep := cl.ep
	u := c.base + "/" + ep.key + "/"
	var req *http.Request
	var err error
	if ep.method == http.MethodGet {
		q, qerr := encodeQuery(cl.params)
		if qerr != nil {
			return nil, qerr
		}
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	} else {
		body, berr := encodeBody(cl.params)
		if berr != nil {
			return nil, berr
		}
		req, err = http.NewRequestWithContext(ctx, ep.method, u, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("oceanengine: %s: build request: %w", ep.key, err)
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Access-Token", token)
	}
	if c.cfg.DebugMode {
		req.Header.Set("X-Debug-Mode", "1")
	}
	return req, nil
}

// transportError converts an http.Client error, dropping the URL (it may
// carry credentials in the query string of oauth2/advertiser/get).
func transportError(key string, err error, secrets []string) *TransportError {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	var ne net.Error
	timeout := errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
	var oe *net.OpError
	sent := !(errors.As(err, &oe) && oe.Op == "dial")
	return &TransportError{Endpoint: key, Timeout: timeout, Sent: sent, Err: scrubbedError{msg: scrub(cause.Error(), secrets...), cause: cause}}
}

// scrubbedError keeps a cause reachable for errors.Is/As while its text has
// credentials removed.
type scrubbedError struct {
	msg   string
	cause error
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.cause }
