package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

var _ auth.Store = (*DB)(nil)

const userColumns = `u.id, u.username, u.display_name, u.email, u.status, u.created_at, u.updated_at,
	u.password_changed_at, u.password_must_change, u.totp_enabled_at IS NOT NULL, u.last_login_at,
	(SELECT COUNT(*) FROM user_advertisers ua WHERE ua.user_id = u.id), (SELECT COUNT(*) FROM user_clients uc WHERE uc.user_id = u.id)`

func scanUser(row scanner) (auth.User, error) {
	var u auth.User
	var last sql.NullTime
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.Status, &u.CreatedAt, &u.UpdatedAt,
		&u.PasswordChangedAt, &u.PasswordMustChange, &u.MFAEnabled, &last, &u.Advertisers, &u.Clients)
	if last.Valid {
		t := last.Time
		u.LastLoginAt = &t
	}
	return u, err
}

// CreateUser inserts a user with its roles in one transaction. A taken
// username is KindConflict; an unknown role KindValidation on "roles".
func (db *DB) CreateUser(ctx context.Context, nu auth.NewUser) (auth.User, error) {
	var id int64
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO users (username, display_name, email, password_hash, status, password_changed_at, password_must_change)
			VALUES (?, ?, ?, ?, 'active', UTC_TIMESTAMP(3), ?)`,
			nu.Username, nu.DisplayName, nu.Email, nu.PasswordHash, nu.PasswordMustChange)
		if IsDuplicate(err) {
			return apperr.Wrap(err, apperr.KindConflict, "username %q is taken", nu.Username).WithReason("username_taken", "username", nu.Username)
		}
		if err != nil {
			return fmt.Errorf("mysql: create user: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("mysql: create user: %w", err)
		}
		return setUserRoles(ctx, tx, id, nu.Roles)
	})
	if err != nil {
		return auth.User{}, err
	}
	return db.GetUser(ctx, id)
}

// setUserRoles replaces the user's roles by roles (all must exist).
func setUserRoles(ctx context.Context, tx *sql.Tx, userID int64, roles []string) error {
	roles = slices.Compact(slices.Sorted(slices.Values(roles)))
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("mysql: set user roles: %w", err)
	}
	if len(roles) == 0 {
		return nil
	}
	args := []any{userID}
	for _, r := range roles {
		args = append(args, r)
	}
	n, err := execCount(ctx, tx, "set user roles", `INSERT INTO user_roles (user_id, role_id)
		SELECT ?, id FROM roles WHERE name IN (`+placeholders(len(roles))+`)`, args...)
	if err != nil {
		return err
	}
	if n != int64(len(roles)) {
		return apperr.Validation(apperr.Field("roles", "names an unknown role").Because("unknown_role"))
	}
	return nil
}

// SetUserRoles replaces a user's roles (KindNotFound for an unknown user).
func (db *DB) SetUserRoles(ctx context.Context, userID int64, roles []string) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if err := lockUser(ctx, tx, userID); err != nil {
			return err
		}
		return setUserRoles(ctx, tx, userID, roles)
	})
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// GetUser returns a user with roles (KindNotFound if absent).
func (db *DB) GetUser(ctx context.Context, id int64) (auth.User, error) {
	u, err := scanUser(db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, apperr.NotFound("user")
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("mysql: get user: %w", err)
	}
	roles, err := db.rolesOf(ctx, []int64{id})
	if err != nil {
		return auth.User{}, err
	}
	u.Roles = roles[id]
	if u.Roles == nil {
		u.Roles = []string{}
	}
	return u, nil
}

// rolesOf returns the sorted role names of each user.
func (db *DB) rolesOf(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return queryGroups(ctx, db, out, "user roles", `SELECT ur.user_id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
		WHERE ur.user_id IN (`+placeholders(len(ids))+`) ORDER BY ur.user_id, r.name`, args...)
}

// ListUsers returns a page of users matching f, ordered by id, and the total.
func (db *DB) ListUsers(ctx context.Context, f auth.UserFilter) ([]auth.User, int64, error) {
	w := whereOf("1=1", nil)
	if f.Query != "" {
		like := "%" + escapeLike(f.Query) + "%"
		w.add("(u.username LIKE ? OR u.display_name LIKE ? OR u.email LIKE ?)", like, like, like)
	}
	w.addIf(f.Status != "", "u.status = ?", f.Status)
	w.addIf(f.Role != "", "u.id IN (SELECT ur.user_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = ?)", f.Role)
	w.addIf(f.ClientID != 0, "u.id IN (SELECT uc.user_id FROM user_clients uc WHERE uc.client_id = ?)", f.ClientID)
	users, total, err := queryPage(ctx, db, nil, listPage{noun: "users", cols: userColumns, from: "users u", w: w, order: "u.id",
		limit: f.Limit, offset: f.Offset}, scanUser)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	roles, err := db.rolesOf(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range users {
		users[i].Roles = roles[users[i].ID]
		if users[i].Roles == nil {
			users[i].Roles = []string{}
		}
	}
	return users, total, nil
}

// escapeLike escapes LIKE wildcards so a search matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateUser changes the profile fields that are set (KindNotFound if absent).
func (db *DB) UpdateUser(ctx context.Context, id int64, up auth.UserUpdate) (auth.User, error) {
	var sets []string
	var args []any
	if up.DisplayName != nil {
		sets, args = append(sets, "display_name = ?"), append(args, *up.DisplayName)
	}
	if up.Email != nil {
		sets, args = append(sets, "email = ?"), append(args, *up.Email)
	}
	if len(sets) > 0 {
		if _, err := db.ExecContext(ctx, `UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, id)...); err != nil {
			return auth.User{}, fmt.Errorf("mysql: update user: %w", err)
		}
	}
	return db.GetUser(ctx, id)
}

// CountUsers counts every user.
func (db *DB) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("mysql: count users: %w", err)
	}
	return n, nil
}

// UserCredentials returns what sign-in needs (KindNotFound if no such username).
func (db *DB) UserCredentials(ctx context.Context, username string) (auth.Credentials, error) {
	var c auth.Credentials
	err := db.QueryRowContext(ctx, `SELECT id, username, password_hash, status, password_must_change, password_changed_at,
		totp_enabled_at IS NOT NULL FROM users WHERE username = ?`, username).
		Scan(&c.UserID, &c.Username, &c.PasswordHash, &c.Status, &c.PasswordMustChange, &c.PasswordChangedAt, &c.MFAEnabled)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("user")
	}
	if err != nil {
		return c, fmt.Errorf("mysql: user credentials: %w", err)
	}
	return c, nil
}

func userExec(ctx context.Context, db *DB, what, query string, args ...any) error {
	changed, err := affected(ctx, db, what, query, args...)
	if err != nil {
		return err
	}
	// MySQL reports 0 affected rows when the values are unchanged, so tell
	// "absent" from "unchanged" by looking the user up.
	if !changed {
		var one int
		err := db.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, args[len(args)-1]).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("user")
		}
		if err != nil {
			return fmt.Errorf("mysql: %s: %w", what, err)
		}
	}
	return nil
}

// SetPasswordHash stores a new bcrypt hash and whether the user must change
// it (KindNotFound if absent).
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash string, mustChange bool, at time.Time) error {
	return userExec(ctx, db, "set password", `UPDATE users SET password_hash = ?, password_changed_at = ?, password_must_change = ?
		WHERE id = ?`, hash, at.UTC(), mustChange, userID)
}

// SetUserStatus sets active or disabled (KindNotFound if absent).
func (db *DB) SetUserStatus(ctx context.Context, userID int64, status string, _ time.Time) error {
	return userExec(ctx, db, "set user status", `UPDATE users SET status = ? WHERE id = ?`, status, userID)
}

// RecordLogin notes a successful sign-in.
func (db *DB) RecordLogin(ctx context.Context, userID int64, at time.Time) error {
	return userExec(ctx, db, "record login", `UPDATE users SET last_login_at = ? WHERE id = ?`, at.UTC(), userID)
}

// LoadPrincipal returns the user's principal (roles and the union of their
// permissions, as of now) and status, in one query. KindNotFound if absent.
func (db *DB) LoadPrincipal(ctx context.Context, userID int64) (auth.Principal, string, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT u.username, u.status, u.display_name, u.email, u.last_login_at, u.password_must_change,
			u.totp_enabled_at IS NOT NULL, r.name, p.name
		FROM users u
		LEFT JOIN user_roles ur ON ur.user_id = u.id
		LEFT JOIN roles r ON r.id = ur.role_id
		LEFT JOIN role_permissions rp ON rp.role_id = r.id
		LEFT JOIN permissions p ON p.id = rp.permission_id
		WHERE u.id = ?`, userID)
	if err != nil {
		return auth.Principal{}, "", fmt.Errorf("mysql: load principal: %w", err)
	}
	defer rows.Close()
	var username, status string
	var roles, perms []string
	var profile auth.Profile
	var mustChange, mfa bool
	found := false
	for rows.Next() {
		var role, perm sql.NullString
		if err := rows.Scan(&username, &status, &profile.DisplayName, &profile.Email, &profile.LastLoginAt, &mustChange, &mfa, &role, &perm); err != nil {
			return auth.Principal{}, "", fmt.Errorf("mysql: load principal: %w", err)
		}
		found = true
		if role.Valid {
			roles = append(roles, role.String)
		}
		if perm.Valid {
			perms = append(perms, perm.String)
		}
	}
	if err := rows.Err(); err != nil {
		return auth.Principal{}, "", fmt.Errorf("mysql: load principal: %w", err)
	}
	if !found {
		return auth.Principal{}, "", apperr.NotFound("user")
	}
	p := auth.NewPrincipal(userID, username, "", roles, perms)
	p.Profile = profile
	p.PasswordMustChange = mustChange
	p.MFAEnabled = mfa
	return p, status, nil
}

// RolePermissions returns each role's permissions as stored.
func (db *DB) RolePermissions(ctx context.Context) (map[string][]string, error) {
	return queryGroups(ctx, db, map[string][]string{}, "role permissions", `SELECT r.name, p.name FROM roles r
		JOIN role_permissions rp ON rp.role_id = r.id JOIN permissions p ON p.id = rp.permission_id
		ORDER BY r.name, p.name`)
}
