package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

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
	s.audited(u, http.MethodDelete, "/:id/sessions/:sid", "user.revoke_session", "session", s.revokeUserSession)
}

func (s *Server) sessionAdmin() (sessionAdmin, error) {
	svc, err := s.authService()
	if err != nil {
		return nil, err
	}
	return svc, nil
}

// sessionViewOf renders sessions for the caller (marking their own).
func sessionViewOf(c *gin.Context) func(auth.Session) sessionResponse {
	p, _ := principalFrom(c)
	return func(ss auth.Session) sessionResponse { return sessionView(ss, p.SessionID) }
}

// userSessions is GET /api/v1/users/{id}/sessions: the user's sessions that
// may still be used, newest first.
func (s *Server) userSessions(c *gin.Context) {
	serveByID(c, func(id int64) ([]auth.Session, error) {
		svc, err := s.sessionAdmin()
		if err != nil {
			return nil, err
		}
		return svc.ActiveSessions(c.Request.Context(), id)
	}, func(list []auth.Session) []sessionResponse { return views(list, sessionViewOf(c)) })
}

// revokeUserSession is DELETE /api/v1/users/{id}/sessions/{sid}: the
// session ends at once (its access tokens are refused from the next
// request). Ending an ended session answers 200 all the same.
func (s *Server) revokeUserSession(c *gin.Context) {
	auditTarget(c, cut(c.Param("sid"), 64))
	serveByID(c, func(id int64) (auth.Session, error) {
		auditDetail(c, "user_id", id)
		svc, err := s.sessionAdmin()
		if err != nil {
			return auth.Session{}, err
		}
		return svc.RevokeSessionOf(c.Request.Context(), id, c.Param("sid"))
	}, sessionViewOf(c))
}

// mySessions is GET /api/v1/auth/sessions: the caller's sessions that may
// still be used (the current one marked), newest first.
func (s *Server) mySessions(c *gin.Context) {
	p, _ := principalFrom(c)
	list, err := s.deps.Auth.ActiveSessions(c.Request.Context(), p.UserID)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, views(list, sessionViewOf(c)))
}

// revokeMySession is DELETE /api/v1/auth/sessions/{sid}: the caller ends
// one of their sessions (another device's; their current one signs them
// out). Someone else's session is 404.
func (s *Server) revokeMySession(c *gin.Context) {
	p, _ := principalFrom(c)
	auditTarget(c, cut(c.Param("sid"), 64))
	ss, err := s.deps.Auth.EndOwnSession(c.Request.Context(), p, c.Param("sid"))
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, sessionViewOf(c)(ss))
}

// revokeMyOtherSessions is DELETE /api/v1/auth/sessions: the caller ends
// every session but the current one ("sign out everywhere else").
func (s *Server) revokeMyOtherSessions(c *gin.Context) {
	p, _ := principalFrom(c)
	auditTarget(c, strconv.FormatInt(p.UserID, 10))
	n, err := s.deps.Auth.EndOtherSessions(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "ended", n)
	respond(c, http.StatusOK, map[string]any{"ended": n})
}
