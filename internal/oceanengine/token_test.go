package oceanengine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestExpiredTokenRefreshedOnce lets the access token expire in the middle
// of a run of concurrent calls: every call succeeds, and the platform sees
// exactly one refresh.
func TestExpiredTokenRefreshedOnce(t *testing.T) {
	b := setup(t, func(o *options) { o.sim.AccessTokenTTL = time.Hour })
	ctx := context.Background()
	advs := b.world.Advertisers()
	if _, err := b.client.AdvertiserFund(ctx, advs[0]); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	b.sim.Clock().Advance(2 * time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := 0; i < 24; i++ {
		wg.Add(1)
		go func(adv int64) {
			defer wg.Done()
			_, err := b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: adv, PageSize: 5})
			errs <- err
		}(advs[i%len(advs)])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("call after expiry: %v", err)
		}
	}
	st := b.sim.Stats()
	if got := st.Total("oauth2/refresh_token"); got != 1 {
		t.Errorf("platform saw %d refreshes, want 1", got)
	}
	if got := st.Count("2/campaign/get", CodeAccessExpired); got < 1 {
		t.Errorf("platform answered 40102 %d times, want ≥ 1 (the test must hit an expired token)", got)
	}
	if got := st.Count("2/campaign/get", CodeOK); got != 24 {
		t.Errorf("%d successful calls, want 24", got)
	}
	if got := b.counter("oceanengine_token_refreshes_total", map[string]string{"result": "ok"}); got < 1 {
		t.Errorf("token_refreshes_total{ok} = %v, want ≥ 1", got)
	}
}

// TestReauthNeeded covers the refusals a refresh cannot cure: a revoked
// authorisation (40105, then 40107 on refresh) and an expired refresh token
// (40102, then 40103).
func TestReauthNeeded(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, b *bundle, err error, callCode, refreshCode int) {
		t.Helper()
		if !NeedsReauth(err) || IsRetryable(err) || !IsPermanent(err) {
			t.Fatalf("err = %v: NeedsReauth %v, IsRetryable %v, IsPermanent %v; want true, false, true", err, NeedsReauth(err), IsRetryable(err), IsPermanent(err))
		}
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.KindForbidden {
			t.Fatalf("apperr = %v, want kind forbidden", ae)
		}
		if d, _ := ae.Data.(map[string]any); d["reason"] != ReasonReauthorize {
			t.Errorf("apperr data = %v, want reason %s", ae.Data, ReasonReauthorize)
		}
		st := b.sim.Stats()
		if got := st.Count("2/ad/get", callCode); got != 1 {
			t.Errorf("platform answered %d %d times, want once", callCode, got)
		}
		if got, ok := st.Count("oauth2/refresh_token", refreshCode), st.Total("oauth2/refresh_token"); got != 1 || ok != 1 {
			t.Errorf("refresh answered %d: %d of %d times, want 1 of 1", refreshCode, got, ok)
		}
		if got := st.Total("2/ad/get"); got != 1 {
			t.Errorf("platform saw %d calls, want 1 (no retry after the failed refresh)", got)
		}
	}
	t.Run("revoked_40105_40107", func(t *testing.T) {
		b := setup(t, nil)
		adv := b.leaf()
		if n := b.sim.Faults().RevokeAdvertiser(adv); n != 1 {
			t.Fatalf("revoked %d grants, want 1", n)
		}
		_, err := b.client.Ads(ctx, AdsRequest{AdvertiserID: adv})
		check(t, b, err, CodeAccessInvalid, CodeRefreshInvalid)
	})
	t.Run("refresh_expired_40102_40103", func(t *testing.T) {
		b := setup(t, func(o *options) { o.sim.AccessTokenTTL, o.sim.RefreshTokenTTL = time.Hour, 2*time.Hour })
		b.sim.Clock().Advance(3 * time.Hour)
		_, err := b.client.Ads(ctx, AdsRequest{AdvertiserID: b.leaf()})
		check(t, b, err, CodeAccessExpired, CodeRefreshExpired)
	})
}

// TestInjected40102 injects a single 40102 on a valid token: the client
// refreshes once and the retry with the new token succeeds.
func TestInjected40102(t *testing.T) {
	b := setup(t, nil)
	b.sim.Faults().Set("v3.0/promotion/list", sandbox.Fault{ErrorRate: 1, Code: CodeAccessExpired, Count: 1})
	p, err := b.client.Promotions(context.Background(), PromotionsRequest{AdvertiserID: b.leaf()})
	if err != nil || len(p.List) == 0 {
		t.Fatalf("Promotions = %v, %v; want a page after one refresh", p, err)
	}
	if got := b.sim.Stats().Count("oauth2/refresh_token", CodeOK); got != 1 {
		t.Errorf("%d refreshes, want 1", got)
	}
}
