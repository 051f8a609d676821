// Package accounts is the domain of OceanEngine advertiser accounts: binding
// them through OAuth, discovering the advertisers a grant reaches (granted
// accounts plus the children of majordomo and agent accounts), keeping every
// grant's tokens alive, and keeping account info and balances current.
//
//   - TokenStore implements oceanengine.TokenSource for every process (API
//     and worker): tokens live encrypted in MySQL (internal/tokencrypt); a
//     short per-process cache is invalidated by any refresh anywhere (Redis
//     generation counters); one refresh per grant at a time across all
//     processes (a MySQL named lock); a new token pair is committed to MySQL
//     before it is used; a refresh whose answer was lost is detected and
//     ends either recovered or in needs_reauth with an alert.
//   - Service runs the OAuth flow (Authorize, Callback), re-discovery and the
//     hourly info/fund refresh (RefreshAccounts), Unbind, and the gauges.
//   - Reencrypt re-encrypts stored tokens under the active key (rotation).
//
// SQL lives in internal/mysql (authorizations.go, advertisers.go); HTTP in
// internal/httpapi (oauth.go, advertisers.go); job handlers in
// internal/jobs/accounts.go. See docs/accounts.md.
package accounts

import (
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// NewClient builds a process's OceanEngine client with store as its
// TokenSource (oceanengine.NewFromConfig) and makes it the store's
// refresher. Build one per process and share it.
func NewClient(cfg config.OceanEngine, rdb goredis.UniversalClient, store *TokenStore, metrics *oceanengine.Metrics, log *zap.Logger) (*oceanengine.Client, error) {
	c, err := oceanengine.NewFromConfig(cfg, rdb, store, metrics, log)
	if err != nil {
		return nil, err
	}
	store.SetRefresher(c)
	return c, nil
}

// StoreOptionsFrom returns token store options from the configuration
// (sync.token_refresh_margin); the other options keep their defaults.
func StoreOptionsFrom(cfg config.Config, log *zap.Logger, metrics *Metrics, audit *auth.AuditLog) StoreOptions {
	return StoreOptions{Now: time.Now, Logger: log, Metrics: metrics, Audit: audit, RefreshMargin: cfg.Sync.TokenRefreshMargin.D()}
}
