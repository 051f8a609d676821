package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
)

// An advertiser can leave the majordomo (管家) or agent account it belongs
// to: a client ends its agency contract, a customer centre drops an
// account. From then on the parent's grants no longer reach it (every call
// naming it answers 40002) and the parent's child listings leave it out,
// until it is attached again. The world's accounts stay read-only; which
// children have left is this small locked set beside them, dropped by
// Reset with the world.

// membership holds the children that have left their parent.
type membership struct {
	mu       sync.Mutex
	detached map[int64]bool
}

func (m *membership) has(id int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.detached[id]
}

func (m *membership) set(id int64, left bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.detached == nil {
		m.detached = map[int64]bool{}
	}
	if left {
		m.detached[id] = true
	} else {
		delete(m.detached, id)
	}
}

// childrenOf lists the children still under a majordomo or agent account.
func (w *world) childrenOf(a *Account) []int64 {
	return slices.DeleteFunc(slices.Clone(a.Children), w.members.has)
}

// ErrNotChild is returned when detaching or attaching an account that has
// no majordomo or agent account above it.
var ErrNotChild = errors.New("oesim: not an advertiser under a majordomo or agent account")

// DetachAccount makes a child advertiser leave its majordomo or agent
// account: the grants of the parent no longer reach it. It returns the
// parent's id. Grants approved for the advertiser itself still do.
func (s *Sim) DetachAccount(id int64) (int64, error) { return s.moveAccount(id, true) }

// AttachAccount puts a detached advertiser back under its parent.
func (s *Sim) AttachAccount(id int64) (int64, error) { return s.moveAccount(id, false) }

func (s *Sim) moveAccount(id int64, leave bool) (int64, error) {
	w := s.world.Load()
	a := w.byID[id]
	if a == nil || a.ParentID == 0 {
		return 0, fmt.Errorf("%w: %d", ErrNotChild, id)
	}
	w.members.set(id, leave)
	return a.ParentID, nil
}

// POST /_sim/detach and /_sim/attach {"advertiser_id": ID}.
func (s *Sim) simMembership(leave bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AdvertiserID flexID `json:"advertiser_id"`
		}
		if err := decodeBody(r, &req); err != nil || req.AdvertiserID == 0 {
			simError(w, http.StatusBadRequest, `body must be {"advertiser_id": ID}`)
			return
		}
		parent, err := s.moveAccount(int64(req.AdvertiserID), leave)
		if err != nil {
			simError(w, http.StatusBadRequest, err.Error())
			return
		}
		simJSON(w, http.StatusOK, map[string]any{"advertiser_id": int64(req.AdvertiserID), "parent_id": parent, "detached": leave})
	}
}
