package app

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// newAuthService builds the authentication service on MySQL and Redis.
func newAuthService(cfg config.Config, db *mysql.DB, rdb goredis.UniversalClient, log *zap.Logger) (*auth.Service, error) {
	acfg, generated := auth.ConfigFrom(cfg)
	if generated {
		log.Warn("jwt.secret is empty: using a random per-process secret; tokens will not survive a restart or work across replicas (set jwt.secret / JWT_SECRET)")
	}
	deps := auth.Deps{Store: db, Guard: redis.NewLoginGuard(rdb), Denylist: redis.NewDenylist(rdb),
		Bus: redis.NewPrincipalBus(rdb), Log: log}
	keys, err := tokencrypt.FromConfig(cfg.Crypto)
	switch {
	case errors.Is(err, tokencrypt.ErrNoActiveKey):
		log.Warn("two-step verification is unavailable: its secrets need crypto.keys and crypto.active_key (CRYPTO_KEYS, CRYPTO_ACTIVE_KEY)")
	case err != nil:
		return nil, err
	default:
		deps.Sealer = keys
	}
	return auth.NewService(acfg, deps)
}

// bootstrapAdmin creates security.bootstrap_admin as the first admin when
// the database has no user yet. The password comes from
// security.bootstrap_admin_password (SECURITY_BOOTSTRAP_ADMIN_PASSWORD) and
// must pass the password policy; there is no default.
func bootstrapAdmin(ctx context.Context, cfg config.Security, svc *auth.Service, log *zap.Logger) error {
	if cfg.BootstrapAdmin == "" {
		return nil
	}
	created, err := svc.EnsureBootstrapAdmin(ctx, cfg.BootstrapAdmin, cfg.BootstrapAdminPassword)
	if err != nil {
		return fmt.Errorf("security.bootstrap_admin: %w", err)
	}
	if created {
		log.Info("bootstrap admin created", zap.String("username", auth.NormalizeUsername(cfg.BootstrapAdmin)))
	}
	return nil
}

// listenInvalidations subscribes this process to the principal
// invalidations of the others (see auth.InvalidationBus) and returns once
// subscribed; messages are handled until ctx is done. When Redis cannot be
// reached the process runs without it: its cached principals then expire
// within security.principal_cache_ttl.
func listenInvalidations(ctx context.Context, cfg config.Config, rdb goredis.UniversalClient, svc *auth.Service, log *zap.Logger) {
	if cfg.Security.PrincipalCacheTTL <= 0 {
		return
	}
	sub, err := redis.NewPrincipalBus(rdb).Subscribe(ctx)
	if err != nil {
		log.Warn("principal invalidations not received; cached principals expire within security.principal_cache_ttl", zap.Error(err))
		return
	}
	go sub.Run(ctx, svc.Invalidate)
}
