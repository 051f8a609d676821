package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/oceanops/adplatform/internal/apperr"
)

// newValidator returns a validator that names fields by their json (or form)
// tag, so errors speak the client's field names.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range []string{"json", "form", "uri"} {
			name := strings.Split(f.Tag.Get(tag), ",")[0]
			if name == "-" {
				return ""
			}
			if name != "" {
				return name
			}
		}
		return f.Name
	})
	return v
}

// bindJSON decodes the JSON body strictly into dst (unknown fields, wrong
// types and trailing data are errors naming the field) and validates it.
// Malformed input is KindInvalid (400); rule violations KindValidation (422).
func (s *Server) bindJSON(c *gin.Context, dst any) error {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return bodyRequired()
	}
	if ct := c.ContentType(); ct != "" && ct != "application/json" {
		return apperr.Invalid("Content-Type must be application/json, not %s", ct).WithReason("content_type_json", "type", ct)
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return decodeError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return decodeErrorIn(err, func() (string, reflect.Type, bool) { return badValuePath(body, reflect.TypeOf(dst)) })
	}
	if dec.More() {
		return apperr.Invalid("request body must hold a single JSON value").WithReason("json_trailing_data")
	}
	return s.validate(dst)
}

// bindOptionalJSON is bindJSON for an optional body: without one, dst
// keeps its values.
func (s *Server) bindOptionalJSON(c *gin.Context, dst any) error {
	if c.Request.ContentLength == 0 || c.Request.Body == nil || c.Request.Body == http.NoBody {
		return nil
	}
	return s.bindJSON(c, dst)
}

// bindQueryAndJSON binds the query into q, then the JSON body into body.
func (s *Server) bindQueryAndJSON(c *gin.Context, q, body any) error {
	if err := s.bindQuery(c, q); err != nil {
		return err
	}
	return s.bindJSON(c, body)
}

// bindQuery binds query parameters into dst (form tags) and validates it.
func (s *Server) bindQuery(c *gin.Context, dst any) error {
	if err := mapQuery(dst, c.Request.URL.Query()); err != nil {
		return err
	}
	return s.validate(dst)
}

func (s *Server) validate(dst any) error {
	err := s.validator.Struct(dst)
	if err == nil {
		return nil
	}
	var ve validator.ValidationErrors
	if !errors.As(err, &ve) {
		return apperr.Invalid("%v", err).WithReason("body_unreadable")
	}
	fields := make([]apperr.FieldError, 0, len(ve))
	for _, fe := range ve {
		rule, params := ruleOf(fe)
		fields = append(fields, apperr.Field(fieldPath(fe), "%s", ruleMessage(fe)).Because(rule, params...))
	}
	return apperr.Validation(fields...)
}

// fieldPath drops the top-level struct name and the names of embedded structs
// (capitalised Go names, unlike the snake_case wire names):
// "Req.PageQuery.page" → "page", "Req.items[0].budget" → "items[0].budget".
func fieldPath(fe validator.FieldError) string {
	parts := strings.Split(fe.Namespace(), ".")
	if len(parts) <= 1 {
		return fe.Field()
	}
	out := parts[1:][:0]
	for i, p := range parts[1:] {
		if i < len(parts)-2 && p != "" && p[0] >= 'A' && p[0] <= 'Z' {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ".")
}

func ruleMessage(fe validator.FieldError) string {
	isString := fe.Kind() == reflect.String
	isList := fe.Kind() == reflect.Slice || fe.Kind() == reflect.Map
	switch fe.Tag() {
	case "required", "required_without", "required_with", "required_if":
		return "is required"
	case "max", "lte", "min", "gte":
		bound := "at most " + fe.Param()
		if fe.Tag() == "min" || fe.Tag() == "gte" {
			bound = "at least " + fe.Param()
		}
		switch {
		case isString:
			return "must be " + bound + " characters"
		case isList:
			return "must have " + bound + " items"
		}
		return "must be " + bound
	case "gt":
		return "must be greater than " + fe.Param()
	case "lt":
		return "must be less than " + fe.Param()
	case "len":
		return "must have length " + fe.Param()
	case "oneof":
		return "must be one of " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "email":
		return "must be an email address"
	case "url", "http_url":
		return "must be a URL"
	case "alphanum":
		return "must contain only letters and digits"
	case "datetime":
		return "must be a date/time in the format " + fe.Param()
	case "unique":
		return "must not contain duplicates"
	case "dive":
		return "is invalid"
	}
	return fmt.Sprintf("fails rule %q", fe.Tag())
}

// ruleOf names the rule of a validation failure and its figures, for
// clients that say ruleMessage in their own language.
func ruleOf(fe validator.FieldError) (string, []any) {
	tag, param := fe.Tag(), fe.Param()
	switch tag {
	case "required", "required_without", "required_with", "required_if":
		return "required", nil
	case "max", "lte", "min", "gte":
		rule := "max"
		if tag == "min" || tag == "gte" {
			rule = "min"
		}
		switch fe.Kind() {
		case reflect.String:
			rule += "_length"
		case reflect.Slice, reflect.Map:
			rule += "_items"
		}
		return rule, []any{"n", param}
	case "gt", "lt", "len":
		return tag, []any{"n", param}
	case "oneof":
		return "oneof", []any{"values", strings.ReplaceAll(param, " ", ", ")}
	case "url", "http_url":
		return "url", nil
	case "datetime":
		return "datetime", []any{"format", param}
	case "email", "alphanum", "unique":
		return tag, nil
	}
	return "invalid", nil
}

// decodeError turns a JSON decoding failure into a client error naming the
// offending field where the decoder knows it.
func decodeError(err error) error { return decodeErrorIn(err, nil) }

// decodeErrorIn is decodeError for a document that locate can search: a
// value its own type refused (a decimal that is not a number) is named by
// the path locate finds, which the decoder does not say.
func decodeErrorIn(err error, locate func() (string, reflect.Type, bool)) error {
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		maxBytes  *http.MaxBytesError
		fieldName string
	)
	switch {
	case errors.As(err, &maxBytes):
		return bodyTooLarge(err, maxBytes.Limit)
	case errors.Is(err, io.EOF):
		return bodyRequired()
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid("request body is truncated JSON").WithReason("json_truncated")
	case errors.As(err, &syntax):
		return apperr.Invalid("malformed JSON at byte %d", syntax.Offset).WithReason("json_syntax", "offset", syntax.Offset)
	case errors.As(err, &typeErr):
		fieldName = typeErr.Field
		if locate != nil { // the decoder's path has no indexes and names embedded Go types
			if path, _, ok := locate(); ok && path != "" {
				fieldName = path
			}
		}
		if fieldName == "" {
			return apperr.Invalid("request body must be a JSON %s", typeErr.Type.Kind()).WithReason("body_type", "type", jsonType(typeErr.Type))
		}
		e := apperr.Invalid("%s must be %s, not %s", fieldName, jsonKind(typeErr.Type), typeErr.Value)
		e.Fields = []apperr.FieldError{apperr.Field(fieldName, "must be %s", jsonKind(typeErr.Type)).Because("type", "type", jsonType(typeErr.Type))}
		return e
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		fieldName = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := apperr.Invalid("unknown field %s", fieldName)
		e.Fields = []apperr.FieldError{apperr.Field(fieldName, "is not a known field").Because("unknown_field")}
		return e
	}
	var fe *apperr.Error
	if errors.As(err, &fe) {
		return fe // a custom UnmarshalJSON already said what is wrong
	}
	if locate != nil {
		if path, leaf, ok := locate(); ok && path != "" {
			return valueError(path, leaf, err)
		}
	}
	return apperr.Invalid("malformed JSON: %v", err).WithReason("json_malformed")
}

// bodyRequired is the 400 of a request without the JSON body it needs.
func bodyRequired() *apperr.Error {
	return apperr.Invalid("request body is required (JSON)").WithReason("body_required")
}

// jsonType is the JSON type a Go type decodes from, as one word (string,
// boolean, integer, number, array, object; "amount" for a string or a number).
func jsonType(t reflect.Type) string {
	k := jsonKind(t)
	if k == "a string or a number" {
		return "amount"
	}
	_, word, _ := strings.Cut(k, " ")
	return word
}

func jsonKind(t reflect.Type) string {
	if t == reflect.TypeFor[json.Number]() {
		return "a string or a number"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

// mapQuery fills the fields of *dst tagged `form:"name"` from q. Scalars,
// pointers to scalars and slices (repeated or comma-separated) are supported;
// `default:"v"` applies when the parameter is absent. A value that does not
// parse is a KindInvalid error naming the parameter.
func mapQuery(dst any, q url.Values) error {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if err := mapQuery(v.Field(i).Addr().Interface(), q); err != nil {
				return err
			}
			continue
		}
		name := strings.Split(f.Tag.Get("form"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		vals, present := q[name]
		if !present || (len(vals) == 1 && vals[0] == "") {
			def, ok := f.Tag.Lookup("default")
			if !ok {
				continue
			}
			vals = []string{def}
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Slice {
			var parts []string
			for _, raw := range vals {
				for _, p := range strings.Split(raw, ",") {
					if p = strings.TrimSpace(p); p != "" {
						parts = append(parts, p)
					}
				}
			}
			out := reflect.MakeSlice(fv.Type(), len(parts), len(parts))
			for j, p := range parts {
				if err := setQueryScalar(out.Index(j), p); err != nil {
					return queryFieldError(name, p, err)
				}
			}
			fv.Set(out)
			continue
		}
		if len(vals) > 1 {
			return queryFieldError(name, strings.Join(vals, ","), apperr.Breaks("once", nil, "must be given once"))
		}
		target := fv
		if fv.Kind() == reflect.Pointer {
			target = reflect.New(fv.Type().Elem()).Elem()
		}
		if err := setQueryScalar(target, vals[0]); err != nil {
			return queryFieldError(name, vals[0], err)
		}
		if fv.Kind() == reflect.Pointer {
			fv.Set(target.Addr())
		}
	}
	return nil
}

func setQueryScalar(fv reflect.Value, raw string) error {
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(raw)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, fv.Type().Bits())
		if err != nil {
			return apperr.Breaks("type", []any{"type", "integer"}, "must be an integer")
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(raw, 10, fv.Type().Bits())
		if err != nil {
			return apperr.Breaks("type", []any{"type", "integer"}, "must be a non-negative integer")
		}
		fv.SetUint(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return apperr.Breaks("type", []any{"type", "boolean"}, "must be true or false")
		}
		fv.SetBool(b)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(raw, fv.Type().Bits())
		if err != nil {
			return apperr.Breaks("type", []any{"type", "number"}, "must be a number")
		}
		fv.SetFloat(n)
	default:
		// A query struct with a field the binder cannot fill is our mistake,
		// not the client's: an internal error, whatever was sent.
		return fmt.Errorf("httpapi: query field of unsupported type %s", fv.Type())
	}
	return nil
}

// queryFieldError is the 400 of a refused query value (err a RuleError),
// or err itself, wrapped, when it is not the client's mistake.
func queryFieldError(name, raw string, err error) error {
	var re *apperr.RuleError
	if !errors.As(err, &re) {
		return fmt.Errorf("httpapi: query parameter %s: %w", name, err)
	}
	if len(raw) > 64 {
		raw = raw[:64] + "..."
	}
	e := apperr.Invalid("query parameter %s %s (got %q)", name, err.Error(), raw)
	e.Fields = []apperr.FieldError{apperr.FieldFor(name, err)}
	return e
}
