package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// The shapes most handlers share: bind the request, call a service, render
// the result (or answer the error).

// binder binds part of a request into dst and validates it
// (Server.bindJSON, Server.bindQuery, Server.bindOptionalJSON).
type binder func(c *gin.Context, dst any) error

// answer responds status with v rendered by view, or fails with err.
func answer[T, V any](c *gin.Context, status int, v T, err error, view func(T) V) {
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, status, view(v))
}

// serveBound binds the request into a new R with bind; do acts on it, and
// its result rendered by view is answered with status. A binding error and
// do's error are answered as errors.
func serveBound[R, T, V any](c *gin.Context, bind binder, status int, do func(req R) (T, error), view func(T) V) {
	var req R
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	v, err := do(req)
	answer(c, status, v, err, view)
}

// paged is a list query: one that embeds PageQuery.
type paged interface{ paging() PageQuery }

// serveList binds the query into a new Q and answers the page of items list
// finds for it, every one rendered by view.
func serveList[Q paged, T, V any](s *Server, c *gin.Context, list func(q Q) ([]T, int64, error), view func(T) V) {
	serveBound(c, s.bindQuery, http.StatusOK, func(q Q) (PageResult[V], error) {
		items, total, err := list(q)
		return newPage(views(items, view), q.paging(), total), err
	}, asIs)
}

// pathID parses the path's {id}; false when it is not a positive integer,
// the error answered.
func pathID(c *gin.Context) (int64, bool) {
	id, err := pathInt64(c, "id")
	if err != nil {
		fail(c, err)
		return 0, false
	}
	return id, true
}

// serveByID answers a request on the item of the path's {id}: do acts on
// it and returns it, view renders it for a 200. A bad id and do's error are
// answered as errors.
func serveByID[T, V any](c *gin.Context, do func(id int64) (T, error), view func(T) V) {
	if id, ok := pathID(c); ok {
		v, err := do(id)
		answer(c, http.StatusOK, v, err, view)
	}
}

// serveByIDWith is serveByID for a request whose body or query is bound
// into a new R with bind before do runs.
func serveByIDWith[R, T, V any](c *gin.Context, bind binder, do func(id int64, req R) (T, error), view func(T) V) {
	if id, ok := pathID(c); ok {
		serveBound(c, bind, http.StatusOK, func(req R) (T, error) { return do(id, req) }, view)
	}
}

// deleteByID answers the deletion of the path's {id} by del with
// {"id": id, "deleted": true}.
func deleteByID(c *gin.Context, del func(id int64) error) {
	serveByID(c, func(id int64) (int64, error) { return id, del(id) }, deleted)
}

func deleted(id int64) map[string]any { return map[string]any{"id": id, "deleted": true} }

// asIs is the view of a value that is its own response.
func asIs[T any](v T) T { return v }

// orEmpty is v, or an empty slice for nil (JSON [], never null).
func orEmpty[S ~[]E, E any](v S) S {
	if v == nil {
		return S{}
	}
	return v
}

// orEmptyMap is m, or an empty map for nil (JSON {}, never null).
func orEmptyMap[M ~map[K]V, K comparable, V any](m M) M {
	if m == nil {
		return M{}
	}
	return m
}

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
	answer(c, http.StatusOK, items, err, func(items []T) []V { return views(items, view) })
}

// checked is a request that makes its service input, checking what the
// binding's tags cannot (a name of spaces only, a query that is none).
type checked[I any] interface{ input() (I, error) }

// createChecked answers a POST that creates a named thing: the request
// bound into a new R and made into its input, do run with it, the new
// thing's id and the name audited, 201 with it rendered by view.
func createChecked[R checked[I], I, T, V any](c *gin.Context, bind binder, name func(I) string, do func(I) (T, int64, error), view func(T) V) {
	serveBound(c, bind, http.StatusCreated, func(req R) (T, error) {
		in, err := req.input()
		if err != nil {
			var zero T
			return zero, err
		}
		v, id, err := do(in)
		auditDetail(c, "name", name(in))
		return v, auditCreated(c, id, err)
	}, view)
}

// updateChecked answers a PUT of the path's {id} likewise: the name
// audited, 200 with the thing as do leaves it.
func updateChecked[R checked[I], I, T, V any](c *gin.Context, bind binder, name func(I) string, do func(int64, I) (T, error), view func(T) V) {
	serveByIDWith(c, bind, func(id int64, req R) (T, error) {
		in, err := req.input()
		if err != nil {
			var zero T
			return zero, err
		}
		auditDetail(c, "name", name(in))
		return do(id, in)
	}, view)
}
