package httpapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// createUserRequest is POST /api/v1/users's body.
type createUserRequest struct {
	Username      string   `json:"username" validate:"required,max=64"`
	Password      string   `json:"password" validate:"required,max=128"`
	DisplayName   string   `json:"display_name" validate:"max=128"`
	Email         string   `json:"email" validate:"omitempty,email,max=254"`
	Roles         []string `json:"roles" validate:"required,min=1,max=4,unique,dive,oneof=admin operator analyst viewer"`
	AdvertiserIDs []int64  `json:"advertiser_ids" validate:"max=10000,dive,gt=0"`
	// ClientIDs: clients whose accounts are in the user's scope.
	ClientIDs []int64 `json:"client_ids" validate:"max=500,dive,gt=0"`
	// MustChangePassword: the user must choose their own password when they
	// first sign in (the one given here is known to the admin too).
	MustChangePassword bool `json:"must_change_password"`
}

// updateUserRequest is PATCH /api/v1/users/{id}'s body; absent fields stay.
type updateUserRequest struct {
	DisplayName *string `json:"display_name" validate:"omitempty,max=128"`
	Email       *string `json:"email" validate:"omitempty,max=254"`
}

// setPasswordRequest is POST /api/v1/users/{id}/password's body.
type setPasswordRequest struct {
	Password string `json:"password" validate:"required,max=128"`
	// MustChangePassword: the user must choose their own password when they
	// next sign in (refused on one's own account).
	MustChangePassword bool `json:"must_change_password"`
}

// setRolesRequest is PUT /api/v1/users/{id}/roles's body.
type setRolesRequest struct {
	Roles []string `json:"roles" validate:"required,min=1,max=4,unique,dive,oneof=admin operator analyst viewer"`
}

// setAdvertisersRequest is PUT /api/v1/users/{id}/advertisers's body.
type setAdvertisersRequest struct {
	AdvertiserIDs []int64 `json:"advertiser_ids" validate:"required,max=10000,dive,gt=0"`
	// ClientIDs replaces the user's clients; absent (nil) leaves them.
	ClientIDs []int64 `json:"client_ids" validate:"max=500,dive,gt=0"`
}

// userQuery is GET /api/v1/users's query.
type userQuery struct {
	PageQuery
	Query  string `form:"q" validate:"max=64"`
	Status string `form:"status" validate:"omitempty,oneof=active disabled"`
	Role   string `form:"role" validate:"omitempty,oneof=admin operator analyst viewer"`
	// ClientID keeps the users given that client.
	ClientID int64 `form:"client_id" validate:"omitempty,gt=0"`
}

// userResponse is a user as the API shows it (never the password hash).
type userResponse struct {
	ID                int64     `json:"id"`
	Username          string    `json:"username"`
	DisplayName       string    `json:"display_name"`
	Email             string    `json:"email"`
	Status            string    `json:"status"`
	Roles             []string  `json:"roles"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
	// MustChangePassword: the user has yet to replace a password an admin set.
	MustChangePassword bool `json:"must_change_password"`
	// MFAEnabled: two-step verification is on.
	MFAEnabled  bool       `json:"mfa_enabled"`
	LastLoginAt *time.Time `json:"last_login_at"`
	// Advertisers counts the accounts in the user's scope, Clients the
	// clients given to them.
	Advertisers int `json:"advertisers"`
	Clients     int `json:"clients"`
}

func userView(u auth.User) userResponse {
	return userResponse{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email, Status: u.Status,
		Roles: orEmpty(u.Roles), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, PasswordChangedAt: u.PasswordChangedAt,
		MustChangePassword: u.PasswordMustChange, MFAEnabled: u.MFAEnabled, LastLoginAt: u.LastLoginAt,
		Advertisers: u.Advertisers, Clients: u.Clients}
}

// userAdvertisersResponse is what puts advertisers in a user's data scope.
type userAdvertisersResponse struct {
	UserID int64 `json:"user_id"`
	// AdvertiserIDs are assigned one by one.
	AdvertiserIDs []int64 `json:"advertiser_ids"`
	// ClientIDs are the user's clients: their accounts are in the scope.
	ClientIDs []int64 `json:"client_ids"`
	// Advertisers counts the accounts in the scope, each once.
	Advertisers int `json:"advertisers"`
}

func (s *Server) createUser(c *gin.Context) {
	serveBound(c, s.bindJSON, http.StatusCreated, func(req createUserRequest) (auth.User, error) {
		auditDetail(c, "username", auth.NormalizeUsername(req.Username))
		auditDetail(c, "roles", req.Roles)
		auditDetail(c, "must_change_password", req.MustChangePassword)
		if err := s.deps.DB.CheckUserClients(c.Request.Context(), req.ClientIDs); err != nil {
			return auth.User{}, err
		}
		u, err := s.deps.Auth.CreateUser(c.Request.Context(), auth.CreateUserInput{Username: req.Username,
			Password: req.Password, DisplayName: req.DisplayName, Email: req.Email, Roles: req.Roles,
			PasswordMustChange: req.MustChangePassword})
		if err = auditCreated(c, u.ID, err); err != nil || len(req.AdvertiserIDs)+len(req.ClientIDs) == 0 {
			return u, err
		}
		p, _ := principalFrom(c)
		if err := s.deps.DB.SetUserGrants(c.Request.Context(), u.ID, auth.Grants{AdvertiserIDs: req.AdvertiserIDs,
			ClientIDs: orEmpty(req.ClientIDs)}, p.UserID); err != nil {
			return u, err
		}
		auditDetail(c, "advertiser_count", len(req.AdvertiserIDs))
		auditDetail(c, "client_ids", orEmpty(req.ClientIDs))
		return u, nil
	}, userView)
}

func (s *Server) listUsers(c *gin.Context) {
	serveList(s, c, func(q userQuery) ([]auth.User, int64, error) {
		return s.deps.DB.ListUsers(c.Request.Context(), auth.UserFilter{Query: q.Query, Status: q.Status,
			Role: q.Role, ClientID: q.ClientID, Limit: q.PageSize, Offset: q.Offset()})
	}, userView)
}

func (s *Server) getUser(c *gin.Context) {
	serveByID(c, func(id int64) (auth.User, error) { return s.deps.DB.GetUser(c.Request.Context(), id) }, userView)
}

func (s *Server) updateUser(c *gin.Context) {
	serveByIDWith(c, s.bindJSON, func(id int64, req updateUserRequest) (auth.User, error) {
		if req.Email != nil && *req.Email != "" {
			if err := s.validator.Var(*req.Email, "email"); err != nil {
				return auth.User{}, apperr.Validation(apperr.Field("email", "must be an email address").Because("email"))
			}
		}
		var changed []string
		if req.DisplayName != nil {
			changed = append(changed, "display_name")
		}
		if req.Email != nil {
			changed = append(changed, "email")
		}
		auditDetail(c, "fields", changed)
		return s.deps.Auth.UpdateProfile(c.Request.Context(), id, auth.UserUpdate{DisplayName: req.DisplayName, Email: req.Email})
	}, userView)
}

// setUserStatus is POST /users/{id}/disable and /enable. Disabling ends the
// user's sessions at once. Admins cannot disable themselves.
func (s *Server) setUserStatus(status string) gin.HandlerFunc {
	return func(c *gin.Context) {
		serveByID(c, func(id int64) (auth.User, error) {
			if p, _ := principalFrom(c); p.UserID == id && status == auth.StatusDisabled {
				return auth.User{}, apperr.Conflict("you cannot disable your own account").WithReason("self_disable")
			}
			if err := s.deps.Auth.SetStatus(c.Request.Context(), id, status); err != nil {
				return auth.User{}, err
			}
			return s.deps.DB.GetUser(c.Request.Context(), id)
		}, userView)
	}
}

// resetPassword is POST /users/{id}/password: an admin sets a user's
// password, which the user may have to change when they next sign in; the
// user's sessions end.
func (s *Server) resetPassword(c *gin.Context) {
	serveByIDWith(c, s.bindJSON, func(id int64, req setPasswordRequest) (map[string]any, error) {
		auditDetail(c, "must_change_password", req.MustChangePassword)
		keep := ""
		if p, _ := principalFrom(c); p.UserID == id {
			if req.MustChangePassword {
				return nil, apperr.Validation(apperr.Field("must_change_password", "cannot be set on your own password: you chose it").
					Because("self_must_change"))
			}
			keep = p.SessionID // resetting one's own password keeps the current session
		}
		err := s.deps.Auth.SetPassword(c.Request.Context(), id, req.Password, "password", keep, req.MustChangePassword)
		return map[string]any{"user_id": id, "sessions_revoked": true, "must_change_password": req.MustChangePassword}, err
	}, asIs)
}

// setUserRoles is PUT /users/{id}/roles. Admins cannot drop their own admin role.
func (s *Server) setUserRoles(c *gin.Context) {
	serveByIDWith(c, s.bindJSON, func(id int64, req setRolesRequest) (auth.User, error) {
		auditDetail(c, "roles", req.Roles)
		if p, _ := principalFrom(c); p.UserID == id && p.IsAdmin() && !slices.Contains(req.Roles, auth.RoleAdmin) {
			return auth.User{}, apperr.Conflict("you cannot remove your own admin role").WithReason("self_unadmin")
		}
		if err := s.deps.Auth.SetRoles(c.Request.Context(), id, req.Roles); err != nil {
			return auth.User{}, err
		}
		return s.deps.DB.GetUser(c.Request.Context(), id)
	}, userView)
}

// userAdvertisers is GET /users/{id}/advertisers: what puts advertisers in
// the user's scope.
func (s *Server) userAdvertisers(c *gin.Context) {
	serveByID(c, func(id int64) (userAdvertisersResponse, error) { return s.userAdvertiserIDs(c, id) }, asIs)
}

// setUserAdvertisers is PUT /users/{id}/advertisers: replaces the accounts
// assigned one by one and, when given, the clients (the data scope of
// non-admins).
func (s *Server) setUserAdvertisers(c *gin.Context) {
	serveByIDWith(c, s.bindJSON, func(id int64, req setAdvertisersRequest) (userAdvertisersResponse, error) {
		p, _ := principalFrom(c)
		if err := s.deps.DB.SetUserGrants(c.Request.Context(), id, auth.Grants{AdvertiserIDs: req.AdvertiserIDs,
			ClientIDs: req.ClientIDs}, p.UserID); err != nil {
			return userAdvertisersResponse{}, err
		}
		auditDetail(c, "advertiser_count", len(req.AdvertiserIDs))
		if req.ClientIDs != nil {
			auditDetail(c, "client_ids", req.ClientIDs)
		}
		return s.userAdvertiserIDs(c, id)
	}, asIs)
}

// userAdvertiserIDs reads what puts advertisers in the user's scope.
func (s *Server) userAdvertiserIDs(c *gin.Context, id int64) (userAdvertisersResponse, error) {
	g, err := s.deps.DB.UserGrants(c.Request.Context(), id)
	return userAdvertisersResponse{UserID: id, AdvertiserIDs: g.AdvertiserIDs, ClientIDs: g.ClientIDs, Advertisers: g.Advertisers}, err
}
