package oceanengine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestNoSecretsInLogsMetricsOrErrors drives the flows that handle
// credentials (token exchange, refresh, the token-in-query endpoint,
// failures of each) with debug logging, then searches the logs, the metrics
// and every returned error for any token, auth code or the app secret.
func TestNoSecretsInLogsMetricsOrErrors(t *testing.T) {
	b := setup(t, func(o *options) {
		o.sim.AccessTokenTTL = time.Hour
		o.timeout = 300 * time.Millisecond
	})
	ctx := context.Background()
	adv := b.leaf()
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	faults := b.sim.Faults()

	// The token travels in the query string of oauth2/advertiser/get: a
	// transport error's URL would carry it.
	faults.Set("oauth2/advertiser/get", sandbox.Fault{Drop: true})
	_, err := b.client.AuthorizedAccounts(ctx, b.grant.AccessToken)
	keep(err)
	faults.Set("oauth2/advertiser/get", sandbox.Fault{Timeout: true, Count: 1})
	_, err = b.client.AuthorizedAccounts(ctx, b.grant.AccessToken)
	keep(err)
	faults.Set("oauth2/advertiser/get", sandbox.Fault{GatewayError: 502})
	_, err = b.client.AuthorizedAccounts(ctx, b.grant.AccessToken)
	keep(err)
	faults.ClearAll()
	// Connection refused: net/http's error names the full URL.
	closed, err := New(Config{BaseURL: "http://127.0.0.1:1", AppID: b.sim.AppID(), Secret: b.sim.Secret(), Logger: b.client.log,
		Metrics: b.client.metrics, MaxAttempts: 2, BackoffBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = closed.AuthorizedAccounts(ctx, b.grant.AccessToken)
	var te *TransportError
	if !errors.As(err, &te) || te.Sent {
		t.Errorf("connection refused: err = %v, want a *TransportError with Sent false", err)
	}
	keep(err)
	_, err = b.client.AuthorizedAccounts(ctx, "0123456789abcdef0123456789abcdef01234567") // invalid: 40105 echo risk
	keep(err)

	// A used auth code and a dead refresh token.
	code, _ := b.sim.Authorize(nil)
	b.secrets.add(code)
	tok, err := b.client.ExchangeAuthCode(ctx, code)
	keep(err)
	if tok != nil {
		b.secrets.add(tok.AccessToken, tok.RefreshToken)
		b.client.log.Info("got token", zap.Any("token", tok), zap.Stringer("token_str", tok))
	}
	_, err = b.client.ExchangeAuthCode(ctx, code)
	keep(err)
	_, err = b.client.RefreshToken(ctx, "ffffffffffffffffffffffffffffffffffffffff")
	keep(err)

	// Expiry → refresh; a lost refresh answer; retries with debug logs.
	b.sim.Clock().Advance(2 * time.Hour)
	_, err = b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: adv})
	keep(err)
	b.noteTokens(t)
	faults.Set("2/ad/get", sandbox.Fault{ErrorRate: 1, Code: CodeSystem, Count: 2})
	_, err = b.client.Ads(ctx, AdsRequest{AdvertiserID: adv})
	keep(err)
	b.sim.Clock().Advance(2 * time.Hour)
	faults.Set("oauth2/refresh_token", sandbox.Fault{LoseResponse: true, Count: 1})
	_, err = b.client.Creatives(ctx, CreativesRequest{AdvertiserID: adv})
	keep(err)
	b.noteTokens(t)

	// Revocation: 40105 then 40107.
	b.sim.Faults().RevokeAdvertiser(adv)
	_, err = b.client.Projects(ctx, ProjectsRequest{AdvertiserID: adv})
	keep(err)
	b.noteTokens(t)

	if len(errs) < 8 {
		t.Fatalf("only %d errors produced; the scenario must exercise the failure paths", len(errs))
	}
	logs, metrics := b.logs.String(), b.metricsText(t)
	if !strings.Contains(logs, "request_id") || !strings.Contains(logs, "oceanengine call failed") {
		t.Fatalf("logs lack failure lines with request ids:\n%s", logs)
	}
	if !strings.Contains(metrics, "oceanengine_requests_total") {
		t.Fatal("metrics lack oceanengine_requests_total")
	}
	secrets := b.secrets.all()
	if len(secrets) < 6 {
		t.Fatalf("only %d secrets tracked", len(secrets))
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain secret %.6s…", s)
		}
		if strings.Contains(metrics, s) {
			t.Errorf("metrics contain secret %.6s…", s)
		}
		for _, err := range errs {
			if strings.Contains(err.Error(), s) || strings.Contains(fmt.Sprintf("%+v", err), s) {
				t.Errorf("error %q contains secret %.6s…", err, s)
			}
		}
	}
}
