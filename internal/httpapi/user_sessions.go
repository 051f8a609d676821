package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// sessionAdmin lists and ends users' sessions (implemented by *auth.Service).
type sessionAdmin interface {
	ActiveSessions(ctx context.Context, userID int64) ([]auth.Session, error)
	RevokeSessionOf(ctx context.Context, userID int64, sessionID string) (auth.Session, error)
}

var _ sessionAdmin = (*auth.Service)(nil)

// sessionResponse is one sign-in of a user: where from, since when, when
// its tokens were last refreshed and when it ends at the latest.
type sessionResponse struct {
	ID          string     `json:"id"`
	UserID      int64      `json:"user_id"`
	CreatedAt   time.Time  `json:"created_at"`
	RefreshedAt time.Time  `json:"refreshed_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	IP          string     `json:"ip"`
	UserAgent   string     `json:"user_agent"`
	RevokedAt   *time.Time `json:"revoked_at"`
	// Current marks the caller's own session.
	Current bool `json:"current"`
}

func sessionView(ss auth.Session, current string) sessionResponse {
	return sessionResponse{ID: ss.ID, UserID: ss.UserID, CreatedAt: ss.CreatedAt, RefreshedAt: ss.RefreshedAt,
		ExpiresAt: ss.ExpiresAt, IP: ss.IP, UserAgent: ss.UserAgent, RevokedAt: ss.RevokedAt, Current: ss.ID == current}
}

// userSessionRoutes: an admin (user:manage) sees a user's active sessions
// and ends one.
func (s *Server) userSessionRoutes(u *gin.RouterGroup) {
	u.GET("/:id/sessions", s.userSessions)
	u.DELETE("/:id/sessions/:sid", s.revokeUserSession)
}

func (s *Server) sessionAdmin(c *gin.Context) (sessionAdmin, bool) {
	if s.deps.Auth == nil {
		fail(c, apperr.New(apperr.KindUnavailable, "authentication is not configured"))
		return nil, false
	}
	return s.deps.Auth, true
}

// userSessions is GET /api/v1/users/{id}/sessions: the user's sessions that
// may still be used, newest first.
func (s *Server) userSessions(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	svc, ok := s.sessionAdmin(c)
	if !ok {
		return
	}
	list, err := svc.ActiveSessions(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	p, _ := principalFrom(c)
	out := make([]sessionResponse, 0, len(list))
	for _, ss := range list {
		out = append(out, sessionView(ss, p.SessionID))
	}
	respond(c, http.StatusOK, out)
}

// revokeUserSession is DELETE /api/v1/users/{id}/sessions/{sid}: the
// session ends at once (its access tokens are refused from the next
// request). Ending an ended session answers 200 all the same.
func (s *Server) revokeUserSession(c *gin.Context) {
	setAudit(c, "user.revoke_session", "session", cut(c.Param("sid"), 64))
	id, ok := pathID(c)
	if !ok {
		return
	}
	auditDetail(c, "user_id", id)
	svc, ok := s.sessionAdmin(c)
	if !ok {
		return
	}
	ss, err := svc.RevokeSessionOf(c.Request.Context(), id, c.Param("sid"))
	if err != nil {
		fail(c, err)
		return
	}
	p, _ := principalFrom(c)
	respond(c, http.StatusOK, sessionView(ss, p.SessionID))
}
