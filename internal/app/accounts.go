package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// Platform is a process's access to OceanEngine: the one token store and
// the one client that uses it (every OceanEngine call of the process goes
// through Client), plus the accounts service.
type Platform struct {
	Keys     *tokencrypt.Keyring
	Store    *accounts.TokenStore
	Client   *oceanengine.Client
	Accounts *accounts.Service
}

// oceanEngine returns the process's Platform, built on first use from
// crypto.*, oceanengine.*, sync.token_refresh_margin and server.public_url.
// It fails with tokencrypt.ErrNoActiveKey when no encryption key is
// configured: then no OceanEngine token can be stored or read. Call it
// while wiring the process (it is not safe for concurrent first use).
func (b *base) oceanEngine() (*Platform, error) {
	if b.platform != nil || b.platformErr != nil {
		return b.platform, b.platformErr
	}
	b.platform, b.platformErr = newPlatform(b.cfg, b.db, b.rdb, b.log, b.audit, b.build.Component == "worker")
	return b.platform, b.platformErr
}

// platformOrOff returns the process's Platform, or nil when no encryption
// key is configured, after warning what is disabled ("ad operations are
// disabled") and which settings enable it.
func (b *base) platformOrOff(disabled string) (*Platform, error) {
	p, err := b.oceanEngine()
	if errors.Is(err, tokencrypt.ErrNoActiveKey) {
		b.log.Warn(disabled + ": set crypto.keys and crypto.active_key (CRYPTO_KEYS, CRYPTO_ACTIVE_KEY)")
		return nil, nil
	}
	return p, err
}

// newPlatform builds the token store, the client and the accounts service.
// gauges registers the accounts gauges (the worker computes them).
func newPlatform(cfg config.Config, db *mysql.DB, rdb goredis.UniversalClient, log *zap.Logger, audit *auth.AuditLog, gauges bool) (*Platform, error) {
	keys, err := tokencrypt.FromConfig(cfg.Crypto)
	if err != nil {
		return nil, err
	}
	am, err := accounts.NewMetrics(prometheus.DefaultRegisterer, gauges)
	if err != nil {
		return nil, err
	}
	om, err := oceanengine.NewMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		return nil, err
	}
	store := accounts.NewTokenStore(db, rdb, nil, keys, accounts.StoreOptionsFrom(cfg, log, am, audit))
	client, err := accounts.NewClient(cfg.OceanEngine, rdb, store, om, log)
	if err != nil {
		return nil, err
	}
	svc := accounts.NewService(db, redis.NewOAuthStates(rdb), store, client, accounts.Config{
		AppID: cfg.OceanEngine.AppID, AuthorizeURL: cfg.OceanEngine.AuthorizeURL,
		PublicURL: strings.TrimSuffix(cfg.Server.PublicURL, "/"), Logger: log, Metrics: am,
	})
	return &Platform{Keys: keys, Store: store, Client: client, Accounts: svc}, nil
}

// accountsService returns the accounts service for the API, or nil (with a
// warning) when no encryption key is configured.
func (b *base) accountsService() (*accounts.Service, error) {
	p, err := b.platformOrOff("OceanEngine account binding is disabled")
	if p == nil || err != nil {
		return nil, err
	}
	if b.cfg.Server.PublicURL == "" {
		b.log.Warn("server.public_url is empty: POST /api/v1/oauth/oceanengine/authorize will answer 503 until it is set")
	}
	return p.Accounts, nil
}

// registerAccounts registers the token sweep, token refresh and account
// info jobs. Without an encryption key they are not registered (nothing
// could be refreshed) and a warning says so.
func registerAccounts(rt *jobs.Runtime, b *base) error {
	p, err := b.platformOrOff("OceanEngine token jobs are disabled")
	if p == nil || err != nil {
		return err
	}
	h := &accounts.AccountHandlers{Tokens: p.Store, Accounts: p.Accounts, Client: rt.Client(), Log: b.log.Named("accounts"),
		FirstSync: func(ctx context.Context, ids []int64) error {
			var errs []error
			for _, id := range ids {
				_, err := mirror.EnqueueSync(ctx, rt.Client(), mirror.SyncPayload{AdvertiserID: id, Reason: "bind"})
				if err != nil && !errors.Is(err, asynq.ErrDuplicateTask) {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		}}
	h.Register(rt)
	for _, e := range h.Schedules() {
		rt.Schedule(e)
	}
	return nil
}

const keysUsage = `server keys status            token pairs stored per encryption key
server keys rotate [--dry-run] re-encrypt every stored token pair, alert channel secret and two-step verification secret with crypto.active_key
  Add the new key to crypto.keys (CRYPTO_KEYS="new=...,old=..."), make it crypto.active_key,
  roll out, run "keys rotate", then remove the old key.`

// KeysCommand implements `server keys status|rotate`: key rotation of the
// encrypted OceanEngine tokens, alert channel secrets and two-step
// verification secrets. It prints what it did.
func KeysCommand(ctx context.Context, cfg config.Config, _ *zap.Logger, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", ErrUsage, keysUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dryRun := fs.Bool("dry-run", false, "only count")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || (sub != "rotate" && sub != "status") {
		return fmt.Errorf("%w: %s", ErrUsage, keysUsage)
	}
	keys, err := tokencrypt.FromConfig(cfg.Crypto)
	if err != nil {
		return err
	}
	db, err := mysql.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "status" {
		counts, err := db.TokenKeyCounts(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "active key %s; configured keys %s\n", keys.ActiveKeyID(), strings.Join(keys.KeyIDs(), ","))
		ids := make([]string, 0, len(counts))
		for id := range counts {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			fmt.Fprintf(out, "key %s: %d token pair(s)\n", id, counts[id])
		}
		channels, err := db.ChannelKeyCounts(ctx)
		if err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(channels)) {
			fmt.Fprintf(out, "key %s: %d alert channel secret(s)\n", id, channels[id])
		}
		mfa, err := mfaKeyCounts(ctx, db)
		if err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(mfa)) {
			fmt.Fprintf(out, "key %s: %d two-step verification secret(s)\n", id, mfa[id])
		}
		return nil
	}
	sum, err := accounts.Reencrypt(ctx, db, keys, *dryRun)
	verb := "re-encrypted"
	if *dryRun {
		verb = "would re-encrypt"
	}
	fmt.Fprintf(out, "%s %d token pair(s) with key %s; %d changed meanwhile (already under the active key); remaining by key: %v\n",
		verb, sum.Reencrypted, sum.ActiveKey, sum.Skipped, sum.Remaining)
	if err != nil {
		return err
	}
	// Alert channel secrets are sealed with the same key ring.
	n, err := alerts.Reseal(ctx, db, keys, *dryRun)
	fmt.Fprintf(out, "%s %d alert channel secret(s) with key %s\n", verb, n, keys.ActiveKeyID())
	if err != nil {
		return err
	}
	n, err = auth.ResealMFASecrets(ctx, db, keys, *dryRun)
	fmt.Fprintf(out, "%s %d two-step verification secret(s) with key %s\n", verb, n, keys.ActiveKeyID())
	return err
}

// mfaKeyCounts counts the stored two-step verification secrets per key
// that sealed them.
func mfaKeyCounts(ctx context.Context, db *mysql.DB) (map[string]int, error) {
	counts := map[string]int{}
	var after int64
	for {
		secrets, err := db.MFASecrets(ctx, after, 500)
		if err != nil || len(secrets) == 0 {
			return counts, err
		}
		for _, s := range secrets {
			after = s.UserID
			id, err := tokencrypt.KeyID(s.Secret)
			if err != nil {
				id = "(unreadable)"
			}
			counts[id]++
		}
	}
}
