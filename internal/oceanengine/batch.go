package oceanengine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// Every write method returns the platform's request_id of its answer: a
// batch write in BatchResult.RequestID, a single-entity write (create,
// 2/campaign/update) in WriteResult.RequestID. A refused write carries it in
// its error (*APIError, *BatchError, *DecodeError).

// BatchResult is the outcome of a batch write: the platform's request_id,
// the ids applied and the items rejected. Methods returning it also return
// a *BatchError when Failed is not empty.
type BatchResult struct {
	RequestID string
	Succeeded []int64
	Failed    []ItemError
}

// WriteResult is the outcome of a write of one entity (a create, or
// 2/campaign/update): the entity's id as the platform answered it and the
// platform's request_id of the answer.
type WriteResult struct {
	ID        int64
	RequestID string
}

// write runs a write of one entity whose data T answers the entity's id,
// which id reads.
func write[T any](ctx context.Context, c *Client, cl call, id func(*T) ID) (*WriteResult, error) {
	var out T
	cl.out = &out
	rid, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	return &WriteResult{ID: int64(id(&out)), RequestID: rid}, nil
}

// decodeBatch reads {<idsKey>: [...], errors: [{<idKey>, error_code?, error_message}]}.
// Every write names its failures "errors"; "error_list", which some
// platform answers have used, is read as well.
func decodeBatch(data json.RawMessage, idsKey, idKey string) (*BatchResult, error) {
	var m map[string]json.RawMessage
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
	}
	res := &BatchResult{}
	if raw, ok := m[idsKey]; ok && !isNull(raw) {
		var ids []ID
		if err := json.Unmarshal(raw, &ids); err != nil {
			return nil, fmt.Errorf("%s: %w", idsKey, err)
		}
		for _, id := range ids {
			res.Succeeded = append(res.Succeeded, int64(id))
		}
	}
	for _, key := range []string{"errors", "error_list"} {
		raw, ok := m[key]
		if !ok || isNull(raw) {
			continue
		}
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		for _, it := range items {
			var e ItemError
			var id, code ID
			if v, ok := it[idKey]; ok {
				if err := json.Unmarshal(v, &id); err != nil {
					return nil, fmt.Errorf("%s.%s: %w", key, idKey, err)
				}
			}
			if v, ok := it["error_code"]; ok {
				_ = json.Unmarshal(v, &code) // a malformed code still leaves the message
			}
			if v, ok := it["error_message"]; ok {
				_ = json.Unmarshal(v, &e.Message)
			}
			e.ID, e.Code = int64(id), int(code)
			res.Failed = append(res.Failed, e)
		}
	}
	return res, nil
}

// batch runs a batch write and decodes its per-item outcome.
func (c *Client) batch(ctx context.Context, cl call, idsKey, idKey string) (*BatchResult, error) {
	var raw json.RawMessage
	cl.out = &raw
	rid, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	res, err := decodeBatch(raw, idsKey, idKey)
	if err != nil {
		return nil, &DecodeError{Endpoint: cl.ep.key, RequestID: rid, Err: err}
	}
	res.RequestID = rid
	if len(res.Failed) > 0 {
		return res, &BatchError{Endpoint: cl.ep.key, RequestID: rid, Succeeded: res.Succeeded, Failed: res.Failed}
	}
	return res, nil
}
