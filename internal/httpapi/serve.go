package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// serveByID answers a request on the item of the path's {id}: do acts on
// it and returns it, view renders it for a 200. A bad id and do's error are
// answered as errors.
func serveByID[T, V any](c *gin.Context, do func(id int64) (T, error), view func(T) V) {
	id, err := pathInt64(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	v, err := do(id)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, view(v))
}

// serveByIDWithBody is serveByID for a request whose JSON body is bound into
// a new R (and validated) before do runs.
func serveByIDWithBody[R, T, V any](s *Server, c *gin.Context, do func(id int64, req R) (T, error), view func(T) V) {
	serveByID(c, func(id int64) (T, error) {
		var req R
		if err := s.bindJSON(c, &req); err != nil {
			var zero T
			return zero, err
		}
		return do(id, req)
	}, view)
}

// deleteByID answers the deletion of the path's {id} by del with
// {"id": id, "deleted": true}.
func deleteByID(c *gin.Context, del func(id int64) error) {
	serveByID(c, func(id int64) (int64, error) { return id, del(id) }, deleted)
}

func deleted(id int64) map[string]any { return map[string]any{"id": id, "deleted": true} }

// asIs is the view of a value that is its own response.
func asIs[T any](v T) T { return v }

// views renders every item with view: empty, never nil (JSON []).
func views[T, V any](items []T, view func(T) V) []V {
	out := make([]V, 0, len(items))
	for _, it := range items {
		out = append(out, view(it))
	}
	return out
}

// respondViews answers 200 with every item rendered by view, or fails
// with err.
func respondViews[T, V any](c *gin.Context, items []T, err error, view func(T) V) {
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, views(items, view))
}
