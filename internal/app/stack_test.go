package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/proctest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// stack is the sandbox, API and worker binaries on free ports, a fresh
// database and a private Redis, with config/config.dev.yaml.
type stack struct {
	stackPlan
	t                *testing.T
	ctx              context.Context
	simProc, apiProc *proctest.Proc
	c                *e2eClient
}

// stackPlan is what an end-to-end test starts its binaries on: the built
// binaries, a fresh empty database, a private Redis, free ports, and the
// environment that points config/config.dev.yaml at them (plus extraEnv).
type stackPlan struct {
	server, worker, sim string // binaries
	db                  *mysql.DB
	env                 []string
	simPort, workerPort int
	simURL, api         string
}

func planStack(t *testing.T, extraEnv ...string) stackPlan {
	t.Helper()
	p := stackPlan{server: proctest.Build(t, "./cmd/server"), worker: proctest.Build(t, "./cmd/worker"), sim: proctest.Build(t, "./cmd/oesim")}
	db, dbCfg := mysqltest.NewEmpty(t)
	p.db = db
	rs := redistest.Start(t)
	ports := proctest.FreePorts(t, 3)
	apiPort := ports[0]
	p.simPort, p.workerPort = ports[1], ports[2]
	p.simURL = fmt.Sprintf("http://127.0.0.1:%d", p.simPort)
	p.api = fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	p.env = append(append(proctest.StoreEnv(dbCfg, rs.Addr),
		fmt.Sprintf("SERVER_PORT=%d", apiPort), fmt.Sprintf("WORKER_PORT=%d", p.workerPort), "LOGGER_FORMAT=json",
		"SERVER_PUBLIC_URL="+p.api, "OCEANENGINE_BASE_URL="+p.simURL+"/open_api", "OCEANENGINE_AUTHORIZE_URL="+p.simURL+"/audit/oauth.html",
		"SECURITY_BOOTSTRAP_ADMIN=admin", "SECURITY_BOOTSTRAP_ADMIN_PASSWORD=Demo-Harbor-Lantern-42",
	), extraEnv...)
	return p
}

// syncEnv is the configuration of the stacks that sync (info logs, a quota
// and sync concurrency the tests count on), then extra.
func syncEnv(extra ...string) []string {
	return append([]string{"LOGGER_LEVEL=info", "OCEANENGINE_QPS=200", "SYNC_CONCURRENCY=4"}, extra...)
}

// startSim starts the sandbox on its port with args and waits until it
// answers.
func (p stackPlan) startSim(t *testing.T, ctx context.Context, args ...string) *proctest.Proc {
	t.Helper()
	proc := proctest.Start(t, p.sim, nil, append([]string{"-addr", fmt.Sprintf("127.0.0.1:%d", p.simPort), "-log", "warn"}, args...)...)
	proc.WaitReady(t, ctx, p.simURL+"/_sim/clock")
	return proc
}

// startAPI starts the API and waits for its /health.
func (p stackPlan) startAPI(t *testing.T, ctx context.Context) *proctest.Proc {
	t.Helper()
	proc := proctest.Start(t, p.server, p.env, "-c", "config/config.dev.yaml")
	proc.WaitReady(t, ctx, p.api+"/health")
	return proc
}

// startWorker starts a worker process.
func (p stackPlan) startWorker(t *testing.T) *proctest.Proc {
	t.Helper()
	return proctest.Start(t, p.worker, p.env, "-c", "config/config.dev.yaml")
}

// signIn signs the bootstrap admin in and returns a client with its token.
func (p stackPlan) signIn(t *testing.T, ctx context.Context, apiProc *proctest.Proc) *e2eClient {
	t.Helper()
	c := &e2eClient{t: t, ctx: ctx, api: p.api}
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if st := c.call("POST", "/api/v1/auth/login", `{"username":"admin","password":"Demo-Harbor-Lantern-42"}`, &login); st != 200 {
		t.Fatalf("login: %d\n%s", st, apiProc.Output())
	}
	c.token = login.AccessToken
	return c
}

// startStack starts the sandbox (simArgs added to its flags) and the API,
// signs in the bootstrap admin, and returns the stack; start workers with
// startWorker. extraEnv overrides configuration.
func startStack(t *testing.T, ctx context.Context, simArgs []string, extraEnv ...string) *stack {
	t.Helper()
	s := &stack{stackPlan: planStack(t, syncEnv(extraEnv...)...), t: t, ctx: ctx}
	s.simProc = s.startSim(t, ctx, append([]string{"-qps", "-1", "-developer-qps", "-1"}, simArgs...)...)
	s.apiProc = s.startAPI(t, ctx)
	s.c = s.signIn(t, ctx, s.apiProc)
	return s
}

// waitSynced waits until every stream of n advertisers has synced.
func (s *stack) waitSynced(n int, within time.Duration, worker *proctest.Proc) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var st struct {
			Streams []struct {
				Advertisers int `json:"advertisers"`
				Synced      int `json:"synced"`
			} `json:"streams"`
		}
		s.c.call("GET", "/api/v1/sync/status", "", &st)
		done := len(st.Streams) > 0
		for _, x := range st.Streams {
			done = done && x.Advertisers == n && x.Synced == n
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("streams not all synced after %s: %+v\n%s", within, st, worker.Output())
		}
		time.Sleep(300 * time.Millisecond)
	}
}
