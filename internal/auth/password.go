package auth

import (
	"bufio"
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Password length bounds. bcrypt reads at most 72 bytes; longer passwords
// are refused rather than silently truncated.
const (
	MinPasswordLen   = 8
	MaxPasswordBytes = 72
)

// commonPasswords is a short list of passwords that attackers try first.
// Matching ignores case.
//
//go:embed common_passwords.txt
var commonPasswordsText string

// PasswordPolicy checks new passwords. Build it with NewPasswordPolicy.
type PasswordPolicy struct {
	common map[string]struct{}
}

// NewPasswordPolicy loads the embedded list of common passwords.
func NewPasswordPolicy() *PasswordPolicy {
	p := &PasswordPolicy{common: map[string]struct{}{}}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p.common[strings.ToLower(line)] = struct{}{}
	}
	return p
}

// Check returns nil when password is acceptable for username, or the reason
// it is not (a sentence fragment such as "must be at least 8 characters").
func (p *PasswordPolicy) Check(username, password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return apperr.Breaks("min_length", []any{"n", MinPasswordLen}, "must be at least %d characters", MinPasswordLen)
	case len(password) > MaxPasswordBytes:
		return apperr.Breaks("max_bytes", []any{"n", MaxPasswordBytes}, "must be at most %d bytes", MaxPasswordBytes)
	case !utf8.ValidString(password):
		return apperr.Breaks("utf8", nil, "must be valid UTF-8")
	}
	lower := strings.ToLower(password)
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" && (lower == u || (len(u) >= 4 && strings.Contains(lower, u))) {
		return apperr.Breaks("password_has_username", nil, "must not contain the username")
	}
	if _, ok := p.common[lower]; ok {
		return apperr.Breaks("password_common", nil, "is too common")
	}
	if trivial(lower) {
		return apperr.Breaks("password_simple", nil, "is too simple (a repeated character or a sequence)")
	}
	return nil
}

// trivial reports one repeated character ("aaaaaaaa") or a run of consecutive
// characters ("12345678", "abcdefgh", "87654321").
func trivial(s string) bool {
	r := []rune(s)
	same, up, down := true, true, true
	for i := 1; i < len(r); i++ {
		same = same && r[i] == r[0]
		up = up && r[i] == r[i-1]+1
		down = down && r[i] == r[i-1]-1
	}
	return same || up || down
}

// ValidationError wraps a policy failure as a 422 naming field.
func (p *PasswordPolicy) ValidationError(field, username, password string) error {
	if err := p.Check(username, password); err != nil {
		return apperr.Validation(apperr.FieldFor(field, err))
	}
	return nil
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// NormalizeUsername lower-cases and trims a username; usernames compare
// case-insensitively.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckUsername returns the reason a (normalised) username is not acceptable.
func CheckUsername(s string) error {
	if !usernamePattern.MatchString(s) {
		return apperr.Breaks("username", nil, "must be 3-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	return nil
}

// HashPassword hashes password with bcrypt at cost.
func HashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches the bcrypt hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
