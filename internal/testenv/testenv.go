// Package testenv builds what the tests of several packages stand on: a
// sandbox server, a key ring, users, the accounts token store with an
// OceanEngine client on it, advertisers bound through the accounts OAuth
// flow against the sandbox, and a placeholder grant to bind advertisers to
// directly.
package testenv

import (
	"bytes"
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// Password is the password of the users User creates.
const Password = "Operator-Passphrase-1"

// World is a sandbox server with a fresh migrated database and a private
// Redis, all removed at cleanup.
type World struct {
	TS       *sandbox.TestServer
	DB       *mysql.DB
	DBConfig config.Database
	RDB      *goredis.Client
	Redis    *redistest.Server
}

// NewWorld starts the sandbox on opts, the database and Redis.
func NewWorld(t testing.TB, opts sandbox.Options) World {
	t.Helper()
	w := World{TS: Sandbox(t, opts)}
	w.DB, w.DBConfig = mysqltest.NewWithConfig(t)
	w.RDB, w.Redis = redistest.New(t)
	return w
}

// Sandbox starts a sandbox server on opts, closed at cleanup.
func Sandbox(t testing.TB, opts sandbox.Options) *sandbox.TestServer {
	t.Helper()
	ts, err := sandbox.NewTestServer(opts)
	if err != nil {
		t.Fatalf("oesim: %v", err)
	}
	t.Cleanup(ts.Close)
	return ts
}

// Keys returns a key ring holding one fixed key, "k1".
func Keys(t testing.TB) *tokencrypt.Keyring {
	t.Helper()
	k, err := tokencrypt.New(map[string][]byte{"k1": bytes.Repeat([]byte{7}, 32)}, "k1")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// User creates a user with Password and one role and returns its id.
func User(t testing.TB, db *mysql.DB, name, role string) int64 {
	t.Helper()
	hash, err := auth.HashPassword(Password, 4)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(context.Background(), auth.NewUser{Username: name, PasswordHash: hash, Roles: []string{role}})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// Grant stores an authorisation of the granted accounts, made at at, with
// placeholder tokens (the access token valid for a day, the refresh token
// for 30), for tests that bind advertisers to it but call no platform; it
// returns the authorisation's id.
func Grant(t testing.TB, db *mysql.DB, granted []int64, at time.Time) int64 {
	t.Helper()
	id, err := db.CreateAuthorization(context.Background(), mysql.NewAuthorization{AppID: 1000, GrantedAccounts: granted, At: at},
		func(int64) (mysql.SealedTokens, error) {
			return mysql.SealedTokens{KeyID: "k1", AccessTokenEnc: []byte("a"), RefreshTokenEnc: []byte("r"),
				AccessExpiresAt: at.Add(24 * time.Hour), RefreshExpiresAt: at.Add(30 * 24 * time.Hour)}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
