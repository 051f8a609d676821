package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
)

// Clients group advertiser accounts as the agency sees them:
// GET/POST /clients, GET/PUT/DELETE /clients/{id} and
// POST /advertisers/client, which moves accounts into a client or out of
// any. Reading needs advertiser:read (every client's name; accounts and
// counts within the caller's scope), changing advertiser:write.

// clientStore reads and writes clients and which accounts belong to them.
type clientStore interface {
	Clients(ctx context.Context, scope auth.Scope) ([]domain.Client, error)
	Client(ctx context.Context, scope auth.Scope, id int64) (domain.Client, error)
	CreateClient(ctx context.Context, scope auth.Scope, in domain.ClientInput, by int64) (domain.Client, error)
	UpdateClient(ctx context.Context, scope auth.Scope, id int64, in domain.ClientInput) (domain.Client, error)
	DeleteClient(ctx context.Context, id int64) error
	SetAdvertisersClient(ctx context.Context, scope auth.Scope, ids []int64, clientID int64) (int64, error)
	// CheckClients is KindNotFound naming the first of ids that is no client.
	CheckClients(ctx context.Context, ids []int64) error
}

func (s *Server) clientRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/clients", s.requireAuth(), s.requirePerm(auth.PermAdvertiserRead))
	write := s.requirePerm(auth.PermAdvertiserWrite)
	s.crudRoutes(g, "client", crudHandlers{
		list: s.listClients, get: s.getClient,
		create: chain(write, s.createClient), update: chain(write, s.updateClient), remove: chain(write, s.deleteClient),
	})
	s.audited(v1, http.MethodPost, "/advertisers/client", "advertiser.set_client", "client", s.requireAuth(), write,
		s.withIdempotency(false, s.setAdvertisersClient))
}

// chain runs a permission check before h.
func chain(check, h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if check(c); !c.IsAborted() {
			h(c)
		}
	}
}

type clientRequest struct {
	Name string `json:"name" validate:"required,max=64"`
	Note string `json:"note" validate:"max=255"`
}

// input is the request with the name trimmed: a name of spaces only is
// refused as missing.
func (r clientRequest) input() (domain.ClientInput, error) {
	in := domain.ClientInput{Name: strings.TrimSpace(r.Name), Note: strings.TrimSpace(r.Note)}
	if in.Name == "" {
		return in, apperr.Validation(apperr.Field("name", "is required").Because("required"))
	}
	return in, nil
}

// clientJSON is a client as the API answers it; Users is told only to
// those who manage users (nil otherwise).
type clientJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Note        string    `json:"note"`
	Advertisers int       `json:"advertisers"`
	Users       *int      `json:"users,omitempty"`
	CreatedBy   *int64    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// clientView is the JSON of a client for the caller: how many users are
// given it only for one who manages users (the others see no users).
func clientView(c *gin.Context) func(domain.Client) clientJSON {
	manager := principalCan(c, auth.PermUserManage)
	return func(v domain.Client) clientJSON {
		j := clientJSON{ID: v.ID, Name: v.Name, Note: v.Note, Advertisers: v.Advertisers, CreatedBy: optID(v.CreatedBy),
			CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
		if manager {
			j.Users = &v.Users
		}
		return j
	}
}

func (s *Server) listClients(c *gin.Context) {
	cs, err := s.deps.DB.Clients(c.Request.Context(), scopeFrom(c))
	respondViews(c, cs, err, clientView(c))
}

func (s *Server) getClient(c *gin.Context) {
	serveByID(c, func(id int64) (domain.Client, error) {
		return s.deps.DB.Client(c.Request.Context(), scopeFrom(c), id)
	}, clientView(c))
}

func clientName(in domain.ClientInput) string { return in.Name }

func (s *Server) createClient(c *gin.Context) {
	createChecked[clientRequest](c, s.bindJSON, clientName, func(in domain.ClientInput) (domain.Client, int64, error) {
		v, err := s.deps.DB.CreateClient(c.Request.Context(), scopeFrom(c), in, caller(c).UserID)
		return v, v.ID, err
	}, clientView(c))
}

func (s *Server) updateClient(c *gin.Context) {
	updateChecked[clientRequest](c, s.bindJSON, clientName, func(id int64, in domain.ClientInput) (domain.Client, error) {
		return s.deps.DB.UpdateClient(c.Request.Context(), scopeFrom(c), id, in)
	}, clientView(c))
}

func (s *Server) deleteClient(c *gin.Context) {
	deleteByID(c, func(id int64) error { return s.deps.DB.DeleteClient(c.Request.Context(), id) })
}

type setClientRequest struct {
	AdvertiserIDs []int64 `json:"advertiser_ids" validate:"required,min=1,max=500,dive,gt=0"`
	// ClientID is the client the accounts move into; 0 or absent: none.
	ClientID int64 `json:"client_id" validate:"gte=0"`
}

type setClientJSON struct {
	ClientID *int64 `json:"client_id"`
	Changed  int64  `json:"changed"`
}

// setAdvertisersClient is POST /advertisers/client: the accounts (a manager
// account with its children in scope) move into a client, or out of any.
func (s *Server) setAdvertisersClient(c *gin.Context) {
	serveBound(c, s.bindJSON, http.StatusOK, func(req setClientRequest) (setClientJSON, error) {
		n, err := s.deps.DB.SetAdvertisersClient(c.Request.Context(), scopeFrom(c), req.AdvertiserIDs, req.ClientID)
		if req.ClientID != 0 {
			auditTarget(c, strconv.FormatInt(req.ClientID, 10))
		}
		auditDetail(c, "advertiser_ids", req.AdvertiserIDs)
		auditDetail(c, "changed", n)
		return setClientJSON{ClientID: optID(req.ClientID), Changed: n}, err
	}, asIs[setClientJSON])
}
