package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Envelope is the body of every /api/v1 response. An error names its
// reason and that reason's figures next to its code (apperr.Error's Reason
// and Params), so a client can say Message in its own language; a refused
// field names its rule in data.fields[] instead.
type Envelope struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Reason    string            `json:"reason,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
	Data      any               `json:"data"`
	RequestID string            `json:"request_id"`
}

// CodeOK is the code of successful responses.
const CodeOK = "ok"

// respond writes a successful envelope.
func respond(c *gin.Context, status int, data any) {
	c.JSON(status, Envelope{Code: CodeOK, Message: "OK", Data: data, RequestID: requestID(c)})
}

// statusOf is the one mapping from error kinds to HTTP statuses.
// Kinds not in the table (internal) are 500.
func statusOf(k apperr.Kind) int {
	for _, m := range [...]struct {
		kind   apperr.Kind
		status int
	}{
		{apperr.KindInvalid, http.StatusBadRequest},
		{apperr.KindValidation, http.StatusUnprocessableEntity},
		{apperr.KindUnauthorized, http.StatusUnauthorized},
		{apperr.KindForbidden, http.StatusForbidden},
		{apperr.KindNotFound, http.StatusNotFound},
		{apperr.KindConflict, http.StatusConflict},
		{apperr.KindTooLarge, http.StatusRequestEntityTooLarge},
		{apperr.KindRateLimited, http.StatusTooManyRequests},
		{apperr.KindUpstream, http.StatusBadGateway},
		{apperr.KindUnavailable, http.StatusServiceUnavailable},
	} {
		if m.kind == k {
			return m.status
		}
	}
	return http.StatusInternalServerError
}

// errorData is the data of an error envelope.
type errorData struct {
	Fields []apperr.FieldError `json:"fields,omitempty"`
	Detail any                 `json:"detail,omitempty"`
}

// bodyTooLarge is the 413 of a body over limit bytes (cause err, or nil
// when the declared length said so).
func bodyTooLarge(err error, limit int64) *apperr.Error {
	return apperr.Wrap(err, apperr.KindTooLarge, "request body exceeds %d bytes", limit).WithReason("body_too_large", "limit", limit)
}

// StatusClientClosedRequest is the status logged and counted for a request
// whose client went away before it was answered (nginx's 499).
const StatusClientClosedRequest = 499

// internalMessage is what the caller is told of an internal error.
const internalMessage = "internal error; quote the request id when reporting it"

// fail writes the error envelope for err. Internal errors are logged with
// the request id and answered with a generic message: nothing internal leaks.
func fail(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client went away before its answer was ready: nobody reads
		// this answer, and it is no fault of the server.
		loggerFrom(c).Debug("client went away", zap.Error(err))
		_ = c.Error(err)
		c.AbortWithStatus(StatusClientClosedRequest)
		return
	}
	var body *http.MaxBytesError
	if errors.As(err, &body) {
		err = bodyTooLarge(err, body.Limit)
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.KindInternal {
		loggerFrom(c).Error("request failed", zap.Error(err))
		c.AbortWithStatusJSON(http.StatusInternalServerError, Envelope{
			Code: string(apperr.KindInternal), Message: internalMessage,
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
	c.AbortWithStatusJSON(status, Envelope{Code: string(e.Kind), Message: e.Message, Reason: e.Reason, Params: e.Params,
		Data: data, RequestID: requestID(c)})
}
