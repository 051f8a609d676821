package channel

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// emailMessage renders m as an RFC 5322 message: UTF-8 text, quoted-printable.
func emailMessage(c Config, m Message, at time.Time) []byte {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", c.From)
	h("To", strings.Join(c.To, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", m.Title))
	h("Date", at.Format(time.RFC1123Z))
	id := m.ID
	if id == "" {
		id = strconv.FormatInt(at.UnixNano(), 36)
	}
	h("Message-ID", "<"+id+"@oceanops.alerts>")
	h("MIME-Version", "1.0")
	h("Content-Type", `text/plain; charset="utf-8"`)
	h("Content-Transfer-Encoding", "quoted-printable")
	h("X-OceanOps-Level", string(m.Level))
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(m.text(), "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}

func (s *Sender) email(ctx context.Context, c Config, m Message) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	addr := net.JoinHostPort(c.SMTPHost, strconv.Itoa(c.SMTPPort))
	conn, err := s.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", &Error{Temporary: true, Msg: "smtp: connect", Err: err}
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	tlsConf := &tls.Config{ServerName: c.SMTPHost, MinVersion: tls.VersionTLS12}
	if c.TLS == TLSImplicit {
		conn = tls.Client(conn, tlsConf)
	}
	client, err := smtp.NewClient(conn, c.SMTPHost)
	if err != nil {
		_ = conn.Close()
		return "", smtpError("greeting", err)
	}
	defer client.Close()
	if c.TLS == TLSStartTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return "", &Error{Msg: "smtp: the server does not offer STARTTLS (set tls to \"tls\" for port 465, or \"none\" for a private relay)"}
		}
		if err := client.StartTLS(tlsConf); err != nil {
			return "", smtpError("starttls", err)
		}
	}
	if c.Username != "" {
		if err := client.Auth(smtp.PlainAuth("", c.Username, c.Password, c.SMTPHost)); err != nil {
			return "", smtpError("auth", err)
		}
	}
	if err := client.Mail(c.From); err != nil {
		return "", smtpError("MAIL FROM", err)
	}
	for _, to := range c.To {
		if err := client.Rcpt(to); err != nil {
			return "", smtpError("RCPT TO "+to, err)
		}
	}
	w, err := client.Data()
	if err != nil {
		return "", smtpError("DATA", err)
	}
	if _, err := w.Write(emailMessage(c, m, s.opts.Now())); err != nil {
		return "", smtpError("DATA", err)
	}
	if err := w.Close(); err != nil {
		return "", smtpError("DATA", err)
	}
	_ = client.Quit()
	return fmt.Sprintf("accepted for %d recipient(s)", len(c.To)), nil
}

// smtpError classifies a failed SMTP step: 4xx replies and network
// failures are temporary, 5xx replies permanent.
func smtpError(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return &Error{Temporary: te.Code < 500, Code: te.Code, Msg: "smtp: " + step + ": " + te.Msg}
	}
	return &Error{Temporary: true, Msg: "smtp: " + step, Err: err}
}
