package oceanengine

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestTransientFaultsAreRetried injects each transient failure a few times
// in front of a read and checks the call succeeds after exactly that many
// retries.
func TestTransientFaultsAreRetried(t *testing.T) {
	const ep = "2/campaign/get"
	cases := []struct {
		name   string
		fault  sandbox.Fault
		code   int // sandbox stat of a failed attempt
		reason string
	}{
		{"system_error_50000", sandbox.Fault{ErrorRate: 1, Code: CodeSystem, Count: 3}, CodeSystem, "system_error"},
		{"rate_limited_40100_burst", sandbox.Fault{ErrorRate: 1, Code: CodeTooFrequent, Count: 3}, CodeTooFrequent, "rate_limited"},
		{"developer_limited_40110", sandbox.Fault{ErrorRate: 1, Code: CodeDeveloperLimited, Count: 2}, CodeDeveloperLimited, "rate_limited"},
		{"timeout", sandbox.Fault{Timeout: true, Count: 2}, sandbox.StatTimeout, "timeout"},
		{"gateway_502", sandbox.Fault{GatewayError: 502, Count: 2}, 502, "http_5xx"},
		{"connection_dropped", sandbox.Fault{Drop: true, Count: 2}, sandbox.StatDropped, "transport_error"},
		{"truncated_body", sandbox.Fault{Truncate: true, Count: 2}, CodeOK, "transport_error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := setup(t, func(o *options) { o.timeout = 300 * time.Millisecond })
			adv := b.leaf()
			b.sim.Faults().Set(ep, c.fault)
			p, err := b.client.Campaigns(context.Background(), CampaignsRequest{AdvertiserID: adv})
			if err != nil {
				t.Fatalf("call failed: %v", err)
			}
			if len(p.List) == 0 {
				t.Error("no campaigns after recovery")
			}
			failed := c.fault.Count
			st := b.sim.Stats()
			if got := st.Count(ep, c.code); c.code != CodeOK && got != failed {
				t.Errorf("sandbox saw %d attempts ending %d, want %d", got, c.code, failed)
			}
			b.checkAttempts(t, ep, failed+1)
			// net/http itself resends a GET whose reused connection was closed
			// before any answer, so a dropped connection may cost no retry of ours.
			minRetries := failed
			if c.fault.Drop {
				minRetries = 0
			}
			if got := int(b.counter("oceanengine_retries_total", map[string]string{"endpoint": ep, "reason": c.reason})); got < minRetries || got > failed {
				t.Errorf("retries{reason=%s} = %v, want %d..%d", c.reason, got, minRetries, failed)
			}
		})
	}
}

// TestRateLimitSlowsTheGroup checks that a 40100 burst lowers the shared
// rate of the endpoint's group (seen by a second limiter on the same Redis)
// and that the call still succeeds.
func TestRateLimitSlowsTheGroup(t *testing.T) {
	b := setup(t, nil)
	b.sim.Faults().Set("2/report/ad/get", sandbox.Fault{ErrorRate: 1, Code: CodeTooFrequent, Count: 4})
	_, err := b.client.Report(context.Background(), ReportAd, ReportRequest{AdvertiserID: b.leaf(), StartDate: "2025-06-16", EndDate: "2025-06-16"})
	if err != nil {
		t.Fatalf("call failed: %v", err)
	}
	other, err := NewRedisLimiter(b.rdb, LimiterConfig{AppID: b.sim.AppID(), QPS: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if f := other.Factor(ctx, GroupReport); f >= 0.9 || f < 0.1 {
		t.Errorf("report factor seen by another process = %v, want slowed to about 0.5", f)
	}
	if f := other.Factor(ctx, GroupEntityRead); f != 1 {
		t.Errorf("entity_read factor = %v, want 1 (untouched)", f)
	}
}

// TestPermanentErrorsAreNotRetried checks parameter, permission and app
// errors end the call after one attempt.
func TestPermanentErrorsAreNotRetried(t *testing.T) {
	b := setup(t, nil)
	ctx := context.Background()
	adv := b.leaf()
	cases := []struct {
		name string
		ep   string
		call func() error
		code int
		kind apperr.Kind
	}{
		{"parameter_40001", "2/campaign/get", func() error {
			_, err := b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: adv, PageSize: 5000})
			return err
		}, CodeParam, apperr.KindUpstream},
		{"filtering_40003", "2/ad/get", func() error {
			_, err := b.client.Ads(ctx, AdsRequest{AdvertiserID: adv, Filtering: &AdFilter{AdModifyTime: "yesterday"}})
			return err
		}, CodeParam, apperr.KindUpstream},
		{"no_permission_40002", "2/advertiser/fund/get", func() error {
			b.tokens.Put(b.grant, 1234567890123456) // a token that does not cover the account
			_, err := b.client.AdvertiserFund(ctx, 1234567890123456)
			return err
		}, CodeNoPermission, apperr.KindForbidden},
		{"injected_40101", "2/creative/get", func() error {
			b.sim.Faults().Set("2/creative/get", sandbox.Fault{ErrorRate: 1, Code: CodeInvalidApp})
			_, err := b.client.Creatives(ctx, CreativesRequest{AdvertiserID: adv})
			return err
		}, CodeInvalidApp, apperr.KindUpstream},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b.sim.Stats().Reset()
			err := c.call()
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != c.code || ae.RequestID == "" || ae.Endpoint != c.ep {
				t.Fatalf("err = %v, want *APIError %d from %s with a request id", err, c.code, c.ep)
			}
			if !IsPermanent(err) || IsRetryable(err) {
				t.Errorf("IsPermanent = %v, IsRetryable = %v; want true, false", IsPermanent(err), IsRetryable(err))
			}
			b.checkAttempts(t, c.ep, 1)
			if k := apperr.KindOf(err); k != c.kind {
				t.Errorf("apperr kind = %s, want %s", k, c.kind)
			}
		})
	}
}

// TestRetriesAreBounded keeps a fault on and checks the call gives up after
// max_attempts, and earlier when the total time bound would be exceeded.
func TestRetriesAreBounded(t *testing.T) {
	const ep = "v3.0/project/list"
	t.Run("max_attempts", func(t *testing.T) {
		b := setup(t, func(o *options) { o.client.MaxAttempts = 4 })
		b.sim.Faults().Set(ep, sandbox.Fault{ErrorRate: 1, Code: CodeSystem})
		_, err := b.client.Projects(context.Background(), ProjectsRequest{AdvertiserID: b.leaf()})
		if c, _ := apiCode(err); c != CodeSystem || !IsRetryable(err) {
			t.Fatalf("err = %v, want the last 50000", err)
		}
		b.checkAttempts(t, ep, 4)
	})
	t.Run("max_elapsed", func(t *testing.T) {
		// The client's clock moves 50 ms with each attempt and by nothing
		// else, so how many attempts fit does not depend on the machine.
		clock := fakeclock.New(time.Date(2025, 6, 18, 10, 0, 0, 0, time.UTC))
		b := setup(t, func(o *options) {
			o.client.MaxAttempts = 100
			o.client.BackoffBase, o.client.BackoffMax, o.client.MaxElapsed = 40*time.Millisecond, 40*time.Millisecond, 150*time.Millisecond
			o.client.Now = clock.Now
		})
		b.rec.mu.Lock()
		b.rec.sent = func() { clock.Advance(50 * time.Millisecond) }
		b.rec.mu.Unlock()
		b.sim.Faults().Set(ep, sandbox.Fault{ErrorRate: 1, Code: CodeSystem})
		_, err := b.client.Projects(context.Background(), ProjectsRequest{AdvertiserID: b.leaf()})
		if err == nil {
			t.Fatal("call succeeded under a permanent fault")
		}
		// Backoff sleeps are 20–40 ms: after the second attempt (100 ms) one
		// ends by 140 ms, after the third (150 ms) none would end in time.
		if got := b.sim.Stats().Total(ep); got != 3 {
			t.Errorf("sandbox saw %d attempts, want 3 within MaxElapsed", got)
		}
	})
	t.Run("context_deadline", func(t *testing.T) {
		b := setup(t, func(o *options) { o.client.MaxAttempts = 100 })
		b.sim.Faults().Set(ep, sandbox.Fault{Timeout: true})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := b.client.Projects(ctx, ProjectsRequest{AdvertiserID: b.leaf()})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the context's deadline", err)
		}
	})
}

// TestWritesAreNotRepeated checks the write policy: no retry when the
// write may have happened, retry when the refusal proves it did not, and
// retry of creates made idempotent with unique_fk.
func TestWritesAreNotRepeated(t *testing.T) {
	ctx := context.Background()
	t.Run("system_error_not_retried", func(t *testing.T) {
		b := setup(t, nil)
		ad := b.world.Ads(b.leaf())[0]
		b.sim.Faults().Set("2/ad/update/bid", sandbox.Fault{ErrorRate: 1, Code: CodeSystem, Count: 1})
		_, err := b.client.UpdateAdBid(ctx, AdBidRequest{AdvertiserID: b.leaf(), Data: []AdBid{{AdID: ad.ID, Bid: MustYuan("1.11")}}})
		if !IsOutcomeUnknown(err) || IsRetryable(err) {
			t.Fatalf("err = %v, want an unknown outcome that is not retryable", err)
		}
		if c, _ := apiCode(err); c != CodeSystem {
			t.Errorf("cause code = %d, want 50000", c)
		}
		b.checkAttempts(t, "2/ad/update/bid", 1)
	})
	t.Run("lost_response_not_retried", func(t *testing.T) {
		b := setup(t, nil)
		ad := b.world.Ads(b.leaf())[0]
		b.sim.Faults().Set("2/ad/update/status", sandbox.Fault{LoseResponse: true, Count: 1})
		_, err := b.client.UpdateAdStatus(ctx, AdStatusRequest{AdvertiserID: b.leaf(), AdIDs: []int64{ad.ID}, OptStatus: OptDisable})
		var te *TransportError
		if !IsOutcomeUnknown(err) || !errors.As(err, &te) {
			t.Fatalf("err = %v, want an unknown outcome from a transport error", err)
		}
		b.checkAttempts(t, "2/ad/update/status", 1)
		if e := findEntity(b.sim.World().Ads(b.leaf()), ad.ID); e.OptStatus != "DISABLE" {
			t.Errorf("the write was applied by the sandbox (opt %s): the error must not claim otherwise", e.OptStatus)
		}
	})
	t.Run("rate_limit_retried", func(t *testing.T) {
		b := setup(t, nil)
		ad := b.world.Ads(b.leaf())[0]
		b.sim.Faults().Set("2/ad/update/bid", sandbox.Fault{ErrorRate: 1, Code: CodeTooFrequent, Count: 2})
		_, err := b.client.UpdateAdBid(ctx, AdBidRequest{AdvertiserID: b.leaf(), Data: []AdBid{{AdID: ad.ID, Bid: MustYuan("1.11")}}})
		if err != nil {
			t.Fatalf("err = %v, want success after the quota refusals", err)
		}
		if got := b.sim.Stats().Count("2/ad/update/bid", CodeOK); got != 1 {
			t.Errorf("sandbox applied %d writes, want 1", got)
		}
	})
	t.Run("unique_fk_create_retried", func(t *testing.T) {
		b := setup(t, func(o *options) { o.timeout = 300 * time.Millisecond })
		adv := b.leaf()
		b.sim.Faults().Set("2/campaign/create", sandbox.Fault{LoseResponse: true, Count: 2})
		req := CampaignCreateRequest{AdvertiserID: adv, CampaignName: "fk campaign", BudgetMode: BudgetModeInfinite, LandingType: "LINK", UniqueFK: "order-42"}
		res, err := b.client.CreateCampaign(ctx, req)
		if err != nil {
			t.Fatalf("CreateCampaign: %v", err)
		}
		id := res.ID
		n := 0
		for _, c := range b.sim.World().Campaigns(adv) {
			if c.Name == "fk campaign" {
				n++
				if c.ID != id {
					t.Errorf("created %d, client got %d", c.ID, id)
				}
			}
		}
		if n != 1 || b.sim.Stats().Total("2/campaign/create") != 3 {
			t.Errorf("%d campaigns after %d attempts, want 1 after 3", n, b.sim.Stats().Total("2/campaign/create"))
		}
	})
	t.Run("create_without_fk_not_retried", func(t *testing.T) {
		b := setup(t, nil)
		b.sim.Faults().Set("2/campaign/create", sandbox.Fault{GatewayError: 502, Count: 1})
		_, err := b.client.CreateCampaign(ctx, CampaignCreateRequest{AdvertiserID: b.leaf(), CampaignName: "x", BudgetMode: BudgetModeInfinite, LandingType: "LINK"})
		var he *HTTPError
		if !IsOutcomeUnknown(err) || !errors.As(err, &he) || he.StatusCode != 502 {
			t.Fatalf("err = %v, want an unknown outcome carrying HTTP 502", err)
		}
		b.checkAttempts(t, "2/campaign/create", 1)
	})
	t.Run("refresh_token_not_retried", func(t *testing.T) {
		b := setup(t, nil)
		b.sim.Faults().Set("oauth2/refresh_token", sandbox.Fault{Timeout: true, Count: 1})
		b.client.http.Timeout = 200 * time.Millisecond
		_, err := b.client.RefreshToken(ctx, b.grant.RefreshToken)
		if !IsOutcomeUnknown(err) {
			t.Fatalf("err = %v, want an unknown outcome", err)
		}
		// Counted on the wire: the sandbox records a held POST only when it
		// is closed (it never reads the body, so it does not see the client leave).
		if got := b.rec.count("/oauth2/refresh_token/"); got != 1 {
			t.Errorf("client sent %d refresh attempts, want 1", got)
		}
	})
}

// TestBreakerStopsHammering opens the breaker with a gateway outage, checks
// calls then fail fast without reaching the platform, and that it closes
// again after the outage.
func TestBreakerStopsHammering(t *testing.T) {
	clock := fakeclock.New(time.Date(2025, 6, 18, 10, 0, 0, 0, time.UTC))
	b := setup(t, func(o *options) {
		o.client.MaxAttempts = 2
		o.client.Breaker = BreakerConfig{ConsecutiveFailures: 4, OpenFor: 15 * time.Second}
		o.client.Now = clock.Now
	})
	ctx := context.Background()
	adv := b.leaf()
	b.sim.Faults().Set(sandbox.AllEndpoints, sandbox.Fault{GatewayError: 503})
	for i := 0; i < 2; i++ {
		if _, err := b.client.Ads(ctx, AdsRequest{AdvertiserID: adv}); err == nil {
			t.Fatal("call succeeded during the outage")
		}
	}
	if st := b.client.BreakerState(GroupEntityRead); st != "open" {
		t.Fatalf("breaker = %s after 4 failures, want open", st)
	}
	seen := b.sim.Stats().Total(sandbox.AllEndpoints)
	_, err := b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: adv})
	var be *BreakerOpenError
	if !errors.As(err, &be) || apperr.KindOf(err) != apperr.KindUnavailable {
		t.Fatalf("err = %v, want *BreakerOpenError (unavailable)", err)
	}
	if got := b.sim.Stats().Total(sandbox.AllEndpoints); got != seen {
		t.Errorf("sandbox saw %d more requests while the breaker was open", got-seen)
	}
	if _, err := b.client.AdvertiserFund(ctx, adv); err == nil || errors.As(err, &be) {
		t.Errorf("account group call: err = %v, want a real attempt (breakers are per group)", err)
	}
	if got := b.counter("oceanengine_breaker_state", map[string]string{"group": GroupEntityRead}); got != 2 {
		t.Errorf("breaker_state gauge = %v, want 2 (open)", got)
	}
	clock.Advance(14 * time.Second)
	if st := b.client.BreakerState(GroupEntityRead); st != "open" {
		t.Fatalf("breaker = %s before OpenFor has passed, want open", st)
	}
	b.sim.Faults().ClearAll()
	clock.Advance(2 * time.Second)
	if st := b.client.BreakerState(GroupEntityRead); st != "half-open" {
		t.Fatalf("breaker = %s once OpenFor has passed, want half-open", st)
	}
	if _, err := b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: adv}); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
	if st := b.client.BreakerState(GroupEntityRead); st != "closed" {
		t.Errorf("breaker = %s after a successful probe, want closed", st)
	}
}

// TestLimiterSurvivesRedisOutage stops Redis: calls go on with the
// per-process fallback, and the outage is counted.
func TestLimiterSurvivesRedisOutage(t *testing.T) {
	b := setup(t, nil)
	b.redis.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: b.leaf()}); err != nil {
		t.Fatalf("call with Redis down: %v", err)
	}
	if got := b.counter("oceanengine_limiter_redis_errors_total", map[string]string{"group": GroupEntityRead}); got < 1 {
		t.Errorf("limiter redis errors = %v, want ≥ 1", got)
	}
	b.redis.Restart()
	if _, err := b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: b.leaf()}); err != nil {
		t.Fatalf("call after Redis came back: %v", err)
	}
}

// roundTripFunc answers requests with a function (an answer the sandbox
// never gives).
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestAnswerWithoutCodeIsAnError: a 200 JSON object without a code (or with
// a null one) is not an envelope: the call fails instead of reading it as
// code 0, a success with whatever data it holds.
func TestAnswerWithoutCodeIsAnError(t *testing.T) {
	for _, body := range []string{`{"message":"OK","data":{"list":[{"id":1}]}}`, `{"code":null,"data":{}}`, `{}`,
		`{"code":"","data":{"list":[{"id":1}]}}`, `{"code":"OK","data":{}}`, `{"code":[0],"data":{}}`} {
		tokens := &MemoryTokenStore{}
		tokens.Put(&Token{AccessToken: "a", RefreshToken: "r", AdvertiserID: 7})
		c, err := New(Config{BaseURL: "http://oe.invalid", Tokens: tokens, MaxAttempts: 1,
			HTTPClient: &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(strings.NewReader(body))}, nil
			})}})
		if err != nil {
			t.Fatal(err)
		}
		page, err := c.Campaigns(context.Background(), CampaignsRequest{AdvertiserID: 7})
		var he *HTTPError
		if !errors.As(err, &he) || he.StatusCode != 200 || !IsPermanent(err) {
			t.Errorf("%s: page %+v, err %v; want a permanent *HTTPError", body, page, err)
		}
	}
}
