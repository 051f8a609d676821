package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// BenchmarkAccessToken measures the token store on the path of every
// OceanEngine call: a cached token (one Redis GET of the generation counter),
// and a cache miss (MySQL read of the grant and AES-GCM decryption).
func BenchmarkAccessToken(b *testing.B) {
	for _, bc := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", time.Hour}, {"uncached", time.Nanosecond}} {
		b.Run(bc.name, func(b *testing.B) {
			e := newBenchEnv(b, bc.ttl)
			ctx := context.Background()
			adv := e.adv
			if _, err := e.store.AccessToken(ctx, adv); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := e.store.AccessToken(ctx, adv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type benchEnv struct {
	store *accounts.TokenStore
	adv   int64
}

func newBenchEnv(b *testing.B, ttl time.Duration) benchEnv {
	b.Helper()
	e := newEnv(b, sandbox.Options{Seed: 3}, accounts.StoreOptions{CacheTTL: ttl})
	out := e.bind(nil)
	return benchEnv{store: e.proc.store, adv: out.Advertisers[0]}
}
