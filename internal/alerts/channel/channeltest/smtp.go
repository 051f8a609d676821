package channeltest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// Mail is a message the SMTP server accepted.
type Mail struct {
	From string
	To   []string
	// Auth is the PLAIN identity the client authenticated as ("" without AUTH).
	Auth string
	Data []byte
	// Message is Data parsed.
	Message *mail.Message
}

// SMTP is a minimal SMTP server (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET,
// NOOP, QUIT) without TLS, for tests on loopback.
type SMTP struct {
	ln       net.Listener
	user     string
	password string
	mails    accepted[Mail]
	wg       sync.WaitGroup
	// Host and Port are where it listens.
	Host string
	Port int
}

// NewSMTP starts an SMTP server on 127.0.0.1 that accepts user/password
// with AUTH PLAIN (no authentication when user is empty).
func NewSMTP(t testing.TB, user, password string) *SMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTP{ln: ln, user: user, password: password, Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

// Mails returns the messages accepted so far.
func (s *SMTP) Mails() []Mail {
	return s.mails.list()
}

func (s *SMTP) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.session(c)
		}()
	}
}

func (s *SMTP) session(c net.Conn) {
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 channeltest ESMTP")
	var cur Mail
	authed := s.user == ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := strings.TrimSpace(strings.TrimPrefix(line, line[:len(verb)]))
		switch verb {
		case "EHLO":
			say("250-channeltest")
			if s.user != "" {
				say("250-AUTH PLAIN")
			}
			say("250 8BITMIME")
		case "HELO":
			say("250 channeltest")
		case "AUTH":
			parts := strings.Fields(arg)
			if len(parts) != 2 || strings.ToUpper(parts[0]) != "PLAIN" {
				say("504 only AUTH PLAIN with an initial response")
				continue
			}
			raw, _ := base64.StdEncoding.DecodeString(parts[1])
			f := bytes.Split(raw, []byte{0})
			if len(f) != 3 || string(f[1]) != s.user || string(f[2]) != s.password {
				say("535 authentication failed")
				continue
			}
			authed, cur.Auth = true, string(f[1])
			say("235 authenticated")
		case "MAIL":
			if !authed {
				say("530 authentication required")
				continue
			}
			cur.From = addr(arg)
			say("250 ok")
		case "RCPT":
			cur.To = append(cur.To, addr(arg))
			say("250 ok")
		case "DATA":
			if cur.From == "" || len(cur.To) == 0 {
				say("503 MAIL and RCPT first")
				continue
			}
			say("354 end with <CRLF>.<CRLF>")
			var data bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data = data.Bytes()
			cur.Message, _ = mail.ReadMessage(bytes.NewReader(cur.Data))
			s.mails.add(cur)
			cur = Mail{Auth: cur.Auth}
			say("250 queued")
		case "RSET":
			cur = Mail{Auth: cur.Auth}
			say("250 ok")
		case "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

// addr takes the address out of "FROM:<a@b>" or "TO:<a@b> SIZE=…".
func addr(arg string) string {
	if i, j := strings.IndexByte(arg, '<'), strings.IndexByte(arg, '>'); i >= 0 && j > i {
		return arg[i+1 : j]
	}
	return arg
}
