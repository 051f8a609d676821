package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// stack is everything a run starts; close stops it in reverse order.
type stack struct {
	dir        string // temporary directory: binaries, logs, redis data
	root       string // the module root: where the binaries are built and run
	configFile string // the shipped config the processes read
	sim        *sandbox.Sim
	simURL     string
	apiURL     string
	db         *mysql.DB
	procs      []*proc
	workers    []*proc
	closers    []func()
	env        []string
	ports      []int // drawn for the child processes, taken in turn by nextPort
}

// proc is a child process with its output in a log file.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func (s *stack) close() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		s.procs[i].stop()
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// start runs a child process, its output to dir/name.log.
func (s *stack) start(name, bin string, env []string, args ...string) (*proc, error) {
	logPath := filepath.Join(s.dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
	cmd.Dir = s.root
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	s.procs = append(s.procs, p)
	return p, nil
}

// stop asks the process to end (SIGTERM), then kills it after 30 s.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// tail returns the end of the process's log.
func (p *proc) tail() string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// build compiles the server and the worker into dir, or returns the
// prebuilt ones of o.bin.
func build(ctx context.Context, o options, root, dir string) (server, worker string, err error) {
	if o.bin != "" {
		return filepath.Join(o.bin, "server"), filepath.Join(o.bin, "worker"), nil
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+"/", "./cmd/server", "./cmd/worker")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return filepath.Join(dir, "server"), filepath.Join(dir, "worker"), nil
}

// createDatabase creates and migrates the database; the returned function
// drops it (unless keep).
func createDatabase(ctx context.Context, cfg config.Database, keep bool) (*mysql.DB, func(), error) {
	admin := cfg
	admin.Database = ""
	a, err := mysql.Open(ctx, admin)
	if err != nil {
		return nil, nil, fmt.Errorf("mysql: %w", err)
	}
	defer a.Close()
	if _, err := a.ExecContext(ctx, "CREATE DATABASE `"+cfg.Database+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return nil, nil, fmt.Errorf("create database %s: %w", cfg.Database, err)
	}
	drop := func() {
		if keep {
			return
		}
		if a, err := mysql.Open(context.Background(), admin); err == nil {
			_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+cfg.Database+"`")
			a.Close()
		}
	}
	db, _, err := mysql.OpenMigrated(ctx, cfg)
	if err != nil {
		drop()
		return nil, nil, fmt.Errorf("migrate %s: %w", cfg.Database, err)
	}
	return db, func() { db.Close(); drop() }, nil
}

// nextPort returns the next of the ports drawn for the child processes.
func (s *stack) nextPort() (int, error) {
	if len(s.ports) == 0 {
		return 0, errors.New("no port left for another child process")
	}
	p := s.ports[0]
	s.ports = s.ports[1:]
	return p, nil
}

// startRedis starts a private redis-server, so the run's queues and quota
// buckets are its own; it returns its address.
func (s *stack) startRedis(ctx context.Context) (string, error) {
	port, err := s.nextPort()
	if err != nil {
		return "", err
	}
	if _, err := s.start("redis", "redis-server", os.Environ(), "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir); err != nil {
		return "", err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for ctx.Err() == nil {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", ctx.Err()
}

// startSandbox serves a sandbox of o.advertisers in this process, its
// clock running in real time from now.
func (s *stack) startSandbox(o options, secret string) error {
	sim, err := sandbox.New(sandbox.Options{
		Seed: 1, Advertisers: o.advertisers, Secret: secret, QPS: o.qps, DeveloperQPS: o.developerQPS,
		Start: time.Now(), Speed: 1,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sim.Close()
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	s.closers = append(s.closers, func() { srv.Close(); sim.Close() })
	s.sim, s.simURL = sim, "http://"+ln.Addr().String()
	return nil
}

// randomText returns n random bytes, hex-encoded.
func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// baseEnv is the environment of the server and the workers: the shipped
// config file with only addresses, secrets, the database and the quota
// overridden.
func baseEnv(db config.Database, redisAddr, simURL, apiURL, appSecret string, qps float64) []string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return append(os.Environ(),
		"DB_HOST="+db.Host, fmt.Sprintf("DATABASE_PORT=%d", db.Port), "DB_NAME="+db.Database,
		"DB_USER="+db.Username, "DB_PASSWORD="+db.Password,
		"REDIS_ADDR="+redisAddr, "REDIS_PASSWORD=",
		"JWT_SECRET="+randomText(32),
		"OE_BASE_URL="+simURL+"/open_api", "OE_AUTHORIZE_URL="+simURL+"/audit/oauth.html",
		fmt.Sprintf("OE_APP_ID=%d", sandbox.DefaultAppID), "OE_SECRET="+appSecret,
		"CRYPTO_KEYS=bench="+base64.StdEncoding.EncodeToString(key), "CRYPTO_ACTIVE_KEY=bench",
		"PUBLIC_URL="+apiURL,
		fmt.Sprintf("OCEANENGINE_QPS=%g", qps),
		"SECURITY_BOOTSTRAP_ADMIN=admin", "SECURITY_BOOTSTRAP_ADMIN_PASSWORD="+adminPassword,
	)
}

const adminPassword = "Bench-Harbor-Lantern-42"

// waitHTTP polls url until it answers 200.
func waitHTTP(ctx context.Context, url string, p *proc, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if p != nil && p.exited() {
			return fmt.Errorf("%s exited:\n%s", p.name, p.tail())
		}
		if resp, err := http.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	out := ""
	if p != nil {
		out = p.tail()
	}
	return fmt.Errorf("%s did not answer 200 within %s\n%s", url, within, out)
}

// startProcess starts a server or worker with its own ports and waits for
// its health check.
func (s *stack) startProcess(ctx context.Context, name, bin string, port int) (*proc, error) {
	mport, err := s.nextPort()
	if err != nil {
		return nil, err
	}
	env := append(append([]string{}, s.env...), fmt.Sprintf("SERVER_PORT=%d", port), fmt.Sprintf("WORKER_PORT=%d", port),
		fmt.Sprintf("METRICS_LISTEN=127.0.0.1:%d", mport))
	p, err := s.start(name, bin, env, "-c", s.configPath())
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(ctx, fmt.Sprintf("http://127.0.0.1:%d/health", port), p, 2*time.Minute); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *stack) configPath() string { return s.configFile }
