package auth

import (
	"context"

	"github.com/oceanops/adplatform/internal/apperr"
)

// RevokeAdmin is the reason of a session an admin ended from the user list.
const RevokeAdmin = "admin_revoked"

// ActiveSessions lists the sessions of a user that may still be used (not
// revoked, refresh token not expired), newest first. An unknown user is
// KindNotFound.
func (s *Service) ActiveSessions(ctx context.Context, userID int64) ([]Session, error) {
	if _, err := s.store.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	all, err := s.store.UserSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Session, 0, len(all))
	for _, ss := range all {
		if ss.Active(now) {
			out = append(out, ss)
		}
	}
	return out, nil
}

// RevokeSessionOf ends one session of a user: its refresh token stops
// working and its access tokens are denied at once. A session of another
// user (or none) is KindNotFound, so an admin cannot end a session through
// the wrong user by mistake. Ending a session that has already ended
// changes nothing and is not an error; the session is returned as it is
// afterwards.
func (s *Service) RevokeSessionOf(ctx context.Context, userID int64, sessionID string) (Session, error) {
	return s.endSession(ctx, userID, sessionID, RevokeAdmin)
}

// EndOwnSession ends one of the caller's own sessions (another device's;
// ending the current one is signing out). Another user's session is
// KindNotFound; an ended one is returned as it is.
func (s *Service) EndOwnSession(ctx context.Context, p Principal, sessionID string) (Session, error) {
	reason := RevokeSelf
	if sessionID == p.SessionID {
		reason = RevokeLogout
	}
	return s.endSession(ctx, p.UserID, sessionID, reason)
}

// EndOtherSessions ends every session of the caller but the current one and
// returns how many ended.
func (s *Service) EndOtherSessions(ctx context.Context, p Principal) (int, error) {
	return s.revokeUserSessions(ctx, p.UserID, p.SessionID, RevokeSelf)
}

func (s *Service) endSession(ctx context.Context, userID int64, sessionID, reason string) (Session, error) {
	ss, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return Session{}, err
	}
	if ss.UserID != userID {
		return Session{}, apperr.NotFound("session")
	}
	if ss.Active(s.now()) {
		if err := s.revoke(ctx, sessionID, reason, s.now()); err != nil {
			return Session{}, err
		}
	}
	return s.store.SessionByID(ctx, sessionID)
}
