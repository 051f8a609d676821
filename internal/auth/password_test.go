package auth

import (
	"strings"
	"testing"
)

func TestPasswordPolicy(t *testing.T) {
	p := NewPasswordPolicy()
	tests := []struct {
		username, password string
		wantErr            string
	}{
		{"alice", "correct horse battery", ""},
		{"alice", "Tr0ub4dor&3x", ""},
		{"alice", "short", "at least 8"},
		{"alice", "1234567", "at least 8"},
		{"alice", strings.Repeat("x", 73), "at most 72"},
		{"alice", "密码密码密码密码密码密码密码密码密码密码密码密码密码密码", "at most 72"}, // 26 runes, 78 bytes
		{"alice", "ALICE", "at least 8"},
		{"alicesmith", "alicesmith", "username"},
		{"alicesmith", "AliceSmith", "username"},
		{"alicesmith", "my-alicesmith-pw", "username"},
		{"bob", "password", "common"},
		{"bob", "Password123", "common"},
		{"bob", "qwerty123", "common"},
		{"bob", "12345678", "simple"},
		{"bob", "123456789", "common"},
		{"bob", "aaaaaaaaaa", "simple"},
		{"bob", "abcdefghij", "simple"},
		{"bob", "98765432", "simple"},
		{"bob", "ok-Passphrase-2026", ""},
	}
	for _, tt := range tests {
		err := p.Check(tt.username, tt.password)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Check(%q, %q) = %v, want nil", tt.username, tt.password, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("Check(%q, %q) = %v, want error containing %q", tt.username, tt.password, err, tt.wantErr)
		}
	}
}

func TestCheckUsername(t *testing.T) {
	for name, ok := range map[string]bool{
		"alice": true, "a.b-c_d": true, "u42": true, "ab": false, "-alice": false, "al ice": false,
		"ALICE": false /* normalise first */, strings.Repeat("a", 64): true, strings.Repeat("a", 65): false, "zhang@x": false,
	} {
		if got := CheckUsername(name) == nil; got != ok {
			t.Errorf("CheckUsername(%q) ok = %v, want %v", name, got, ok)
		}
	}
}

func TestHashIsBcrypt(t *testing.T) {
	h, err := HashPassword("a fine password", 4)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$2a$04$") || len(h) != 60 {
		t.Fatalf("hash %q is not bcrypt cost 4", h)
	}
	if !CheckPassword(h, "a fine password") || CheckPassword(h, "a fine passwore") {
		t.Fatal("CheckPassword disagrees with the hash")
	}
}

func TestPrincipal(t *testing.T) {
	p := NewPrincipal(3, "op", "s", []string{"viewer", "operator", "viewer"},
		[]string{PermReportRead, PermAdWrite, PermAdvertiserRead, PermAdWrite})
	if !p.Can(PermAdWrite) || !p.Can(PermReportRead) || p.Can(PermUserManage) || p.Can("") {
		t.Errorf("Can is wrong for %+v", p)
	}
	if p.IsAdmin() || p.AllAdvertisers() {
		t.Error("operator reported as admin")
	}
	if s := p.Scope(); s.All || s.UserID != 3 {
		t.Errorf("scope = %+v", s)
	}
	a := NewPrincipal(1, "root", "s", []string{RoleAdmin}, nil)
	if !a.IsAdmin() || !a.Scope().All {
		t.Errorf("admin scope = %+v", a.Scope())
	}
	var zero Scope
	if zero.All || zero.UserID != 0 {
		t.Error("zero scope must see nothing")
	}
}
