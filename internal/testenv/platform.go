package testenv

import (
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	redisstore "github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// OnSandbox returns cfg aimed at the sandbox server ts: its URL and its
// app's id and secret.
func OnSandbox(ts *sandbox.TestServer, cfg oceanengine.Config) oceanengine.Config {
	cfg.BaseURL, cfg.AppID, cfg.Secret = ts.URL, ts.Sim.AppID(), ts.Sim.Secret()
	return cfg
}

// Limiter returns the Redis rate limiter cfg describes.
func Limiter(t testing.TB, rdb goredis.UniversalClient, cfg oceanengine.LimiterConfig) *oceanengine.RedisLimiter {
	t.Helper()
	lim, err := oceanengine.NewRedisLimiter(rdb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return lim
}

// TokenClient returns the accounts token store on db and rdb and the client
// cfg describes, which takes its
// tokens from the store and which the store refreshes through.
func TokenClient(t testing.TB, db *mysql.DB, rdb goredis.UniversalClient, keys *tokencrypt.Keyring,
	so accounts.StoreOptions, cfg oceanengine.Config) (*accounts.TokenStore, *oceanengine.Client) {
	t.Helper()
	store := accounts.NewTokenStore(db, rdb, nil, keys, so)
	cfg.Tokens = store
	client, err := oceanengine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	store.SetRefresher(client)
	return store, client
}

// Accounts returns the accounts service that binds through the sandbox
// server ts, on its clock; cfg adds the rest (metrics).
func Accounts(ts *sandbox.TestServer, db *mysql.DB, rdb goredis.UniversalClient, store *accounts.TokenStore,
	client *oceanengine.Client, cfg accounts.Config) *accounts.Service {
	cfg.AppID, cfg.AuthorizeURL, cfg.PublicURL, cfg.Now = ts.Sim.AppID(), ts.URL+"/audit/oauth.html", "http://api.test", ts.Sim.Clock().Now
	return accounts.NewService(db, redisstore.NewOAuthStates(rdb), store, client, cfg)
}

// Bind runs the accounts OAuth flow for user: authorise, consent in the
// sandbox to ids (nil: every top-level account), callback.
func Bind(t testing.TB, svc *accounts.Service, sim *sandbox.Sim, user int64, ids []int64) accounts.BindOutcome {
	t.Helper()
	ctx := context.Background()
	res, err := svc.Authorize(ctx, user, false)
	if err != nil {
		t.Fatal(err)
	}
	code, err := sim.Authorize(ids)
	if err != nil {
		t.Fatal(err)
	}
	out, err := svc.Callback(ctx, accounts.CallbackInput{State: res.State, AuthCode: code})
	if err != nil {
		t.Fatalf("callback: %v", err)
	}
	return out
}
