package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Envelope is the body of every /api/v1 response.
type Envelope struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Data      any    `json:"data"`
	RequestID string `json:"request_id"`
}

// CodeOK is the code of successful responses.
const CodeOK = "ok"

// respond writes a successful envelope.
func respond(c *gin.Context, status int, data any) {
	c.JSON(status, Envelope{Code: CodeOK, Message: "OK", Data: data, RequestID: requestID(c)})
}

// statusOf is the one mapping from error kinds to HTTP statuses.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.KindInvalid:
		return http.StatusBadRequest
	case apperr.KindValidation:
		return http.StatusUnprocessableEntity
	case apperr.KindUnauthorized:
		return http.StatusUnauthorized
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.KindRateLimited:
		return http.StatusTooManyRequests
	case apperr.KindUpstream:
		return http.StatusBadGateway
	case apperr.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorData is the data of an error envelope.
type errorData struct {
	Fields []apperr.FieldError `json:"fields,omitempty"`
	Detail any                 `json:"detail,omitempty"`
}

// fail writes the error envelope for err. Internal errors are logged with
// the request id and answered with a generic message: nothing internal leaks.
func fail(c *gin.Context, err error) {
	var body *http.MaxBytesError
	if errors.As(err, &body) {
		err = apperr.Wrap(err, apperr.KindTooLarge, "request body exceeds %d bytes", body.Limit)
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.KindInternal {
		loggerFrom(c).Error("request failed", zap.Error(err))
		c.AbortWithStatusJSON(http.StatusInternalServerError, Envelope{
			Code: string(apperr.KindInternal), Message: "internal error; quote the request id when reporting it",
			RequestID: requestID(c),
		})
		_ = c.Error(err)
		return
	}
	status := statusOf(e.Kind)
	if status >= 500 {
		loggerFrom(c).Error("request failed", zap.Error(err))
	} else if e.Err != nil {
		loggerFrom(c).Debug("request rejected", zap.Error(err))
	}
	var data any
	if len(e.Fields) > 0 || e.Data != nil {
		data = errorData{Fields: e.Fields, Detail: e.Data}
	}
	_ = c.Error(err)
	c.AbortWithStatusJSON(status, Envelope{Code: string(e.Kind), Message: e.Message, Data: data, RequestID: requestID(c)})
}
