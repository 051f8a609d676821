package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/redis"
)

// PasswordEnv is the environment variable the user command reads a password
// from when --password-stdin is not given. Passwords are never flags: flags
// show in `ps` and shell history.
const PasswordEnv = "OCEANOPS_USER_PASSWORD"

const userUsage = `server user create --username NAME [--admin | --role admin|operator|analyst|viewer ...] [--display-name TEXT] [--email ADDR] [--must-change] [--password-stdin]
server user set-password --username NAME [--must-change] [--password-stdin]
server user reset-mfa --username NAME
  The password is read from standard input (first line) with --password-stdin,
  otherwise from the environment variable ` + PasswordEnv + `.
  --must-change: the user must choose a new password when they sign in.
  reset-mfa turns the user's two-step verification off (a lost authenticator).`

type roleList []string

func (r *roleList) String() string     { return strings.Join(*r, ",") }
func (r *roleList) Set(v string) error { *r = append(*r, strings.Split(v, ",")...); return nil }

// UserCommand implements `server user create|set-password|reset-mfa`, the
// operator's way to create the first admin (or any user), to reset a
// password and to let a user who lost their authenticator back in without
// the API. It prints one line saying what it did.
func UserCommand(ctx context.Context, cfg config.Config, log *zap.Logger, args []string, stdin io.Reader, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", ErrUsage, userUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		username, display, email string
		admin, fromStdin, must   bool
		roles                    roleList
	)
	fs.StringVar(&username, "username", "", "username")
	if sub != "reset-mfa" {
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input")
		fs.BoolVar(&must, "must-change", false, "the user must choose a new password at sign-in")
	}
	if sub == "create" {
		fs.BoolVar(&admin, "admin", false, "give the admin role")
		fs.Var(&roles, "role", "role (repeatable or comma-separated)")
		fs.StringVar(&display, "display-name", "", "display name")
		fs.StringVar(&email, "email", "", "email address")
	} else if sub != "set-password" && sub != "reset-mfa" {
		return fmt.Errorf("%w: %s", ErrUsage, userUsage)
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v\n%s", ErrUsage, err, userUsage)
	}
	if username == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: %s", ErrUsage, userUsage)
	}
	if admin {
		roles = append(roles, auth.RoleAdmin)
	}
	if sub == "create" && len(roles) == 0 {
		return fmt.Errorf("%w: give --admin or --role\n%s", ErrUsage, userUsage)
	}
	var password string
	if sub != "reset-mfa" {
		pw, err := readPassword(fromStdin, stdin)
		if err != nil {
			return err
		}
		password = pw
	}

	db, err := mysql.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	rdb := redis.Open(cfg.Redis)
	defer rdb.Close()
	svc, err := newAuthService(cfg, db, rdb, log)
	if err != nil {
		return err
	}
	audit, _ := auth.NewAuditLog(db, nil) // a command exports no metrics: a lost entry is logged
	switch sub {
	case "create":
		u, err := svc.CreateUser(ctx, auth.CreateUserInput{Username: username, Password: password,
			DisplayName: display, Email: email, Roles: roles, PasswordMustChange: must})
		if err != nil {
			return describe(err)
		}
		audit.Record(ctx, log, auth.AuditEntry{ActorType: auth.ActorSystem, ActorName: "server user create",
			Action: "user.create", TargetType: "user", TargetID: fmt.Sprint(u.ID), Result: auth.ResultSuccess,
			Detail: map[string]any{"username": u.Username, "roles": u.Roles, "must_change_password": must}})
		fmt.Fprintf(out, "created user %s (id %d) with roles %s\n", u.Username, u.ID, strings.Join(u.Roles, ","))
	case "set-password":
		c, err := db.UserCredentials(ctx, auth.NormalizeUsername(username))
		if err != nil {
			return describe(err)
		}
		if err := svc.SetPassword(ctx, c.UserID, password, "password", "", must); err != nil {
			return describe(err)
		}
		audit.Record(ctx, log, auth.AuditEntry{ActorType: auth.ActorSystem, ActorName: "server user set-password",
			Action: "user.reset_password", TargetType: "user", TargetID: fmt.Sprint(c.UserID), Result: auth.ResultSuccess,
			Detail: map[string]any{"must_change_password": must}})
		fmt.Fprintf(out, "password of %s (id %d) set; their sessions have ended\n", c.Username, c.UserID)
	case "reset-mfa":
		c, err := db.UserCredentials(ctx, auth.NormalizeUsername(username))
		if err != nil {
			return describe(err)
		}
		was, err := svc.ResetMFA(ctx, c.UserID)
		if err != nil {
			return describe(err)
		}
		audit.Record(ctx, log, auth.AuditEntry{ActorType: auth.ActorSystem, ActorName: "server user reset-mfa",
			Action: "user.reset_mfa", TargetType: "user", TargetID: fmt.Sprint(c.UserID), Result: auth.ResultSuccess,
			Detail: map[string]any{"was_enabled": was}})
		if was {
			fmt.Fprintf(out, "two-step verification of %s (id %d) turned off; they sign in with their password alone\n", c.Username, c.UserID)
		} else {
			fmt.Fprintf(out, "two-step verification of %s (id %d) was off already\n", c.Username, c.UserID)
		}
	}
	return nil
}

func readPassword(fromStdin bool, stdin io.Reader) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", fmt.Errorf("%w: empty password on standard input", ErrUsage)
		}
		return line, nil
	}
	if pw := os.Getenv(PasswordEnv); pw != "" {
		return pw, nil
	}
	return "", fmt.Errorf("%w: no password: use --password-stdin or set %s", ErrUsage, PasswordEnv)
}

// describe turns a validation error into one readable line naming fields.
func describe(err error) error {
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+" "+f.Message)
	}
	return fmt.Errorf("%s: %w", strings.Join(parts, "; "), err)
}
