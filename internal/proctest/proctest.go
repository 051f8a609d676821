// Package proctest builds the project's binaries and runs them as child
// processes, for end-to-end tests of flags, signals and exit codes.
package proctest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/config"
)

// Build compiles the main package at pkg (e.g. "./cmd/server", relative to
// the module root) into a temporary directory and returns the binary path.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	root, err := FindModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-ldflags", "-X main.Version=v0.0.0-test -X main.BuildTime=2026-01-01T00:00:00Z", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// ModuleRoot is the directory holding go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := FindModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// FindModuleRoot walks up from the working directory to the directory
// holding go.mod.
func FindModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("proctest: go.mod not found")
		}
		dir = parent
	}
}

// Proc is a running child process with captured output.
type Proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	err  error
}

type lockedWriter struct{ p *Proc }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

// Start runs bin with args and extra environment; it is killed at cleanup.
func Start(t testing.TB, bin string, env []string, args ...string) *Proc {
	t.Helper()
	p := &Proc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Dir = ModuleRoot(t)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = lockedWriter{p}, lockedWriter{p}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// Output is everything the process printed so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Signal sends sig to the process.
func (p *Proc) Signal(sig syscall.Signal) error { return p.cmd.Process.Signal(sig) }

// Wait waits up to d for exit and returns the exit code (-1 on timeout).
func (p *Proc) Wait(d time.Duration) int {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		return -1
	}
}

// WaitReady waits until url answers 200 and fails the test, showing what
// the process printed, if it does not before ctx ends.
func (p *Proc) WaitReady(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := WaitHTTP(ctx, url, http.StatusOK); err != nil {
		t.Fatalf("%v\n%s", err, p.Output())
	}
}

// Terminate sends SIGTERM and fails the test unless the process exits with
// code 0 within d (a clean shutdown).
func (p *Proc) Terminate(t testing.TB, d time.Duration) {
	t.Helper()
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.Wait(d); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0\n%s", code, p.Output())
	}
}

// Get fetches url and returns the status code and the body.
func Get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url) //nolint:noctx // a one-off request in tests
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// WaitHTTP polls url until it answers with want or the deadline passes.
func WaitHTTP(ctx context.Context, url string, want int) error {
	var last error
	for {
		resp, err := http.Get(url) //nolint:noctx // short-lived polling in tests
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return nil
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last: %v)", url, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// StoreEnv is the environment that points a binary's config at the database
// db and the Redis at redisAddr.
func StoreEnv(db config.Database, redisAddr string) []string {
	return []string{
		"DATABASE_DATABASE=" + db.Database, "DATABASE_HOST=" + db.Host, fmt.Sprintf("DATABASE_PORT=%d", db.Port),
		"DATABASE_USERNAME=" + db.Username, "DATABASE_PASSWORD=" + db.Password, "REDIS_ADDR=" + redisAddr,
	}
}
