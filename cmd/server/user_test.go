package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/proctest"
)

// runServer runs the binary to completion and returns its exit code and output.
func runServer(t *testing.T, bin string, env []string, stdin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-c", "config/config.dev.yaml"}, args...)...)
	cmd.Dir = proctest.ModuleRoot(t)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%v timed out:\n%s", args, out.String())
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

func login(t *testing.T, base, user, pw string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Data struct {
			User struct {
				Roles []string `json:"roles"`
			} `json:"user"`
		} `json:"data"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&env)
	if resp.StatusCode == 200 && (len(env.Data.User.Roles) != 1 || env.Data.User.Roles[0] != "admin") {
		t.Errorf("%s signed in with roles %v, want [admin]", user, env.Data.User.Roles)
	}
	return resp.StatusCode
}

func TestUserCreateCommandThenSignIn(t *testing.T) {
	bin := proctest.Build(t, "./cmd/server")
	e, port := env(t)
	e = append(e, "SECURITY_BCRYPT_COST=4")
	if code, out := runServer(t, bin, e, "", "migrate", "up"); code != 0 {
		t.Fatalf("migrate: %d\n%s", code, out)
	}
	tests := []struct {
		name   string
		env    []string
		stdin  string
		args   []string
		code   int
		output string
	}{
		{"no password anywhere", nil, "", []string{"user", "create", "--username", "boss", "--admin"}, 2, "no password"},
		{"no role", []string{"OCEANOPS_USER_PASSWORD=Granite-Peak-4417"}, "", []string{"user", "create", "--username", "boss"}, 2, "--admin or --role"},
		{"weak password", nil, "password123\n", []string{"user", "create", "--username", "boss", "--admin", "--password-stdin"}, 1, "password is too common"},
		{"password is the username", nil, "bossboss1\n", []string{"user", "create", "--username", "bossboss1", "--admin", "--password-stdin"}, 1, "must not contain the username"},
		{"from stdin", nil, "Granite-Peak-4417\n", []string{"user", "create", "--username", "Boss", "--admin", "--password-stdin"}, 0, "created user boss (id 1) with roles admin"},
		{"duplicate", []string{"OCEANOPS_USER_PASSWORD=Granite-Peak-4417"}, "", []string{"user", "create", "--username", "boss", "--admin"}, 1, "taken"},
		{"from env", []string{"OCEANOPS_USER_PASSWORD=Copper-Kettle-8812"}, "", []string{"user", "create", "--username", "opal", "--role", "operator"}, 0, "with roles operator"},
		{"unknown subcommand", nil, "", []string{"user", "delete", "--username", "opal"}, 2, "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := runServer(t, bin, append(append([]string{}, e...), tt.env...), tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.output) {
				t.Fatalf("exit %d, want %d; output does not contain %q:\n%s", code, tt.code, tt.output, out)
			}
			if strings.Contains(out, "Granite-Peak-4417") || strings.Contains(out, "Copper-Kettle-8812") {
				t.Fatalf("output echoes the password:\n%s", out)
			}
		})
	}
	p, base := startServer(t, bin, e, port, 30*time.Second)
	if code := login(t, base, "boss", "Granite-Peak-4417"); code != 200 {
		t.Fatalf("admin created by the command cannot sign in: %d\n%s", code, p.Output())
	}
	if code := login(t, base, "boss", "Wrong-Peak-0000"); code != 401 {
		t.Fatalf("wrong password: %d", code)
	}
	// set-password changes it (and ends sessions) without the API.
	code, out := runServer(t, bin, e, "Marble-Arch-2290\n", "user", "set-password", "--username", "boss", "--password-stdin")
	if code != 0 || !strings.Contains(out, "password of boss (id 1) set") {
		t.Fatalf("set-password: %d\n%s", code, out)
	}
	if code := login(t, base, "boss", "Marble-Arch-2290"); code != 200 {
		t.Fatalf("new password: %d", code)
	}
	if strings.Contains(p.Output(), "Granite-Peak-4417") || strings.Contains(p.Output(), "Marble-Arch-2290") {
		t.Fatal("server log holds a password")
	}
}

func TestBootstrapAdminAtFirstStart(t *testing.T) {
	bin := proctest.Build(t, "./cmd/server")
	e, port := env(t)
	e = append(e, "SECURITY_BCRYPT_COST=4", "SECURITY_BOOTSTRAP_ADMIN=first", "SECURITY_BOOTSTRAP_ADMIN_PASSWORD=Cobalt-River-6620")
	p, base := startServer(t, bin, e, port, 30*time.Second)
	if !strings.Contains(p.Output(), "bootstrap admin created") {
		t.Errorf("no bootstrap log line:\n%s", p.Output())
	}
	if code := login(t, base, "first", "Cobalt-River-6620"); code != 200 {
		t.Fatalf("bootstrap admin cannot sign in: %d\n%s", code, p.Output())
	}
	if strings.Contains(p.Output(), "Cobalt-River-6620") {
		t.Fatal("server log holds the bootstrap password")
	}

	// Without its password the bootstrap admin is a configuration error naming the key.
	e2, _ := env(t)
	q := proctest.Start(t, bin, append(e2, "SECURITY_BOOTSTRAP_ADMIN=first"), "-c", "config/config.dev.yaml")
	if code := q.Wait(20 * time.Second); code != 2 || !strings.Contains(q.Output(), "security.bootstrap_admin_password: is required") {
		t.Fatalf("exit %d:\n%s", code, q.Output())
	}
	// A weak bootstrap password stops the start.
	e3, _ := env(t)
	r := proctest.Start(t, bin, append(e3, "SERVER_MIGRATE_ON_START=true", "SECURITY_BOOTSTRAP_ADMIN=first", "SECURITY_BOOTSTRAP_ADMIN_PASSWORD=changeme"), "-c", "config/config.dev.yaml")
	if code := r.Wait(30 * time.Second); code != 1 || !strings.Contains(r.Output(), "too common") {
		t.Fatalf("weak bootstrap password: exit %d:\n%s", code, r.Output())
	}
}
