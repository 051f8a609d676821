package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/lease"
)

// Ad operations: status, budget and bid changes of campaigns, ads,
// projects and promotions, one at a time (PATCH /{kind}/{id}/{field}) or
// up to 100 at once (POST /{kind}/batch/{field}). Every write takes an
// Idempotency-Key; ?dry_run=true validates and shows before/after without
// calling the platform. See docs/ad-operations.md.

// HeaderIdempotencyKey names the idempotency header of write requests.
const HeaderIdempotencyKey = "Idempotency-Key"

// idempotencyTTL is how long a key stays bound to its first request, from
// that request, and its answer is replayed: server.idempotency_ttl (24
// hours by default, at least an hour). The store keeps a claim at least
// until its lease ends, so a key is never freed under a request holding it.
func (s *Server) idempotencyTTL() time.Duration { return s.deps.Config.Server.IdempotencyTTL.D() }

// inHours is a key's lifetime in hours as a figure ("24") and in words
// ("24 hours"), as the refusal of a reused key names it.
func inHours(d time.Duration) (figure, words string) {
	figure = strconv.FormatFloat(d.Hours(), 'f', -1, 64)
	if figure == "1" {
		return figure, "1 hour"
	}
	return figure, figure + " hours"
}

// idempotencyLeaseMargin is how much longer than the entity lock of ad
// operations (adops.Service.LockTTL) an in-flight claim holds its key.
const idempotencyLeaseMargin = time.Minute

// idempotencyLeaseRenewal is how often a request holding its key renews
// the lease while it works: half the margin, so that the lease always ends
// at least the entity lock TTL and half a minute after the last moment the
// request was alive.
const idempotencyLeaseRenewal = idempotencyLeaseMargin / 2

// idempotencyLease is how long an in-flight request holds its
// Idempotency-Key before a retry of the same request may take it over (its
// process having died): the entity lock TTL of ad operations (15 minutes by
// default) plus a minute, 16 minutes, from the claim or the latest renewal.
//
// Why: a live request renews its lease every idempotencyLeaseRenewal while
// it works (keepLease), however long that is — one change takes at most
// adops' WorkTimeout (10 minutes) of platform work, a batch rollback one
// such change after another — so a live request is never taken over. The
// entity lock TTL is that work time plus five minutes, so that a live
// holder never loses its lock either. And since every entity lock is taken
// while the lease stands and the lease outlasts the lock by more than the
// renewal interval, a retry that takes the key over finds the dead
// attempt's locks expired, rather than answering 409 for them.
func (s *Server) idempotencyLease() time.Duration {
	ttl := adops.DefaultLockTTL
	if s.deps.AdOps != nil {
		ttl = s.deps.AdOps.LockTTL()
	}
	return ttl + idempotencyLeaseMargin
}

// ctxIdempotency holds the adops.Idempotency of a request that claimed its
// Idempotency-Key.
const ctxIdempotency = "adops.idempotency"

// idempotencyOf is the claim of the request's Idempotency-Key (zero
// without one), for ad operations.
func idempotencyOf(c *gin.Context) adops.Idempotency {
	v, _ := c.Get(ctxIdempotency)
	i, _ := v.(adops.Idempotency)
	return i
}

// ctxActed marks a request that sent writes to the platform: its response
// is kept for its Idempotency-Key even when it is an error.
const ctxActed = "adops.acted"

// adopsKinds maps URL segments to entity kinds.
var adopsKinds = []struct {
	segment string
	kind    adops.Kind
}{
	{"campaigns", adops.KindCampaign}, {"ads", adops.KindAd}, {"projects", adops.KindProject}, {"promotions", adops.KindPromotion},
	{"advertisers", adops.KindAdvertiser}, // the account's own daily budget (账户日预算)
}

// adopsRoutes registers the change endpoints (ad:write). The list endpoints
// GET /{kind} live in entities.go; these use the same :id parameter name.
func (s *Server) adopsRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("", s.requireAuth(), s.requirePerm(auth.PermAdWrite))
	for _, k := range adopsKinds {
		for _, op := range []string{"status", "budget", "bid"} {
			if k.kind == adops.KindAdvertiser && op != "budget" {
				continue // an advertiser account: its daily budget only
			}
			kind := string(k.kind)
			s.audited(g, http.MethodPatch, "/"+k.segment+"/:id/"+op, adops.AuditAction(k.kind, adops.Field(op)), kind, s.idempotent(s.changeOne(k.kind, op)))
			s.audited(g, http.MethodPost, "/"+k.segment+"/batch/"+op, adops.BatchAuditAction(k.kind, adops.Field(op)), kind, s.idempotent(s.changeBatch(k.kind, op)))
		}
	}
	s.audited(g, http.MethodPost, "/imports/sheet", "import.read_sheet", "file", s.readSheet)
}

// valueJSON is a status or an amount as sent: a JSON string or number
// (amounts as "300.00" or 300; never through float64).
type valueJSON struct{ raw string }

// UnmarshalJSON implements json.Unmarshaler.
func (v *valueJSON) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &v.raw)
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		// A type error, which the decoder completes with the field's path.
		return &json.UnmarshalTypeError{Value: jsonValueKind(b), Type: reflect.TypeFor[json.Number]()}
	}
	v.raw = n.String()
	return nil
}

// jsonValueKind names the kind of the JSON value b ("array", "object", ...).
func jsonValueKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '[':
		return "array"
	case b[0] == '{':
		return "object"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	}
	return string(b[:min(len(b), 16)])
}

// changeFields are the values a change body may carry; each endpoint
// accepts only its own.
type changeFields struct {
	Status *valueJSON `json:"status"`
	Budget *valueJSON `json:"budget"`
	Bid    *valueJSON `json:"bid"`
	CpaBid *valueJSON `json:"cpa_bid"`
}

// pick returns the field and value the body sets for operation op
// (status, budget, bid — the last also takes cpa_bid), naming the
// offending field otherwise. prefix prefixes field names ("items[2].").
func (f changeFields) pick(op, prefix string) (adops.Field, *valueJSON, []apperr.FieldError) {
	present := map[adops.Field]*valueJSON{}
	for name, v := range map[adops.Field]*valueJSON{adops.FieldStatus: f.Status, adops.FieldBudget: f.Budget, adops.FieldBid: f.Bid, adops.FieldCpaBid: f.CpaBid} {
		if v != nil {
			present[name] = v
		}
	}
	allowed := []adops.Field{adops.Field(op)}
	if op == "bid" {
		allowed = append(allowed, adops.FieldCpaBid)
	}
	var errs []apperr.FieldError
	var field adops.Field
	var val *valueJSON
	for _, name := range adops.Fields() {
		v, ok := present[name]
		if !ok {
			continue
		}
		switch {
		case name != allowed[0] && (len(allowed) == 1 || name != allowed[1]):
			errs = append(errs, apperr.Field(prefix+string(name), "is not changed by this endpoint; use .../%s", name).Because("other_endpoint", "field", name))
		case val != nil:
			errs = append(errs, apperr.Field(prefix+string(name), "give either bid or cpa_bid, not both").Because("not_both", "a", "bid", "b", "cpa_bid"))
		default:
			field, val = name, v
		}
	}
	if len(errs) == 0 && val == nil {
		errs = append(errs, apperr.Field(prefix+op, "is required").Because("required"))
	}
	return field, val, errs
}

// dryRunQuery is the query of change endpoints.
type dryRunQuery struct {
	DryRun bool `form:"dry_run"`
}

// changeItemJSON is the outcome for one entity.
type changeItemJSON struct {
	Kind              string     `json:"kind"`
	ID                int64      `json:"id"`
	AdvertiserID      int64      `json:"advertiser_id"`
	Field             string     `json:"field"`
	Before            string     `json:"before"`
	Requested         string     `json:"requested"`
	After             *string    `json:"after"`
	Result            string     `json:"result"`
	Verified          bool       `json:"verified"`
	ChangeID          *int64     `json:"change_id"`
	PlatformRequestID string     `json:"platform_request_id,omitempty"`
	Error             *errorJSON `json:"error"`
}

type errorJSON struct {
	Code    int    `json:"code,omitempty"`
	Message string `json:"message"`
}

func newChangeItemJSON(r adops.ItemResult) changeItemJSON {
	out := changeItemJSON{Kind: string(r.Kind), ID: r.ID, AdvertiserID: r.AdvertiserID, Field: string(r.Field),
		Before: r.Before.String(), Requested: r.Requested.String(), Result: r.Outcome, Verified: r.Verified,
		PlatformRequestID: r.PlatformRequestID}
	if r.After.Known() {
		a := r.After.String()
		out.After = &a
	}
	if r.ChangeID != 0 {
		id := r.ChangeID
		out.ChangeID = &id
	}
	if r.Error != "" {
		out.Error = &errorJSON{Code: r.ErrorCode, Message: r.Error}
	}
	return out
}

// batchCountsJSON are the counts of a batch's answer.
type batchCountsJSON struct {
	DryRun    bool `json:"dry_run"`
	Succeeded int  `json:"succeeded"`
	Failed    int  `json:"failed"`
	Unknown   int  `json:"unknown"`
	Unchanged int  `json:"unchanged"`
}

func newBatchCountsJSON(dryRun bool, n adops.Counts) batchCountsJSON {
	return batchCountsJSON{DryRun: dryRun, Succeeded: n.Succeeded, Failed: n.Failed, Unknown: n.Unknown, Unchanged: n.Unchanged}
}

// audit records the counts in the request's audit entry.
func (b batchCountsJSON) audit(c *gin.Context) {
	auditDetail(c, "succeeded", b.Succeeded)
	auditDetail(c, "failed", b.Failed)
	auditDetail(c, "unknown", b.Unknown)
	auditDetail(c, "unchanged", b.Unchanged)
}

// changeResultJSON is the answer of a batch.
type changeResultJSON struct {
	batchCountsJSON
	Items []changeItemJSON `json:"items"`
}

func newChangeResultJSON(r *adops.Result) changeResultJSON {
	out := changeResultJSON{batchCountsJSON: newBatchCountsJSON(r.DryRun, r.Counts), Items: []changeItemJSON{}}
	for _, it := range r.Items {
		out.Items = append(out.Items, newChangeItemJSON(it))
	}
	return out
}

// singleChangeJSON is the answer of a single change.
type singleChangeJSON struct {
	DryRun bool `json:"dry_run"`
	changeItemJSON
}

func (s *Server) adopsService() (*adops.Service, error) {
	return configured(s.deps.AdOps, "adops", "ad operations are not configured on this server")
}

// apply runs a change as the caller, under the claim of the request's
// Idempotency-Key (false: the error answered).
func (s *Server) apply(c *gin.Context, req adops.Request) (*adops.Result, bool) {
	svc, err := s.adopsService()
	if err != nil {
		fail(c, err)
		return nil, false
	}
	p, _ := principalFrom(c)
	req.Actor, req.Scope, req.RequestID, req.Idempotency = adops.UserActor(p), p.Scope(), requestID(c), idempotencyOf(c)
	res, err := svc.Apply(c.Request.Context(), req)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return res, true
}

// changeOne serves PATCH /{kind}/{id}/{op}.
func (s *Server) changeOne(kind adops.Kind, op string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c)
		if !ok {
			return
		}
		var q dryRunQuery
		var body changeFields
		if err := s.bindQueryAndJSON(c, &q, &body); err != nil {
			fail(c, err)
			return
		}
		field, raw, errs := body.pick(op, "")
		if len(errs) > 0 {
			fail(c, apperr.Validation(errs...))
			return
		}
		val, err := adops.ParseValue(field, raw.raw)
		if err != nil {
			fail(c, apperr.Validation(apperr.FieldFor(string(field), err)))
			return
		}
		auditDetail(c, "field", string(field))
		auditDetail(c, "dry_run", q.DryRun)
		res, ok := s.apply(c, adops.Request{Kind: kind, Field: field, Items: []adops.Item{{ID: id, Value: val}},
			DryRun: q.DryRun, Path: adops.SinglePath})
		if ok {
			respondSingle(c, res)
		}
	}
}

// respondSingle answers a single change: 200 when it succeeded (or a dry
// run found it valid); otherwise the status of what went wrong (422 for a
// platform rule, 502 for an unknown outcome, ...) with the change record as
// data.detail.
func respondSingle(c *gin.Context, res *adops.Result) {
	if !res.DryRun {
		c.Set(ctxActed, true)
	}
	it := res.Items[0]
	out := singleChangeJSON{DryRun: res.DryRun, changeItemJSON: newChangeItemJSON(it)}
	if it.ChangeID != 0 {
		auditDetail(c, "change_id", it.ChangeID)
	}
	if it.Outcome == adops.OutcomeSucceeded || it.Outcome == adops.OutcomeValid || it.Outcome == adops.OutcomeUnchanged {
		respond(c, http.StatusOK, out)
		return
	}
	kind := apperr.Kind(it.ErrorKind)
	if kind == "" {
		kind = apperr.KindUpstream
	}
	e := &apperr.Error{Kind: kind, Data: out}
	switch it.Outcome {
	case adops.OutcomeUnknown:
		e.Message = "the outcome of the change is unknown: " + it.Error
		e.WithReason("change_outcome_unknown", "error", it.Error)
	default:
		e.Message = "the platform did not apply the change: " + it.Error
		e.WithReason("change_not_applied", "error", it.Error)
	}
	if kind == apperr.KindValidation {
		e.Fields = []apperr.FieldError{apperr.Field(string(it.Field), "%s", it.Error).Because("platform_refused", "error", it.Error)}
	}
	fail(c, e)
}

// batchBody is the body of POST /{kind}/batch/{op}: either ids with one
// value for all, or items each with its own value.
type batchBody struct {
	IDs   []int64     `json:"ids"`
	Items []batchItem `json:"items"`
	changeFields
}

type batchItem struct {
	ID int64 `json:"id"`
	changeFields
}

// changeBatch serves POST /{kind}/batch/{op}.
func (s *Server) changeBatch(kind adops.Kind, op string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var q dryRunQuery
		var body batchBody
		if err := s.bindQueryAndJSON(c, &q, &body); err != nil {
			fail(c, err)
			return
		}
		req, errs := batchRequest(kind, op, body)
		if len(errs) > 0 {
			fail(c, apperr.Validation(errs...))
			return
		}
		auditDetail(c, "field", string(req.Field))
		auditDetail(c, "count", len(req.Items))
		auditDetail(c, "dry_run", q.DryRun)
		req.DryRun = q.DryRun
		res, ok := s.apply(c, req)
		if !ok {
			return
		}
		if !res.DryRun {
			c.Set(ctxActed, true)
		}
		out := newChangeResultJSON(res)
		out.audit(c)
		respond(c, http.StatusOK, out)
	}
}

// batchRequest turns a batch body into a request.
func batchRequest(kind adops.Kind, op string, b batchBody) (adops.Request, []apperr.FieldError) {
	req := adops.Request{Kind: kind}
	switch {
	case len(b.IDs) > 0 && len(b.Items) > 0:
		return req, []apperr.FieldError{apperr.Field("items", "give either ids (with one value for all) or items, not both").Because("not_both", "a", "ids", "b", "items")}
	case len(b.Items) > 0:
		shared := b.changeFields
		if shared != (changeFields{}) {
			return req, []apperr.FieldError{apperr.Field(op, "with items, give each item its own value").Because("items_own_value")}
		}
		var errs []apperr.FieldError
		req.Path = adops.ListPath("items")
		for i, it := range b.Items {
			prefix := "items[" + strconv.Itoa(i) + "]."
			field, raw, ferrs := it.pick(op, prefix)
			if len(ferrs) > 0 {
				errs = append(errs, ferrs...)
				continue
			}
			if req.Field == "" {
				req.Field = field
			} else if field != req.Field {
				errs = append(errs, apperr.Field(prefix+string(field), "every item must set the same field (%s)", req.Field).Because("items_same_field", "field", req.Field))
				continue
			}
			val, err := adops.ParseValue(field, raw.raw)
			if err != nil {
				errs = append(errs, apperr.FieldFor(prefix+string(field), err))
				continue
			}
			req.Items = append(req.Items, adops.Item{ID: it.ID, Value: val})
		}
		return req, errs
	default:
		if len(b.IDs) == 0 {
			return req, []apperr.FieldError{apperr.Field("ids", "is required: the ids to change (or items with their own values)").Because("required")}
		}
		field, raw, errs := b.pick(op, "")
		if len(errs) > 0 {
			return req, errs
		}
		val, err := adops.ParseValue(field, raw.raw)
		if err != nil {
			return req, []apperr.FieldError{apperr.FieldFor(string(field), err)}
		}
		req.Field, req.Path = field, adops.ListPath("ids")
		for _, id := range b.IDs {
			req.Items = append(req.Items, adops.Item{ID: id, Value: val})
		}
		return req, nil
	}
}

// ---- idempotency ----

// captureWriter keeps a copy of the response body for the idempotency record.
type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// validKey reports an Idempotency-Key of 1–255 printable ASCII characters.
func validKey(k string) bool {
	if k == "" || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// requestHash identifies a request for its Idempotency-Key: method, path,
// query (sorted) and body.
func requestHash(c *gin.Context, body []byte) string {
	return hashRequest(c.Request.Method, c.Request.URL.Path, c.Request.URL.Query().Encode(), body)
}

// hashRequest is requestHash of its parts (query sorted and encoded).
func hashRequest(method, path, query string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method + "\n" + path + "\n" + query + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// idempotent wraps a write handler with the Idempotency-Key protocol and
// names its audit action. The key is required unless ?dry_run=true. Keys
// are per user and kept server.idempotency_ttl (idempotencyTTL):
//   - the first request claims the key (MySQL) and runs;
//   - the same key and request again: the first response is replayed
//     (status and body, header Idempotent-Replayed: true), and nothing runs;
//   - while the first is still running: 409;
//   - once the first has held the key for its lease (idempotencyLease)
//     without answering — its process died — the same request again takes
//     the key over and runs; ad operations then settle what the attempt
//     that died did (adops.Idempotency.Resume) rather than doing it twice;
//   - the same key with a different request (method, path, query, body): 422.
//
// A request that acted on nothing (refused before any platform write:
// 400, 404, 409, 422, 429, 502/503 from the pre-read) gives its key back.
func (s *Server) idempotent(h gin.HandlerFunc) gin.HandlerFunc {
	return s.withIdempotency(true, h)
}

// withIdempotency is idempotent with the key optional when required is
// false (admin writes such as guard rails: the key is honoured when sent).
func (s *Server) withIdempotency(required bool, h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader(HeaderIdempotencyKey)
		if key == "" {
			if dry, _ := strconv.ParseBool(c.Query("dry_run")); dry || !required {
				h(c)
				return
			}
			e := apperr.Invalid("the %s header is required on writes (a unique value per intended change, e.g. a UUID)", HeaderIdempotencyKey)
			e.Fields = []apperr.FieldError{apperr.Field(HeaderIdempotencyKey, "is required").Because("required")}
			fail(c, e)
			return
		}
		if !validKey(key) {
			e := apperr.Invalid("the %s header must be 1 to 255 printable ASCII characters", HeaderIdempotencyKey)
			e.Fields = []apperr.FieldError{apperr.Field(HeaderIdempotencyKey, "must be 1 to 255 printable ASCII characters").Because("printable_ascii", "min", 1, "max", 255)}
			fail(c, e)
			return
		}
		var body []byte
		if c.Request.Body != nil {
			b, err := io.ReadAll(c.Request.Body)
			if err != nil {
				fail(c, decodeError(err))
				return
			}
			body = b
			c.Request.Body = io.NopCloser(bytes.NewReader(b))
		}
		p, _ := principalFrom(c)
		hash := requestHash(c, body)
		holder := newHolder()
		claim, err := s.deps.DB.ClaimIdempotencyKey(c.Request.Context(), domain.IdempotencyClaim{UserID: p.UserID, Key: key,
			RequestHash: hash, RequestID: requestID(c), Holder: holder, Now: s.now(), Lease: s.idempotencyLease(), TTL: s.idempotencyTTL()})
		if err != nil {
			fail(c, err)
			return
		}
		rec := claim.Record
		if !claim.Claimed {
			switch {
			case rec.RequestHash != hash:
				hours, within := inHours(s.idempotencyTTL())
				fail(c, apperr.Validation(apperr.Field(HeaderIdempotencyKey,
					"was used within %s for a different request (request %s); use a new key for a new change", within, rec.RequestID).
					Because("idempotency_key_reused", "request", rec.RequestID, "hours", hours)))
			case rec.State == domain.IdempotencyInProgress:
				msg := fmt.Sprintf("a request with this %s is still in progress (request %s); wait for its answer, then repeat to get it",
					HeaderIdempotencyKey, rec.RequestID)
				if rec.LeaseExpiresAt != nil {
					msg += fmt.Sprintf(" (if it never answers, a repeat after %s runs it again)", rec.LeaseExpiresAt.UTC().Format(time.RFC3339))
				}
				fail(c, apperr.Conflict("%s", msg).WithReason("idempotency_in_progress", "request", rec.RequestID))
			default:
				auditDetail(c, "idempotent_replay", true)
				auditDetail(c, "first_request_id", rec.RequestID)
				c.Header("Idempotent-Replayed", "true")
				c.Data(rec.ResponseStatus, "application/json; charset=utf-8", rec.ResponseBody)
				c.Abort()
			}
			return
		}
		if claim.TakenOver {
			// The attempt that held the key died without answering: this
			// one runs in its place and settles what it did.
			auditDetail(c, "idempotency_takeover_of", claim.PreviousRequestID)
			loggerFrom(c).Warn("Idempotency-Key taken over from a request that did not answer within its lease",
				zap.String("previous_request_id", claim.PreviousRequestID), zap.Int("attempt", rec.Attempts))
		}
		c.Set(ctxIdempotency, adops.Idempotency{Claim: rec.ClaimID, Resume: claim.TakenOver})
		cw := &captureWriter{ResponseWriter: c.Writer}
		c.Writer = cw
		finished := false
		stopRenewing := s.keepLease(c, p.UserID, key, holder)
		defer func() {
			stopRenewing()
			if finished {
				return
			}
			// The handler panicked (recovery answers 500 further out). Keep
			// the key if writes were sent, so a retry cannot repeat them.
			s.settleKey(c, p.UserID, key, holder, http.StatusInternalServerError, []byte(`{"code":"internal","message":"internal error"}`))
		}()
		h(c)
		finished = true
		stopRenewing()
		c.Writer = cw.ResponseWriter
		s.settleKey(c, p.UserID, key, holder, cw.Status(), cw.buf.Bytes())
	}
}

// keepLease renews, every s.leaseRenewal until the returned stop is
// called, the lease of the key holder holds (see idempotencyLease).
func (s *Server) keepLease(c *gin.Context, userID int64, key, holder string) (stop func()) {
	log := loggerFrom(c)
	renew := func(ctx context.Context) (bool, error) {
		held, err := s.deps.DB.RenewIdempotencyKey(ctx, userID, key, holder, s.now().Add(s.idempotencyLease()))
		if err == nil && !held {
			log.Error("Idempotency-Key lease not renewed: the key was taken over by a retry")
		}
		return held, err
	}
	return lease.Keep(context.WithoutCancel(c.Request.Context()), s.leaseRenewal, renew, log, "Idempotency-Key lease")
}

// newHolder returns a random token naming one attempt's claim of a key.
func newHolder() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b)
}

// settleKey stores the response of the request holding key, or gives the
// key back when the request acted on nothing and failed (the client may
// correct it and retry with the same key).
func (s *Server) settleKey(c *gin.Context, userID int64, key, holder string, status int, body []byte) {
	_, acted := c.Get(ctxActed)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 10*time.Second)
	defer cancel()
	var (
		held bool
		err  error
	)
	if acted || status < 400 || status == http.StatusInternalServerError {
		held, err = s.deps.DB.CompleteIdempotencyKey(ctx, userID, key, holder, status, body)
	} else {
		held, err = s.deps.DB.ReleaseIdempotencyKey(ctx, userID, key, holder, s.now())
	}
	switch {
	case err != nil:
		loggerFrom(c).Error("idempotency record not saved", zap.Error(err))
	case !held:
		// Only when this request outlived its lease and a retry took the
		// key over: the retry's answer is the one kept.
		loggerFrom(c).Error("idempotency record not saved: the key was taken over by a retry after its lease", zap.Int("status", status))
	}
}
