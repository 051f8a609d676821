package redis_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

func TestOAuthStatesAreSingleUse(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.New(t)
	s := redis.NewOAuthStates(rdb)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	want := redis.OAuthState{UserID: 7, CreatedAt: at, RedirectURI: "http://127.0.0.1:8080/cb"}
	if err := s.Put(ctx, "state-1", want, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "state-1", want, time.Minute); err != redis.ErrStateExists {
		t.Fatalf("second Put of the same state: %v, want ErrStateExists", err)
	}
	// The key does not contain the state itself.
	keys, _ := rdb.Keys(ctx, "oauth:*").Result()
	if len(keys) != 1 || keys[0] == "oauth:oceanengine:state:state-1" {
		t.Fatalf("keys = %v", keys)
	}
	// Concurrent takes: exactly one wins.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, found, err := s.Take(ctx, "state-1")
			if err != nil {
				t.Error(err)
				return
			}
			if found {
				wins.Add(1)
				if got.UserID != want.UserID || !got.CreatedAt.Equal(want.CreatedAt) || got.RedirectURI != want.RedirectURI {
					t.Errorf("Take = %+v, want %+v", got, want)
				}
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d takes found the state, want 1", wins.Load())
	}
	if _, found, _ := s.Take(ctx, "never-issued"); found {
		t.Fatal("unknown state found")
	}
	if err := s.Put(ctx, "short", want, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(120 * time.Millisecond)
	if _, found, _ := s.Take(ctx, "short"); found {
		t.Fatal("state found after its TTL")
	}
}

func TestTokenGenerations(t *testing.T) {
	ctx := context.Background()
	rdb, srv := redistest.New(t)
	g := redis.NewTokenGenerations(rdb, time.Hour)
	if n, err := g.Get(ctx, 1); err != nil || n != 0 {
		t.Fatalf("fresh Get = %d, %v", n, err)
	}
	got, err := g.Bump(ctx, 1, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{1, 1, 2}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("Bump = %v, want %v", got, want)
	}
	if n, _ := g.Get(ctx, 1); n != 2 {
		t.Fatalf("Get(1) = %d, want 2", n)
	}
	if ttl := rdb.TTL(ctx, "accounts:token_gen:1").Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("ttl = %v", ttl)
	}
	srv.Stop()
	if _, err := g.Get(ctx, 1); err == nil {
		t.Fatal("no error while Redis is down")
	}
}
