package channel

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// post sends body to target and returns the status and (at most 64 KiB of) the
// answer. Network errors and HTTP 5xx/429 are temporary errors; other
// non-2xx statuses are permanent.
func (s *Sender) post(ctx context.Context, target string, body []byte, header http.Header) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		// The parse error would quote the URL, token and all.
		return 0, nil, &Error{Msg: "bad request URL"}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", s.opts.UserAgent)
	resp, err := s.client.Do(req)
	if err != nil {
		// The URL (with its token) must not reach logs: keep only the cause.
		cause := err
		var ue *url.Error
		if errors.As(err, &ue) {
			cause = ue.Err
		}
		return 0, nil, &Error{Temporary: true, Msg: "request failed", Err: cause}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return resp.StatusCode, answer, &Error{Temporary: true, Msg: fmt.Sprintf("HTTP %d: %s", resp.StatusCode, snippet(answer))}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return resp.StatusCode, answer, &Error{Msg: fmt.Sprintf("HTTP %d: %s", resp.StatusCode, snippet(answer))}
	}
	return resp.StatusCode, answer, nil
}

// postBot posts body to a chat bot at target and checks the platform's
// JSON answer (temporary: the codes worth retrying); the result is a
// snippet of the answer.
func (s *Sender) postBot(ctx context.Context, platform, target string, body []byte, temporary ...int) (string, error) {
	_, answer, err := s.post(ctx, target, body, nil)
	if err != nil {
		return "", err
	}
	if err := checkAnswer(platform, answer, temporary...); err != nil {
		return "", err
	}
	return snippet(answer), nil
}

// snippet shortens a receiver's answer for error messages and the log.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// hmacBase64 is Base64(HMAC-SHA256(key, msg)), the signature of Feishu
// (message empty) and DingTalk (key the secret).
func hmacBase64(key, msg string) string {
	h := hmac.New(sha256.New, []byte(key))
	h.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// platformAnswer is the answer of the chat platforms: Feishu's code/msg,
// DingTalk's and WeCom's errcode/errmsg.
type platformAnswer struct {
	Code       *int   `json:"code"`
	Msg        string `json:"msg"`
	StatusCode *int   `json:"StatusCode"`
	ErrCode    *int   `json:"errcode"`
	ErrMsg     string `json:"errmsg"`
}

// checkAnswer turns a platform's JSON answer into an error, treating the
// codes in temporary as rate limits worth retrying.
func checkAnswer(platform string, body []byte, temporary ...int) error {
	var a platformAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return &Error{Msg: platform + ": answer is not JSON: " + snippet(body)}
	}
	code, msg := 0, ""
	switch {
	case a.Code != nil:
		code, msg = *a.Code, a.Msg
	case a.ErrCode != nil:
		code, msg = *a.ErrCode, a.ErrMsg
	case a.StatusCode != nil:
		code, msg = *a.StatusCode, a.Msg
	default:
		return &Error{Msg: platform + ": answer has no code: " + snippet(body)}
	}
	if code == 0 {
		return nil
	}
	tmp := false
	for _, c := range temporary {
		tmp = tmp || c == code
	}
	return &Error{Temporary: tmp, Code: code, Msg: platform + ": " + msg}
}
