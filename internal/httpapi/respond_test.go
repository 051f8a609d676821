package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// A store call cancelled because the client went away is a 499, not a
// server error; a cancellation the client did not cause stays a 500.
func TestFailAnswersAClientThatWentAwayWith499(t *testing.T) {
	gin.SetMode(gin.TestMode)
	cancelled := fmt.Errorf("mysql: list ads: %w", context.Canceled)
	for _, tc := range []struct {
		name       string
		clientGone bool
		want       int
	}{
		{"client gone", true, StatusClientClosedRequest},
		{"client still there", false, http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.clientGone {
				cancel()
			}
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodGet, "/api/v1/ads", nil).WithContext(ctx)
			fail(c, cancelled)
			if c.Writer.Status() != tc.want {
				t.Fatalf("status %d, want %d", c.Writer.Status(), tc.want)
			}
		})
	}
}
