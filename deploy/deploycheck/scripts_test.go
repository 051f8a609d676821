package deploycheck

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

// runScript runs a script of scripts/ with exactly env (plus PATH and HOME)
// and returns its exit code, stdout and stderr.
func runScript(t *testing.T, name string, env map[string]string) (int, string, string) {
	t.Helper()
	script, _ := filepath.Abs(path("scripts", name))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return code, stdout.String(), stderr.String()
}

// testMySQL is the server the Go tests use (mysqltest's TEST_MYSQL_* variables).
func testMySQL() (host, port, user, password string) {
	host, port, user = os.Getenv("TEST_MYSQL_HOST"), os.Getenv("TEST_MYSQL_PORT"), os.Getenv("TEST_MYSQL_USER")
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3306"
	}
	if user == "" {
		user = "root"
	}
	return host, port, user, os.Getenv("TEST_MYSQL_PASSWORD")
}

// scratchDatabase creates a database with one table holding a row of
// 4-byte characters, dropped at cleanup.
func scratchDatabase(t *testing.T) string {
	t.Helper()
	host, port, user, password := testMySQL()
	db, err := sql.Open("mysql", fmt.Sprintf("%s:%s@tcp(%s:%s)/?multiStatements=true&charset=utf8mb4", user, password, host, port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	// mysqltest's naming: oetest_<unix time>_..., so a killed run's database is swept later.
	name := fmt.Sprintf("oetest_%d_backup%s", time.Now().Unix(), hex.EncodeToString(suffix))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("MySQL/MariaDB on %s:%s (make services, or TEST_MYSQL_*): %v", host, port, err)
	}
	t.Cleanup(func() { _, _ = db.Exec("DROP DATABASE IF EXISTS " + name) })
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+name+".advertisers (id BIGINT PRIMARY KEY, name VARCHAR(64)) CHARACTER SET utf8mb4;"+
		"INSERT INTO "+name+".advertisers VALUES (1700000000000001, '巨量广告主🚀')"); err != nil {
		t.Fatal(err)
	}
	return name
}

func gunzip(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBackupScript runs scripts/backup-db.sh against the test MySQL server:
// it writes a complete, compressed dump, keeps only RETENTION_DAYS of this
// database's dumps, uploads when OSS_BUCKET is set, and refuses bad settings.
func TestBackupScript(t *testing.T) {
	if _, err := exec.LookPath("mysqldump"); err != nil {
		t.Fatal("mysqldump is not installed (Debian: mariadb-client or default-mysql-client)")
	}
	dbName := scratchDatabase(t)
	host, port, user, password := testMySQL()
	dir := t.TempDir()
	// An expired dump of this database, an expired one of another, a recent one.
	old := filepath.Join(dir, dbName+"-20200101T000000Z.sql.gz")
	other := filepath.Join(dir, "otherdb-20200101T000000Z.sql.gz")
	recent := filepath.Join(dir, dbName+"-recent.sql.gz")
	for _, f := range []string{old, other, recent} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tenDaysAgo := time.Now().Add(-10 * 24 * time.Hour)
	for _, f := range []string{old, other} {
		if err := os.Chtimes(f, tenDaysAgo, tenDaysAgo); err != nil {
			t.Fatal(err)
		}
	}
	// The OSS client is an external program; a stand-in records its arguments.
	bin := t.TempDir()
	uploads := filepath.Join(bin, "uploads")
	fakeOSS := filepath.Join(bin, "ossutil")
	if err := os.WriteFile(fakeOSS, []byte("#!/bin/sh\necho \"$@\" >> "+uploads+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DB_HOST": host, "DB_PORT": port, "DB_USER": user, "DB_PASSWORD": password, "DB_NAME": dbName,
		"BACKUP_DIR": dir, "RETENTION_DAYS": "7", "OSS_BUCKET": "oss://oceanops-backups/mysql/", "OSSUTIL": fakeOSS}

	code, stdout, stderr := runScript(t, "backup-db.sh", env)
	if code != 0 {
		t.Fatalf("backup-db.sh: exit %d\n%s", code, stderr)
	}
	file := strings.TrimSpace(stdout)
	if filepath.Dir(file) != dir || !strings.HasPrefix(filepath.Base(file), dbName+"-") || !strings.HasSuffix(file, ".sql.gz") {
		t.Fatalf("printed %q, want %s/%s-<time>.sql.gz", file, dir, dbName)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("dump %s: %v, mode %v, want 0600", file, err, st.Mode().Perm())
	}
	dump := gunzip(t, file)
	for _, want := range []string{"CREATE DATABASE", "CREATE TABLE `advertisers`", "1700000000000001", "巨量广告主🚀", "-- Dump completed"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dump lacks %q", want)
		}
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("expired dump %s was kept", filepath.Base(old))
	}
	for _, f := range []string{other, recent} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s was deleted: retention must only touch this database's expired dumps", filepath.Base(f))
		}
	}
	got, _ := os.ReadFile(uploads)
	if want := "cp " + file + " oss://oceanops-backups/mysql/" + filepath.Base(file) + "\n"; string(got) != want {
		t.Errorf("ossutil called with %q, want %q", got, want)
	}
	if strings.Contains(stderr, password+"@") || (password != "" && strings.Contains(stderr, password)) {
		t.Error("the password appears in the script's output")
	}

	t.Run("a failing dump leaves no file", func(t *testing.T) {
		dir := t.TempDir()
		env := map[string]string{"DB_HOST": host, "DB_PORT": port, "DB_USER": "no_such_user_" + dbName[len(dbName)-8:], "DB_PASSWORD": "wrong",
			"DB_NAME": dbName, "BACKUP_DIR": dir}
		code, _, stderr := runScript(t, "backup-db.sh", env)
		if code != 1 || !strings.Contains(stderr, "mysqldump of "+dbName+" failed") {
			t.Errorf("exit %d, stderr %q; want 1 and the failure named", code, stderr)
		}
		left, _ := os.ReadDir(dir)
		if len(left) != 0 {
			t.Errorf("left %d file(s) behind after a failed dump", len(left))
		}
	})

	for _, tc := range []struct {
		name string
		edit func(map[string]string)
		want string
	}{
		{"DB_HOST missing", func(e map[string]string) { delete(e, "DB_HOST") }, "DB_HOST is required"},
		{"DB_NAME missing", func(e map[string]string) { delete(e, "DB_NAME") }, "DB_NAME is required"},
		{"DB_PASSWORD unset", func(e map[string]string) { delete(e, "DB_PASSWORD") }, "DB_PASSWORD is required"},
		{"bad retention", func(e map[string]string) { e["RETENTION_DAYS"] = "0" }, "RETENTION_DAYS must be"},
		{"bad bucket", func(e map[string]string) { e["OSS_BUCKET"] = "s3://x" }, "OSS_BUCKET must look like oss://"},
		{"no OSS client", func(e map[string]string) { e["OSSUTIL"] = "/nonexistent/ossutil" }, "is not installed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			e["BACKUP_DIR"] = t.TempDir()
			tc.edit(e)
			code, _, stderr := runScript(t, "backup-db.sh", e)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// TestHealthCheckScript runs scripts/health-check.sh against local servers
// that answer like /health does.
func TestHealthCheckScript(t *testing.T) {
	healthy := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, `{"status":"ok","checks":{"mysql":"ok","redis":"ok"}}`)
	}
	down := func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"status":"unavailable","failed":["redis"],"checks":{"mysql":"ok","redis":"fail"}}`)
	}
	var calls atomic.Int32
	recovering := func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			down(w, r)
			return
		}
		healthy(w, r)
	}
	up, sick, flappy := httptest.NewServer(http.HandlerFunc(healthy)), httptest.NewServer(http.HandlerFunc(down)), httptest.NewServer(http.HandlerFunc(recovering))
	defer up.Close()
	defer sick.Close()
	defer flappy.Close()
	gone := httptest.NewServer(http.HandlerFunc(healthy))
	gone.Close()

	fast := map[string]string{"RETRIES": "3", "RETRY_DELAY": "0", "TIMEOUT": "2"}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		wantCode int
		wantErr  string
	}{
		{"healthy API", map[string]string{"API_URL": up.URL}, 0, "api ok"},
		{"healthy API and worker, trailing slash", map[string]string{"API_URL": up.URL + "/", "WORKER_URL": up.URL}, 0, "worker ok"},
		{"API answers 503", map[string]string{"API_URL": sick.URL}, 1, `HTTP 503 "failed":["redis"]`},
		{"API recovers during the retries", map[string]string{"API_URL": flappy.URL}, 0, "api ok"},
		{"worker down", map[string]string{"API_URL": up.URL, "WORKER_URL": gone.URL}, 1, "worker unhealthy"},
		{"API unreachable", map[string]string{"API_URL": gone.URL}, 1, "HTTP 000"},
		{"API_URL missing", map[string]string{}, 2, "API_URL is required"},
		{"bad RETRIES", map[string]string{"API_URL": up.URL, "RETRIES": "many"}, 2, "RETRIES must be a whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range fast {
				env[k] = v
			}
			for k, v := range tc.env {
				env[k] = v
			}
			code, _, stderr := runScript(t, "health-check.sh", env)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, tc.wantCode, tc.wantErr)
			}
		})
	}
}
