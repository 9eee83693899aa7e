package rpcclient

// The base client: Centrifugo's JSON client protocol over one WebSocket, written for rpcc's generated Go SDKs.
// rpcc copies this file into every generated module (renaming the package and, with --go-websocket=nhooyr, the
// WebSocket import). It has no other dependency than the WebSocket module.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// RPCError is an error reply of the server: an application error of the RPC handler (codes 400..1999) or a
// Centrifugo error (100 internal, 101 unauthorized, 103 permission denied, 104 method not found, 107 bad
// request, 108 not available, 109 token expired, ...). Use errors.As to get it from a call's error.
type RPCError struct {
	Code      int
	Message   string
	Temporary bool // the server says that the same request may succeed later
}

func (e *RPCError) Error() string {
	return "rpc error " + strconv.Itoa(e.Code) + ": " + e.Message
}

// The codes the rpcc bridge refuses a call with when the client's contract hash differs from its own (412), or
// names a contract older than its own (426): spec/evolution.md, "Comparing hashes at run time".
const (
	codeContractMismatch = 412
	codeContractOlder    = 426
	// contractField is the member of an rpc call's params that carries the contract hash (the bridge removes it).
	contractField = "$contract"
)

// ErrContractMismatch is matched (errors.Is) by the *RPCError of a call the server refused because the client
// was generated from another version of its contract (the contract hashes differ): regenerate the client from
// the server's current file; rpcc --breaking-against tells what changed. ErrContractOlder is matched as well when
// the server knows the client's contract as an older one of its own (or the client sent none).
var (
	ErrContractMismatch = errors.New("the client's contract differs from the server's")
	ErrContractOlder    = errors.New("the client's contract is older than the server's")
)

// Is makes errors.Is(err, ErrContractMismatch) and errors.Is(err, ErrContractOlder) true for the contract refusals.
func (e *RPCError) Is(target error) bool {
	switch target {
	case ErrContractOlder:
		return e.Code == codeContractOlder
	case ErrContractMismatch:
		return e.Code == codeContractOlder || e.Code == codeContractMismatch
	}
	return false
}

// ErrDisconnected is wrapped by the error of a call that failed because there was no connection: the dial
// failed, the connection was lost or closed by the server before the reply came, or the Client was closed. A
// call that was sent may or may not have run on the server. Use errors.Is to test for it.
//
// A call whose context ended (deadline or cancellation) returns an error wrapping the context's error instead:
// errors.Is(err, context.DeadlineExceeded) tells a timeout.
var ErrDisconnected = errors.New("disconnected")

// ErrRequestTooLarge is wrapped by the error of a call whose request is larger than the server reads
// (Client.MaxMessageSize): the call was not sent, and the connection and the other calls are not affected.
// Centrifugo would close the connection on such a message and fail every call on it. Use errors.Is to test for
// it, errors.As with a *RequestTooLargeError for the sizes.
var ErrRequestTooLarge = errors.New("request too large")

// RequestTooLargeError is the error of a call refused for its size (see ErrRequestTooLarge).
type RequestTooLargeError struct {
	Size  int // bytes of the command message the call would have sent
	Limit int // Client.MaxMessageSize
}

func (e *RequestTooLargeError) Error() string {
	return fmt.Sprintf("%v: the request is %d bytes, more than the server's message size limit of %d bytes",
		ErrRequestTooLarge, e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrRequestTooLarge) true.
func (e *RequestTooLargeError) Is(target error) bool { return target == ErrRequestTooLarge }

// ErrBadReply is wrapped by the error of a call whose result does not decode into the result type (a server
// that answers another shape than the SDK was generated for). Use errors.Is to test for it.
var ErrBadReply = errors.New("bad reply")

// Nullable is a field that may be absent, null or a value on the wire: the type of the generated fields
// `x?: T | null` and `x: T | null = v` (v not null), whose receiver tells "absent" from "null". The zero value is
// absent and is left out (the fields are tagged `omitzero`); Null (which implies Set) is sent as null; Set with
// Null false sends Value. Decoding sets Set for every value the JSON has, and Null for null.
//
//	p.Note = Nullable[string]{} // absent: left out
//	p.Note = Null[string]()     // null
//	p.Note = Some("text")       // a value
type Nullable[T any] struct {
	Value T
	Null  bool // the field is null (and present)
	Set   bool // the field is present: Value, or null when Null
}

// Some returns a Nullable holding v.
func Some[T any](v T) Nullable[T] { return Nullable[T]{Value: v, Set: true} }

// Null returns a Nullable that is null.
func Null[T any]() Nullable[T] { return Nullable[T]{Null: true, Set: true} }

// IsZero reports whether n is absent (for `omitzero`).
func (n Nullable[T]) IsZero() bool { return !n.Set && !n.Null }

// Get returns the value and true when n holds one (present and not null).
func (n Nullable[T]) Get() (T, bool) { return n.Value, n.Set && !n.Null }

// MarshalJSON encodes null, or the value. A nil slice, map or []byte value is sent as [], {} or "": a value
// that is set is never null (unless T is any).
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if n.Null || !n.Set {
		return []byte("null"), nil
	}
	switch v := reflect.ValueOf(&n.Value).Elem(); v.Kind() {
	case reflect.Slice:
		if v.IsNil() && v.Type().Elem().Kind() == reflect.Uint8 {
			return []byte(`""`), nil
		} else if v.IsNil() {
			return []byte("[]"), nil
		}
	case reflect.Map:
		if v.IsNil() {
			return []byte("{}"), nil
		}
	}
	return json.Marshal(n.Value)
}

// UnmarshalJSON decodes null or a value (numbers in `any` values as json.Number, as Client.Call decodes). A
// field missing from the JSON is not decoded at all: it stays absent.
func (n *Nullable[T]) UnmarshalJSON(data []byte) error {
	var zero T
	if string(data) == "null" {
		*n = Nullable[T]{Value: zero, Null: true, Set: true}
		return nil
	}
	n.Value = zero
	if err := decodeResult(data, &n.Value); err != nil {
		return err
	}
	n.Null, n.Set = false, true
	return nil
}

// packageName starts the messages of the errors this package makes (rpcc writes the generated package's name).
const packageName = "rpcclient"

// Transport is how a Client sends calls and receives their replies.
type Transport string

const (
	// TransportRPC is Centrifugo's rpc command, proxied to the backend (the default).
	TransportRPC Transport = "rpc"
	// TransportPubSub publishes requests to Client.RequestChannel and receives the replies on the user's
	// channel "user#" + Client.UserID, matched by random correlation ids.
	TransportPubSub Transport = "pubsub"
)

// Ptr returns a pointer to a copy of v, for the pointer fields of optional values:
// Params{PageSize: Ptr(int64(50))}.
func Ptr[T any](v T) *T { return &v }

// Duration is the IDL's duration: a time.Duration that is an ISO 8601 duration on the wire, as Pydantic writes a
// timedelta ("P1DT2H3M4.5S", "-PT0.25S", "PT0S"). Decoding also takes weeks, and years and months as 365 and 30
// days (as Pydantic does); a value beyond time.Duration's range (about 292 years) fails.
type Duration time.Duration

// String returns d in the wire format: days, hours, minutes and seconds, each left out when zero.
func (d Duration) String() string {
	var b strings.Builder
	n := int64(d)
	if n == 0 {
		return "PT0S"
	}
	u := uint64(n)
	if n < 0 {
		b.WriteByte('-')
		u = -u
	}
	b.WriteByte('P')
	const day = uint64(24 * time.Hour)
	if days := u / day; days > 0 {
		b.WriteString(strconv.FormatUint(days, 10) + "D")
	}
	u %= day
	if u == 0 {
		return b.String()
	}
	b.WriteByte('T')
	if hours := u / uint64(time.Hour); hours > 0 {
		b.WriteString(strconv.FormatUint(hours, 10) + "H")
	}
	if minutes := u / uint64(time.Minute) % 60; minutes > 0 {
		b.WriteString(strconv.FormatUint(minutes, 10) + "M")
	}
	if nanos := u % uint64(time.Minute); nanos > 0 {
		b.WriteString(strconv.FormatUint(nanos/uint64(time.Second), 10))
		if fraction := nanos % uint64(time.Second); fraction > 0 {
			b.WriteString(strings.TrimRight(fmt.Sprintf(".%09d", fraction), "0"))
		}
		b.WriteByte('S')
	}
	return b.String()
}

// MarshalJSON encodes d as its wire string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON decodes an ISO 8601 duration string.
func (d *Duration) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return err
	}
	parsed, err := parseDuration(text)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// parseDuration reads [-+]P[nY][nM][nW][nD][T[nH][nM][n[.n]S]]; only seconds may have a fraction.
func parseDuration(text string) (Duration, error) {
	bad := fmt.Errorf("%s: %q is not an ISO 8601 duration", packageName, text)
	rest, negative := text, false
	if strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "+") {
		rest, negative = rest[1:], rest[0] == '-'
	}
	if !strings.HasPrefix(rest, "P") || len(rest) == 1 {
		return 0, bad
	}
	rest = rest[1:]
	units := map[byte]float64{'Y': 365 * 24 * 3600, 'M': 30 * 24 * 3600, 'W': 7 * 24 * 3600, 'D': 24 * 3600}
	order := "YMWD"
	limit := uint64(1<<63 - 1) // the magnitude of the largest Duration; of the smallest when negative, one more
	if negative {
		limit++
	}
	var total uint64 // nanoseconds
	inTime, found := false, false
	for rest != "" {
		if rest[0] == 'T' && !inTime {
			inTime, order, rest = true, "HMS", rest[1:]
			units = map[byte]float64{'H': 3600, 'M': 60, 'S': 1}
			if rest == "" {
				return 0, bad
			}
			continue
		}
		end := 0
		for end < len(rest) && (rest[end] >= '0' && rest[end] <= '9' || rest[end] == '.') {
			end++
		}
		if end == 0 || end == len(rest) {
			return 0, bad
		}
		unit := rest[end]
		at := strings.IndexByte(order, unit)
		if at < 0 || (strings.Contains(rest[:end], ".") && unit != 'S') {
			return 0, bad
		}
		order = order[at+1:]
		whole, fraction, _ := strings.Cut(rest[:end], ".")
		count, err := strconv.ParseUint(whole, 10, 64)
		if err != nil || strings.Contains(fraction, ".") {
			return 0, bad
		}
		unitNanos := uint64(units[unit]) * uint64(time.Second)
		if count > limit/unitNanos {
			return 0, bad
		}
		step := count * unitNanos
		if fraction != "" {
			nanos, err := strconv.ParseUint((fraction + "000000000")[:9], 10, 64)
			if err != nil {
				return 0, bad
			}
			step += nanos
		}
		if step > limit-total {
			return 0, bad
		}
		total += step
		found = true
		rest = rest[end+1:]
	}
	if !found {
		return 0, bad
	}
	if negative {
		return Duration(-int64(total-1) - 1), nil
	}
	return Duration(total), nil
}

const (
	defaultName           = "rpcc-go"
	defaultRequestChannel = "rpc:requests"
	defaultTimeout        = 10 * time.Second
	defaultMaxPingDelay   = 10 * time.Second
	defaultReadLimit      = 16 << 20
	// Centrifugo's default websocket.message_size_limit: the largest message it reads from a client.
	defaultMaxMessageSize = 65536
	writeTimeout          = 10 * time.Second
)

// Client is a connection to a Centrifugo server that sends RPC calls over it. Set the exported fields before
// the first use and do not change them afterwards; after that, a Client is safe for concurrent use by multiple
// goroutines. It connects on the first call (or on Connect) and again on the next call after the connection
// was lost, unless the server told it not to come back (close codes 3500..3999 and 4500..4999).
type Client struct {
	// URL is the WebSocket endpoint, such as "ws://localhost:8000/connection/websocket".
	URL string
	// Token is the connection JWT. GetToken, when set, is called for a token when Token is empty, when the
	// server says the token expired, and before the token's expiry to refresh the connection.
	Token    string
	GetToken func(ctx context.Context) (string, error)
	// Transport is TransportRPC (the default) or TransportPubSub.
	Transport Transport
	// UserID is the user of the token, for the pubsub transport; when empty it is read from the token's "sub"
	// claim.
	UserID string
	// RequestChannel is where the pubsub transport publishes requests; default "rpc:requests".
	RequestChannel string
	// Name is the client name sent in the connect command; default "rpcc-go".
	Name string
	// Timeout bounds a call whose context has no deadline; default 10s (as the Python and TypeScript SDKs), negative
	// for none. A context deadline, shorter or longer, takes its place.
	Timeout time.Duration
	// MaxPingDelay is how long after the expected server ping the connection is considered dead; default 10s.
	MaxPingDelay time.Duration
	// ReadLimit is the largest message accepted from the server, in bytes; default 16 MiB.
	ReadLimit int64
	// MaxMessageSize is the largest message the server reads from a client, in bytes: Centrifugo's
	// websocket.message_size_limit, default 65536. A call whose command (params, method and envelope, as sent)
	// is larger fails with ErrRequestTooLarge before it is sent. Negative for no limit.
	MaxMessageSize int
	// Header holds extra HTTP headers for the WebSocket handshake.
	Header http.Header
	// Hook, when set, is called around every call (CallHook); nil (the default) costs one comparison per call.
	Hook CallHook

	// ContractHash is sent with every call (NewAPIClient sets the generated file's; spec/evolution.md): over
	// TransportRPC as the "$contract" member of the params object, over TransportPubSub as the request's
	// "contract". Empty: none is sent.
	ContractHash string

	nextID atomic.Uint32

	mu      sync.Mutex
	conn    *connection
	dialing chan struct{} // closed when the dial in progress ends
	dialErr error         // the result of the last dial, for the callers that waited for it
	token   string        // the token of the last successful connect (refreshed tokens replace it)
	stopped error         // set when the client must not reconnect (closed, or told by the server)
}

// NewClient returns a Client for the WebSocket endpoint url that authenticates with token.
func NewClient(url, token string) *Client {
	return &Client{URL: url, Token: token}
}

type replyError struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	Temporary bool   `json:"temporary,omitempty"`
}

// reply is a message from the server: a reply to a command (with its id), a push, or a ping (empty).
type reply struct {
	ID        uint32           `json:"id,omitempty"`
	Error     *replyError      `json:"error,omitempty"`
	Connect   *connectResult   `json:"connect,omitempty"`
	Refresh   *connectResult   `json:"refresh,omitempty"`
	RPC       *rpcResult       `json:"rpc,omitempty"`
	Subscribe *subscribeResult `json:"subscribe,omitempty"`
	Push      *push            `json:"push,omitempty"`
}

type connectResult struct {
	Client  string `json:"client"`
	Version string `json:"version"`
	Expires bool   `json:"expires"`
	TTL     int64  `json:"ttl"`
	Ping    int64  `json:"ping"`
	Pong    bool   `json:"pong"`
}

type rpcResult struct {
	Data json.RawMessage `json:"data"`
}

type push struct {
	Channel     string       `json:"channel"`
	Pub         *publication `json:"pub"`
	Unsubscribe *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"unsubscribe"`
}

// publication is a message published into a channel: its data and, in a channel with history, its offset.
type publication struct {
	Data   json.RawMessage `json:"data"`
	Offset uint64          `json:"offset,omitempty"`
}

// pubsubReply is what the server bridge publishes to the user's channel in answer to a request.
type pubsubReply struct {
	CorrelationID string          `json:"correlation_id"`
	Result        json.RawMessage `json:"result"`
	Error         *replyError     `json:"error"`
}

func (e *replyError) asError() error {
	return &RPCError{Code: e.Code, Message: e.Message, Temporary: e.Temporary}
}

// connection is one WebSocket session: its read loop, writer and the calls waiting for replies.
type connection struct {
	client  *Client
	replyTo string // pubsub: the user's channel
	ws      *websocket.Conn
	ctx     context.Context // ends when the connection ends
	cancel  context.CancelFunc
	out     chan []byte

	pong     atomic.Bool
	pingWait atomic.Int64 // nanoseconds without any frame before the connection is considered dead; 0: no limit

	mu      sync.Mutex
	pending map[uint32]chan *reply      // command id -> its reply
	onReply map[uint32]func(*reply)     // command id -> what the read loop does with its successful reply first
	waiting map[string]chan pubsubReply // correlation id -> its pubsub reply
	err     error                       // why the connection ended; set before done is closed
	done    chan struct{}
	refresh *time.Timer

	subs map[string]*channelSubscription // channel -> the subscription its pushes go to
}

// Connect connects now instead of on the first call. It returns nil when already connected.
func (c *Client) Connect(ctx context.Context) error {
	_, err := c.connection(ctx)
	return err
}

// Close closes the connection; calls waiting for a reply fail with ErrDisconnected, and so do later calls.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.stopped == nil {
		c.stopped = fmt.Errorf("%s: client closed: %w", packageName, ErrDisconnected)
	}
	conn := c.conn
	c.conn = nil
	c.mu.Unlock()
	if conn != nil {
		conn.fail(c.stopped)
		if err := conn.ws.Close(websocket.StatusNormalClosure, ""); err != nil {
			conn.ws.CloseNow()
		}
	}
	return nil
}

// TraceField is the field of a call's data that carries its W3C trace context over the rpc transport (the RPC
// proxy passes only data through): {"traceparent": ..., "tracestate": ...}, sent only when a hook filled
// CallInfo.TraceContext. The rpcc bridge removes it before validating the params. Over pubsub the same object is
// the request envelope's "trace" field.
const TraceField = "$trace"

// CallInfo is one call as a CallHook sees it. Method and Transport are set before CallStarted, which may fill
// TraceContext (W3C traceparent and tracestate) to send with the request. Before CallFinished: RequestSize (bytes
// of the request's command message, 0 when the call failed before it was built), ResponseSize (bytes of the
// result's JSON, 0 on error), Duration, Err (nil on success) and ErrorKind (see ErrorKind).
type CallInfo struct {
	Method       string
	Transport    Transport
	TraceContext map[string]string
	RequestSize  int
	ResponseSize int
	Duration     time.Duration
	Err          error
	ErrorKind    string
}

// CallHook is called around every call of a Client whose Hook is set. CallStarted runs before the request is
// built and returns the context the call continues with (a hook may put its span there); CallFinished gets that
// context after the call returned. Both run on the caller's goroutine. A tracing hook starts its span in
// CallStarted, returns a context holding it and writes the span's W3C context into call.TraceContext.
type CallHook interface {
	CallStarted(ctx context.Context, call *CallInfo) context.Context
	CallFinished(ctx context.Context, call *CallInfo)
}

// ErrorKind classifies the error of a call: "timeout" (its context's deadline), "cancelled" (its context was
// cancelled), "request_too_large", "disconnected", "bad_reply", "application" (an *RPCError with a handler's code,
// 400..1999), "server" (Centrifugo's own codes) or "other"; "" for nil.
func ErrorKind(err error) string {
	var rpcErr *RPCError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, ErrRequestTooLarge):
		return "request_too_large"
	case errors.Is(err, ErrDisconnected):
		return "disconnected"
	case errors.Is(err, ErrBadReply):
		return "bad_reply"
	case errors.As(err, &rpcErr):
		if rpcErr.Code >= 400 && rpcErr.Code <= 1999 {
			return "application"
		}
		return "server"
	}
	return "other"
}

// callInfoKey holds a hooked call's *CallInfo in its context, where the command that sends it records its size.
type callInfoKey struct{}

// hookedCall returns the CallInfo of a call made with a Hook set, or nil.
func hookedCall(ctx context.Context, c *Client) *CallInfo {
	if c.Hook == nil {
		return nil
	}
	info, _ := ctx.Value(callInfoKey{}).(*CallInfo)
	return info
}

// Call sends one RPC call and decodes the result into result (a pointer; nil to discard it). params is
// marshalled with encoding/json; nil sends an empty object. A result that does not decode, or is null or absent
// while result points to a struct (a model: results are never nullable), is an error wrapping ErrBadReply.
func (c *Client) Call(ctx context.Context, method string, params, result any) error {
	hook := c.Hook
	if hook == nil {
		return c.call(ctx, method, params, result)
	}
	info := &CallInfo{Method: method, Transport: TransportRPC}
	if c.Transport == TransportPubSub {
		info.Transport = TransportPubSub
	}
	ctx = hook.CallStarted(ctx, info)
	start := time.Now()
	err := c.call(context.WithValue(ctx, callInfoKey{}, info), method, params, result)
	info.Duration = time.Since(start)
	info.Err = err
	info.ErrorKind = ErrorKind(err)
	if err != nil {
		info.ResponseSize = 0
	}
	hook.CallFinished(ctx, info)
	return err
}

func (c *Client) call(ctx context.Context, method string, params, result any) error {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	var data json.RawMessage = []byte("{}")
	if params != nil {
		encoded, err := json.Marshal(params)
		if err != nil {
			return fmt.Errorf("%s: %s: encoding params: %w", packageName, method, err)
		}
		data = encoded
	}
	conn, err := c.connection(ctx)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", packageName, method, err)
	}
	var raw json.RawMessage
	if c.Transport == TransportPubSub {
		raw, err = conn.callPubSub(ctx, method, data)
	} else {
		raw, err = conn.callRPC(ctx, method, withContract(data, c.ContractHash))
	}
	if err != nil {
		return fmt.Errorf("%s: %s: %w", packageName, method, err)
	}
	if info := hookedCall(ctx, c); info != nil {
		info.ResponseSize = len(raw)
	}
	if result == nil {
		return nil
	}
	if isNullJSON(raw) {
		// encoding/json leaves a struct untouched on null: the caller would get the zero value and no error.
		if refusesNull(result) {
			return fmt.Errorf("%s: %s: %w: the result is null or absent", packageName, method, ErrBadReply)
		}
		if len(raw) == 0 {
			return nil
		}
	}
	if err := decodeResult(raw, result); err != nil {
		return fmt.Errorf("%s: %s: %w: decoding result: %w", packageName, method, ErrBadReply, err)
	}
	return nil
}

// isNullJSON tells a reply's absent data (empty) or JSON null.
func isNullJSON(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// refusesNull tells a result target that cannot hold null: a pointer to a struct, as every generated method
// passes (results are models, never nullable). A pointer to any, a pointer, a map, a slice (json.RawMessage)
// receives null as encoding/json decodes it.
func refusesNull(result any) bool {
	target := reflect.TypeOf(result)
	return target.Kind() == reflect.Pointer && target.Elem().Kind() == reflect.Struct
}

// Send sends a one-way call of method: it returns once the command is handed to the connection's writer, and
// never waits for the server. Over TransportRPC it is Centrifugo's rpc command, whose reply (Centrifugo always
// sends one) is dropped; over TransportPubSub a publication {"method","params"} without correlation_id, to which
// no reply comes. The server's refusals never reach the caller. The errors are the client's own: params that do
// not encode, no connection within ctx's deadline (Timeout by default), a request over MaxMessageSize.
func (c *Client) Send(ctx context.Context, method string, params any) error {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	var data json.RawMessage = []byte("{}")
	if params != nil {
		encoded, err := json.Marshal(params)
		if err != nil {
			return fmt.Errorf("%s: %s: encoding params: %w", packageName, method, err)
		}
		data = encoded
	}
	conn, err := c.connection(ctx)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", packageName, method, err)
	}
	kind, body := "rpc", any(map[string]any{"method": method, "data": data})
	if c.Transport == TransportPubSub {
		channel := c.RequestChannel
		if channel == "" {
			channel = defaultRequestChannel
		}
		kind = "publish"
		body = map[string]any{"channel": channel, "data": map[string]any{"method": method, "params": data}}
	}
	// An id of the client's sequence and no waiter: handle drops the reply like any reply nobody waits for.
	message, err := json.Marshal(map[string]any{"id": c.nextID.Add(1), kind: body})
	if err != nil {
		return fmt.Errorf("%s: %s: %w", packageName, method, err)
	}
	if limit := c.maxMessageSize(); limit > 0 && len(message) > limit {
		return fmt.Errorf("%s: %s: %w", packageName, method, &RequestTooLargeError{Size: len(message), Limit: limit})
	}
	if err := conn.send(ctx, message); err != nil {
		return fmt.Errorf("%s: %s: %w", packageName, method, err)
	}
	return nil
}

// callContext bounds a call by Timeout (default 10s) when ctx has no deadline of its own.
func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || c.Timeout < 0 {
		return ctx, func() {}
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	return context.WithTimeout(ctx, timeout)
}

// decodeResult decodes a call's result. Numbers in `any` values decode as json.Number, which keeps integers
// beyond 2^53 exact (float64 would round them) and encodes back to the same digits.
func decodeResult(raw json.RawMessage, result any) error {
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	return decoder.Decode(result)
}

// errNullPublication: a publication whose data is JSON null, which encoding/json would decode as the zero value
// (a union with no alternative set) without an error.
var errNullPublication = errors.New("the publication is null")

// decodePublication decodes a channel publication's data as decodeResult does a result, and refuses null.
func decodePublication(data json.RawMessage, publication any) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return errNullPublication
	}
	return decodeResult(data, publication)
}

func (c *Client) maxMessageSize() int {
	if c.MaxMessageSize == 0 {
		return defaultMaxMessageSize
	}
	return c.MaxMessageSize
}

// Pending returns the number of calls waiting for their reply on the current connection (for diagnostics and
// tests: a call that returned, however it ended, is no longer counted).
func (c *Client) Pending() int {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return 0
	}
	conn.mu.Lock()
	defer conn.mu.Unlock()
	return len(conn.pending) + len(conn.waiting)
}

// connection returns the live connection, dialing one if there is none. Concurrent callers share one dial.
func (c *Client) connection(ctx context.Context) (*connection, error) {
	for {
		c.mu.Lock()
		if c.stopped != nil {
			err := c.stopped
			c.mu.Unlock()
			return nil, err
		}
		if conn := c.conn; conn != nil {
			select {
			case <-conn.done:
				c.conn = nil // lost: dial again
			default:
				c.mu.Unlock()
				return conn, nil
			}
		}
		if wait := c.dialing; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			c.mu.Lock()
			err := c.dialErr
			conn := c.conn
			c.mu.Unlock()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if conn != nil {
				continue
			}
			if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				return nil, err
			}
			continue // the dialing caller gave up; try again with this context
		}
		wait := make(chan struct{})
		c.dialing = wait
		c.mu.Unlock()

		conn, err := c.dial(ctx)
		c.mu.Lock()
		c.dialing = nil
		c.dialErr = err
		if err == nil {
			if c.stopped != nil { // closed while dialing
				err = c.stopped
				c.mu.Unlock()
				conn.fail(err)
				conn.ws.CloseNow()
				close(wait)
				return nil, err
			}
			c.conn = conn
		}
		c.mu.Unlock()
		close(wait)
		return conn, err
	}
}

func (c *Client) currentToken(ctx context.Context, refresh bool) (string, error) {
	c.mu.Lock()
	token := c.token
	c.mu.Unlock()
	if token == "" {
		token = c.Token
	}
	if (token == "" || refresh) && c.GetToken != nil {
		fresh, err := c.GetToken(ctx)
		if err != nil {
			return "", fmt.Errorf("getting a token: %w", err)
		}
		token = fresh
	}
	return token, nil
}

func (c *Client) dial(ctx context.Context) (*connection, error) {
	refresh := false
	for attempt := 0; ; attempt++ {
		token, err := c.currentToken(ctx, refresh)
		if err != nil {
			return nil, err
		}
		conn, err := c.dialOnce(ctx, token)
		var rpcErr *RPCError
		if err != nil && errors.As(err, &rpcErr) && rpcErr.Code == 109 && c.GetToken != nil && attempt == 0 {
			refresh = true // token expired: get a fresh one and try once more
			continue
		}
		if err == nil {
			c.mu.Lock()
			c.token = token
			c.mu.Unlock()
		}
		return conn, err
	}
}

func (c *Client) dialOnce(ctx context.Context, token string) (*connection, error) {
	if c.Transport != "" && c.Transport != TransportRPC && c.Transport != TransportPubSub {
		return nil, fmt.Errorf("unknown transport %q (want TransportRPC or TransportPubSub)", c.Transport)
	}
	userID := c.UserID
	if c.Transport == TransportPubSub && userID == "" {
		userID = tokenSubject(token)
		if userID == "" {
			return nil, errors.New("the pubsub transport needs Client.UserID or a token with a \"sub\" claim")
		}
	}
	ws, _, err := websocket.Dial(ctx, c.URL, &websocket.DialOptions{HTTPHeader: c.Header})
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: dial %s: %w", ErrDisconnected, c.URL, err)
	}
	limit := c.ReadLimit
	if limit <= 0 {
		limit = defaultReadLimit
	}
	ws.SetReadLimit(limit)
	connCtx, cancel := context.WithCancel(context.Background())
	conn := &connection{
		client:  c,
		replyTo: "user#" + userID,
		ws:      ws,
		ctx:     connCtx,
		cancel:  cancel,
		out:     make(chan []byte, 64),
		pending: make(map[uint32]chan *reply),
		onReply: make(map[uint32]func(*reply)),
		waiting: make(map[string]chan pubsubReply),
		subs:    make(map[string]*channelSubscription),
		done:    make(chan struct{}),
	}
	go conn.readLoop()
	go conn.writeLoop()

	name := c.Name
	if name == "" {
		name = defaultName
	}
	connectReply, err := conn.command(ctx, "connect", map[string]any{"token": token, "name": name})
	if err == nil && connectReply.Connect == nil {
		err = errors.New("connect reply without a result")
	}
	if err != nil {
		conn.fail(fmt.Errorf("%w: connect failed", ErrDisconnected))
		ws.CloseNow()
		return nil, err
	}
	conn.started(connectReply.Connect)

	if c.Transport == TransportPubSub {
		if _, err := conn.command(ctx, "subscribe", map[string]any{"channel": conn.replyTo}); err != nil {
			conn.fail(fmt.Errorf("%w: subscribe failed", ErrDisconnected))
			ws.CloseNow()
			return nil, fmt.Errorf("subscribing to %s: %w", conn.replyTo, err)
		}
	}
	return conn, nil
}

// started applies the connect result: the token refresh timer.
func (conn *connection) started(result *connectResult) {
	conn.scheduleRefresh(result)
}

// expectPings applies the ping settings of the connect result. It runs on the read loop before the reply is
// passed on, so that the next read already knows them.
func (conn *connection) expectPings(result *connectResult) {
	conn.pong.Store(result.Pong)
	if result.Ping > 0 {
		delay := conn.client.MaxPingDelay
		if delay <= 0 {
			delay = defaultMaxPingDelay
		}
		conn.pingWait.Store(int64(time.Duration(result.Ping)*time.Second + delay))
	}
}

func (conn *connection) scheduleRefresh(result *connectResult) {
	if !result.Expires || conn.client.GetToken == nil {
		return // without GetToken the server disconnects at expiry and the next call reconnects
	}
	ttl := time.Duration(result.TTL) * time.Second
	if ttl <= 0 {
		return
	}
	conn.mu.Lock()
	defer conn.mu.Unlock()
	if conn.err != nil {
		return
	}
	conn.refresh = time.AfterFunc(ttl, conn.refreshToken)
}

func (conn *connection) refreshToken() {
	ctx, cancel := context.WithTimeout(conn.ctx, writeTimeout)
	defer cancel()
	token, err := conn.client.currentToken(ctx, true)
	if err != nil {
		conn.fail(fmt.Errorf("%w: token refresh: %w", ErrDisconnected, err))
		conn.ws.CloseNow()
		return
	}
	result, err := conn.command(ctx, "refresh", map[string]any{"token": token})
	if err != nil || result.Refresh == nil {
		conn.fail(fmt.Errorf("%w: token refresh failed: %v", ErrDisconnected, err))
		conn.ws.CloseNow()
		return
	}
	conn.client.mu.Lock()
	conn.client.token = token
	conn.client.mu.Unlock()
	conn.scheduleRefresh(result.Refresh)
}

// fail ends the connection once with err; every waiting call sees it.
func (conn *connection) fail(err error) {
	conn.mu.Lock()
	if conn.err != nil {
		conn.mu.Unlock()
		return
	}
	conn.err = err
	if conn.refresh != nil {
		conn.refresh.Stop()
	}
	close(conn.done)
	conn.mu.Unlock()
}

func (conn *connection) failure() error {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	return conn.err
}

// send queues one message for the writer.
func (conn *connection) send(ctx context.Context, message []byte) error {
	select {
	case conn.out <- message:
		return nil
	case <-conn.done:
		return conn.failure()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (conn *connection) writeLoop() {
	for {
		select {
		case <-conn.done:
			return
		case message := <-conn.out:
			ctx, cancel := context.WithTimeout(conn.ctx, writeTimeout)
			err := conn.ws.Write(ctx, websocket.MessageText, message)
			cancel()
			if err != nil {
				conn.fail(fmt.Errorf("%w: write: %w", ErrDisconnected, err))
				conn.ws.CloseNow()
				return
			}
		}
	}
}

func (conn *connection) readLoop() {
	defer conn.cancel()
	for {
		ctx, cancel := conn.ctx, context.CancelFunc(func() {})
		if wait := time.Duration(conn.pingWait.Load()); wait > 0 {
			ctx, cancel = context.WithTimeout(conn.ctx, wait)
		}
		_, data, err := conn.ws.Read(ctx)
		timedOut := ctx.Err() == context.DeadlineExceeded
		cancel()
		if err != nil {
			conn.readFailed(err, timedOut)
			return
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) != "" {
				conn.handle([]byte(line))
			}
		}
	}
}

func (conn *connection) readFailed(err error, timedOut bool) {
	code := int(websocket.CloseStatus(err))
	switch {
	case timedOut:
		err = fmt.Errorf("%w: no ping from the server in time, the connection is dead", ErrDisconnected)
	case (code >= 3500 && code <= 3999) || (code >= 4500 && code <= 4999):
		err = fmt.Errorf("%w: the server closed the connection (code %d) and asked not to reconnect: %w",
			ErrDisconnected, code, err)
		c := conn.client
		c.mu.Lock()
		if c.stopped == nil {
			c.stopped = err
		}
		c.mu.Unlock()
	case code >= 0:
		err = fmt.Errorf("%w: the server closed the connection (code %d): %w", ErrDisconnected, code, err)
	default:
		err = fmt.Errorf("%w: %w", ErrDisconnected, err)
	}
	conn.fail(err)
	conn.ws.CloseNow()
}

func (conn *connection) handle(line []byte) {
	var message reply
	if err := json.Unmarshal(line, &message); err != nil {
		return // not a message of this protocol version: ignore it
	}
	switch {
	case message.ID > 0:
		if message.Connect != nil {
			conn.expectPings(message.Connect)
		}
		conn.mu.Lock()
		waiter := conn.pending[message.ID]
		delete(conn.pending, message.ID)
		hook := conn.onReply[message.ID]
		delete(conn.onReply, message.ID)
		conn.mu.Unlock()
		if hook != nil && waiter != nil && message.Error == nil {
			hook(&message) // before the pushes that follow this reply are handled
		}
		if waiter != nil {
			waiter <- &message
		}
	case message.Push != nil && message.Push.Channel != conn.replyTo:
		conn.routePush(message.Push)
	case message.Push != nil:
		if message.Push.Pub == nil {
			return
		}
		var answer pubsubReply
		if err := json.Unmarshal(message.Push.Pub.Data, &answer); err != nil || answer.CorrelationID == "" {
			return
		}
		conn.mu.Lock()
		waiter := conn.waiting[answer.CorrelationID]
		delete(conn.waiting, answer.CorrelationID)
		conn.mu.Unlock()
		if waiter != nil {
			waiter <- answer
		}
	case message.Error == nil && message.Connect == nil:
		if conn.pong.Load() { // a ping: answer it
			select {
			case conn.out <- []byte("{}"):
			case <-conn.done:
			}
		}
	}
}

// command sends {"id": n, kind: body} and waits for its reply; an error reply becomes an *RPCError.
func (conn *connection) command(ctx context.Context, kind string, body any) (*reply, error) {
	return conn.commandWith(ctx, kind, body, nil)
}

// commandWith is command whose successful reply is first given to onReply on the read loop (nil: none).
func (conn *connection) commandWith(ctx context.Context, kind string, body any, onReply func(*reply)) (*reply, error) {
	id := conn.client.nextID.Add(1)
	message, err := json.Marshal(map[string]any{"id": id, kind: body})
	if err != nil {
		return nil, err
	}
	// Centrifugo closes the connection on a message over its limit, failing every call on it: refuse this one.
	// One command is one WebSocket message (the writer never batches), so len(message) is what the server counts.
	if info := hookedCall(ctx, conn.client); info != nil {
		info.RequestSize = len(message)
	}
	if limit := conn.client.maxMessageSize(); limit > 0 && len(message) > limit {
		return nil, &RequestTooLargeError{Size: len(message), Limit: limit}
	}
	waiter := make(chan *reply, 1)
	conn.mu.Lock()
	if conn.err != nil {
		err := conn.err
		conn.mu.Unlock()
		return nil, err
	}
	conn.pending[id] = waiter
	if onReply != nil {
		conn.onReply[id] = onReply
	}
	conn.mu.Unlock()
	forget := func() {
		conn.mu.Lock()
		delete(conn.pending, id)
		delete(conn.onReply, id)
		conn.mu.Unlock()
	}
	// Only calls are collected: the connect and refresh commands a call may make on its way go out at once.
	var entry *batchEntry
	if kind == "rpc" || kind == "publish" {
		entry = batchEntryFor(ctx, conn, message)
	}
	if entry != nil {
		// Collected by a Batch: it writes the message together with the batch's others, or refuses them all.
		select {
		case err = <-entry.sent:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			forget()
			return nil, err
		}
	} else if err := conn.send(ctx, message); err != nil {
		forget()
		return nil, err
	}
	select {
	case answer := <-waiter:
		if answer.Error != nil {
			return nil, answer.Error.asError()
		}
		return answer, nil
	case <-conn.done:
		forget()
		return nil, conn.failure()
	case <-ctx.Done():
		forget()
		return nil, ctx.Err()
	}
}

// withContract returns the params object data with the contract hash as its first member; data as it is when
// there is no hash or data is not an object.
func withContract(data json.RawMessage, contract string) json.RawMessage {
	body := bytes.TrimSpace(data)
	if contract == "" || len(body) < 2 || body[0] != '{' {
		return data
	}
	member, _ := json.Marshal(map[string]string{contractField: contract})
	rest := bytes.TrimSpace(body[1:])
	if rest[0] == '}' {
		return member
	}
	out := make([]byte, 0, len(member)+len(body))
	out = append(out, member[:len(member)-1]...)
	out = append(out, ',')
	return append(out, rest...)
}

func (conn *connection) callRPC(ctx context.Context, method string, data json.RawMessage) (json.RawMessage, error) {
	if info := hookedCall(ctx, conn.client); info != nil && len(info.TraceContext) > 0 && len(data) > 1 && data[0] == '{' {
		// The trace context as the first field of the params object (only with a hook that set one).
		field, err := json.Marshal(map[string]any{TraceField: info.TraceContext})
		if err != nil {
			return nil, err
		}
		if inner := bytes.TrimSpace(data[1:]); len(inner) == 0 || inner[0] == '}' {
			data = field
		} else {
			field[len(field)-1] = ','
			data = append(field, inner...)
		}
	}
	answer, err := conn.command(ctx, "rpc", map[string]any{"method": method, "data": data})
	if err != nil {
		return nil, err
	}
	if answer.RPC == nil {
		return nil, nil
	}
	return answer.RPC.Data, nil
}

func (conn *connection) callPubSub(ctx context.Context, method string, data json.RawMessage) (json.RawMessage, error) {
	c := conn.client
	correlationID, err := newCorrelationID()
	if err != nil {
		return nil, err
	}
	channel := c.RequestChannel
	if channel == "" {
		channel = defaultRequestChannel
	}
	waiter := make(chan pubsubReply, 1)
	conn.mu.Lock()
	conn.waiting[correlationID] = waiter
	conn.mu.Unlock()
	defer func() {
		conn.mu.Lock()
		delete(conn.waiting, correlationID)
		conn.mu.Unlock()
	}()
	request := map[string]any{
		"method":         method,
		"params":         data,
		"correlation_id": correlationID,
		"reply_to":       conn.replyTo,
	}
	if info := hookedCall(ctx, c); info != nil && len(info.TraceContext) > 0 {
		request["trace"] = info.TraceContext
	}
	if c.ContractHash != "" {
		request["contract"] = c.ContractHash
	}
	if _, err := conn.command(ctx, "publish", map[string]any{"channel": channel, "data": request}); err != nil {
		return nil, err
	}
	select {
	case answer := <-waiter:
		if answer.Error != nil {
			return nil, answer.Error.asError()
		}
		return answer.Result, nil
	case <-conn.done:
		return nil, conn.failure()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// newCorrelationID returns 128 random bits from the operating system's cryptographic source, in hex.
func newCorrelationID() (string, error) {
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("correlation id: %w", err)
	}
	return hex.EncodeToString(id[:]), nil
}

// tokenSubject reads the "sub" claim of a JWT without verifying it (the server does), or "".
func tokenSubject(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.Sub
}

// DefaultMaxBatch is the most calls a Batch sends in one message unless its MaxCalls says otherwise.
const DefaultMaxBatch = 100

// ErrBatchTooLarge is wrapped by the error of every call of a Batch refused for its size: more than MaxCalls
// calls, or a message over the client's MaxMessageSize. Nothing of such a batch was sent.
var ErrBatchTooLarge = errors.New("batch too large")

// Batch sends several calls in one WebSocket message. Each call runs in Go with the batch's context and is the
// typed method it always is: its result and error are its own, and one failing call fails only itself. Wait sends
// the calls once each has queued its command (or returned early), then waits for all of them. Nothing is atomic:
// Centrifugo runs the calls as it would separate ones (one at a time per connection unless its
// client.concurrency is set), and any of them may succeed while another fails.
//
//	b := NewBatch(ctx)
//	var task *Task
//	var taskErr error
//	b.Go(func(ctx context.Context) { task, taskErr = api.TasksGet(ctx, TaskGetParams{ID: 1}) })
//	b.Go(func(ctx context.Context) { page, pageErr = api.TasksList(ctx, TaskListParams{}) })
//	err := b.Wait() // nil, or the refusal (errors.Is ErrBatchTooLarge) that every call also returned
type Batch struct {
	// MaxCalls bounds the calls sent in one message (DefaultMaxBatch when 0).
	MaxCalls int

	ctx     context.Context
	mu      sync.Mutex
	changed chan struct{} // a call queued its command or returned
	started int
	settled int
	entries []*batchEntry
	sealed  bool
	refusal error
	running sync.WaitGroup
}

type batchEntry struct {
	conn    *connection
	message []byte
	sent    chan error // nil once written with the others, or the batch's refusal
}

type batchKey struct{}

// batchCallKey marks the context of one Go call: its first collected command settles it (counted once).
type batchCallKey struct{}

// NewBatch returns an empty batch whose calls use ctx (and its deadline).
func NewBatch(ctx context.Context) *Batch {
	b := &Batch{changed: make(chan struct{}, 1)}
	b.ctx = context.WithValue(ctx, batchKey{}, b)
	return b
}

// Go runs call in a goroutine with the batch's context: the calls it makes are collected until Wait sends them.
func (b *Batch) Go(call func(ctx context.Context)) {
	b.mu.Lock()
	b.started++
	b.mu.Unlock()
	b.running.Add(1)
	go func() {
		defer b.running.Done()
		queued := false
		defer func() {
			if !queued { // returned before queuing a call (an encoding error, a failed dial): settled now
				b.settle()
			}
		}()
		call(context.WithValue(b.ctx, batchCallKey{}, &queued))
	}()
}

func (b *Batch) settle() {
	b.mu.Lock()
	b.settled++
	b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// batchEntryFor collects message when ctx is a batch's that still collects; nil otherwise (send it alone).
func batchEntryFor(ctx context.Context, conn *connection, message []byte) *batchEntry {
	b, _ := ctx.Value(batchKey{}).(*Batch)
	if b == nil {
		return nil
	}
	b.mu.Lock()
	if b.sealed {
		b.mu.Unlock()
		return nil
	}
	entry := &batchEntry{conn: conn, message: message, sent: make(chan error, 1)}
	b.entries = append(b.entries, entry)
	queued, _ := ctx.Value(batchCallKey{}).(*bool)
	first := queued != nil && !*queued
	if first {
		*queued = true
	}
	b.mu.Unlock()
	if first {
		b.settle()
	}
	return entry
}

// Wait sends the collected calls in one message per connection and waits for every call to return. It returns
// nil, or the error that refused the whole batch before anything was sent (errors.Is ErrBatchTooLarge, or the
// connection's failure), which each collected call returned as well.
func (b *Batch) Wait() error {
	for {
		b.mu.Lock()
		ready := b.settled >= b.started
		b.mu.Unlock()
		if ready {
			break
		}
		select {
		case <-b.changed:
		case <-b.ctx.Done():
		}
		if b.ctx.Err() != nil {
			break
		}
	}
	b.mu.Lock()
	b.sealed = true
	entries := b.entries
	b.mu.Unlock()
	b.refusal = b.flush(entries)
	b.running.Wait()
	return b.refusal
}

func (b *Batch) flush(entries []*batchEntry) error {
	if len(entries) == 0 {
		return nil
	}
	limit := b.MaxCalls
	if limit <= 0 {
		limit = DefaultMaxBatch
	}
	var refusal error
	if len(entries) > limit {
		refusal = fmt.Errorf("%w: %d calls, more than the %d one batch may send; nothing was sent", ErrBatchTooLarge,
			len(entries), limit)
	}
	// One message per connection (all of them share one unless the client reconnected while collecting).
	groups := map[*connection][]*batchEntry{}
	var order []*connection
	for _, entry := range entries {
		if _, seen := groups[entry.conn]; !seen {
			order = append(order, entry.conn)
		}
		groups[entry.conn] = append(groups[entry.conn], entry)
	}
	if refusal == nil {
		for _, conn := range order {
			size := len(groups[conn]) - 1
			for _, entry := range groups[conn] {
				size += len(entry.message)
			}
			if maxSize := conn.client.maxMessageSize(); maxSize > 0 && size > maxSize {
				refusal = fmt.Errorf("%w: the message would be %d bytes, more than the server's message size limit "+
					"of %d bytes; nothing was sent", ErrBatchTooLarge, size, maxSize)
			}
		}
	}
	for _, conn := range order {
		group := groups[conn]
		err := refusal
		if err == nil {
			messages := make([][]byte, len(group))
			for i, entry := range group {
				messages[i] = entry.message
			}
			err = conn.send(b.ctx, bytes.Join(messages, []byte("\n")))
		}
		for _, entry := range group {
			entry.sent <- err
		}
	}
	return refusal
}

// Channel subscriptions: the generated Subscribe<Channel> methods call SubscribeChannel, which subscribes to one
// Centrifugo channel and decodes its publications into T. A subscription outlives connections: after a lost
// connection it subscribes again on the next one (the Client reconnects for it), and in a channel with history
// it recovers the publications it missed, so that none is lost or delivered twice.

// ChannelState is where a subscription is: subscribing (also again after a lost connection), subscribed,
// or unsubscribed (ended).
type ChannelState int32

const (
	// ChannelUnsubscribed: the subscription ended (Unsubscribe, its context ended, the server refused it
	// or unsubscribed it for good, or the Client was closed).
	ChannelUnsubscribed ChannelState = iota
	// ChannelSubscribing: waiting for a connection or for the server's answer to the subscribe command.
	ChannelSubscribing
	// ChannelSubscribed: publications arrive.
	ChannelSubscribed
)

func (s ChannelState) String() string {
	switch s {
	case ChannelSubscribing:
		return "subscribing"
	case ChannelSubscribed:
		return "subscribed"
	}
	return "unsubscribed"
}

// StreamPosition is a place in a channel's history stream: the offset of a publication and the stream's epoch
// (which changes when the server lost the stream).
type StreamPosition struct {
	Offset uint64
	Epoch  string
}

// ErrSubscriptionRefused is wrapped by the error of a subscription the server refused: the user may not
// subscribe to the channel (103 permission denied), the channel is unknown (102), and so on. Use errors.Is to
// test for it, errors.As with a *SubscribeError for the channel and the server's error.
var ErrSubscriptionRefused = errors.New("subscription refused")

// ErrBadChannelParam is wrapped by the error of a Subscribe or Publish method given a channel parameter that
// would change the channel's meaning (empty, or holding one of : # , { } $ * & /) or that Centrifugo refuses in a
// channel name (a space, a control character, anything but ASCII). Nothing is sent. Use errors.Is to test for it.
var ErrBadChannelParam = errors.New("bad channel parameter")

// SubscribeError is the error of a subscription the server refused (see ErrSubscriptionRefused).
type SubscribeError struct {
	Channel string
	Err     *RPCError // the server's error: Code 103 is permission denied
}

func (e *SubscribeError) Error() string {
	return fmt.Sprintf("%s: subscribe %s: %v: %v", packageName, e.Channel, ErrSubscriptionRefused, e.Err)
}

// Unwrap makes errors.Is(err, ErrSubscriptionRefused) true and errors.As(err, &rpcErr) find the server's error.
func (e *SubscribeError) Unwrap() []error { return []error{ErrSubscriptionRefused, e.Err} }

// PublicationDecodeError is given to the OnDecodeError hook for a publication whose data does not decode into
// the channel's publication type (someone published another shape). The subscription goes on.
type PublicationDecodeError struct {
	Channel string
	Offset  uint64          // the publication's offset in a channel with history, else 0
	Data    json.RawMessage // the publication's data as received
	Err     error           // what the decoder said
}

func (e *PublicationDecodeError) Error() string {
	return fmt.Sprintf("%s: %s: %v: decoding a publication: %v", packageName, e.Channel, ErrBadReply, e.Err)
}

// Unwrap makes errors.Is(err, ErrBadReply) true and returns the decoder's error too.
func (e *PublicationDecodeError) Unwrap() []error { return []error{ErrBadReply, e.Err} }

// RecoveryFailedError is given to the OnRecoveryFailed hook when a subscription to a channel with history
// subscribed again after a lost connection and the server could not give it every publication it missed (the
// history was shorter than the gap, or expired, or the stream was lost: Position.Epoch differs from
// Since.Epoch). Publications were lost between Since and Position; the ones that follow are delivered. Reload
// the state the channel's publications update.
type RecoveryFailedError struct {
	Channel  string
	Since    StreamPosition // the position of the last publication this subscription had
	Position StreamPosition // the stream's position after the resubscription
}

func (e *RecoveryFailedError) Error() string {
	return fmt.Sprintf("%s: %s: could not recover the publications missed since offset %d (epoch %q); "+
		"the stream is at offset %d (epoch %q)",
		packageName, e.Channel, e.Since.Offset, e.Since.Epoch, e.Position.Offset, e.Position.Epoch)
}

// ChannelOption configures a subscription: OnDecodeError, OnRecoveryFailed, OnStateChange, Since.
type ChannelOption func(*subscribeOptions)

type subscribeOptions struct {
	onDecodeError    func(*PublicationDecodeError)
	onRecoveryFailed func(*RecoveryFailedError)
	onStateChange    func(ChannelState)
	since            *StreamPosition
}

// OnDecodeError sets the hook for publications that do not decode (default: they are dropped). Hooks run on
// the subscription's delivery goroutine, in stream order with the publications, and must not block long.
func OnDecodeError(hook func(*PublicationDecodeError)) ChannelOption {
	return func(o *subscribeOptions) { o.onDecodeError = hook }
}

// OnRecoveryFailed sets the hook told when publications of a channel with history were lost over a reconnect
// (see RecoveryFailedError), before the publications that follow the gap are delivered.
func OnRecoveryFailed(hook func(*RecoveryFailedError)) ChannelOption {
	return func(o *subscribeOptions) { o.onRecoveryFailed = hook }
}

// OnStateChange sets the hook told of every change of the subscription's state, in order.
func OnStateChange(hook func(ChannelState)) ChannelOption {
	return func(o *subscribeOptions) { o.onStateChange = hook }
}

// Since makes a subscription to a channel with history start after position (one that an earlier subscription's
// Position returned): the publications since then are delivered first, or OnRecoveryFailed is told they are lost.
func Since(position StreamPosition) ChannelOption {
	return func(o *subscribeOptions) { o.since = &position }
}

// ChannelSubscription is a typed subscription to one channel. Receive the publications from Publications (or
// range over All); call Unsubscribe, or end the context given to SubscribeChannel, when done: that ends it and
// closes the channel. It is safe for concurrent use.
type ChannelSubscription[T any] struct {
	sub          *channelSubscription
	publications chan T
	delivered    chan struct{} // closed when the delivery goroutine returned
}

// SubscribeChannel subscribes to channel and returns when the server accepted the subscription, or with its
// error: a *SubscribeError when the server refused it, ErrDisconnected when there was no connection, the
// context's error when ctx ended first. ctx bounds the whole subscription, not only this call. history says that
// the channel keeps history: the subscription is positioned and recovers what it missed over reconnects.
func SubscribeChannel[T any](ctx context.Context, client *Client, channel string, history bool,
	opts ...ChannelOption) (*ChannelSubscription[T], error) {
	sub := newChannelSubscription(client, channel, history, opts)
	typed := &ChannelSubscription[T]{sub: sub, publications: make(chan T), delivered: make(chan struct{})}
	if err := sub.start(ctx); err != nil {
		return nil, err
	}
	go typed.deliver()
	return typed, nil
}

// Publications returns the channel of the decoded publications, in the order they were published. It is closed
// when the subscription ends; then Err says why.
func (s *ChannelSubscription[T]) Publications() <-chan T { return s.publications }

// All returns an iterator over the publications (for range), which ends when the subscription ends.
func (s *ChannelSubscription[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		for value := range s.publications {
			if !yield(value) {
				return
			}
		}
	}
}

// Channel returns the Centrifugo channel's name.
func (s *ChannelSubscription[T]) Channel() string { return s.sub.channel }

// State returns the subscription's current state.
func (s *ChannelSubscription[T]) State() ChannelState { return s.sub.currentState() }

// Position returns the position of the last publication received in a channel with history (for Since), and
// false before there is one or in a channel without history.
func (s *ChannelSubscription[T]) Position() (StreamPosition, bool) { return s.sub.currentPosition() }

// Err returns why the subscription ended: nil after Unsubscribe, the context's error when the context of
// SubscribeChannel ended, a *SubscribeError when the server refused it on a later resubscription, ErrDisconnected
// when the Client was closed or told not to reconnect. It returns nil while the subscription is active.
func (s *ChannelSubscription[T]) Err() error { return s.sub.endError() }

// Unsubscribe ends the subscription: it tells the server (when connected), stops the delivery and closes the
// Publications channel. Publications not yet received are dropped. Calling it again does nothing.
func (s *ChannelSubscription[T]) Unsubscribe() error {
	err := s.sub.stop()
	<-s.delivered
	return err
}

// deliver decodes the queued events and hands them on, in order, until the subscription ends.
func (s *ChannelSubscription[T]) deliver() {
	defer close(s.delivered)
	defer close(s.publications)
	sub := s.sub
	for {
		events, ended := sub.take()
		for _, event := range events {
			switch {
			case event.state != nil:
				if sub.opts.onStateChange != nil {
					sub.opts.onStateChange(*event.state)
				}
			case event.gap != nil:
				if sub.opts.onRecoveryFailed != nil {
					sub.opts.onRecoveryFailed(event.gap)
				}
			default:
				var value T
				if err := decodePublication(event.pub.Data, &value); err != nil {
					if sub.opts.onDecodeError != nil {
						sub.opts.onDecodeError(&PublicationDecodeError{Channel: sub.channel, Offset: event.pub.Offset,
							Data: event.pub.Data, Err: err})
					}
					continue
				}
				if sub.ctx.Err() != nil {
					return
				}
				select {
				case s.publications <- value:
				case <-sub.ctx.Done():
					return
				}
			}
		}
		if ended {
			return
		}
	}
}

// subscriptionEvent is one queued item of a subscription: a publication, a recovery gap or a state change.
type subscriptionEvent struct {
	pub   *publication
	gap   *RecoveryFailedError
	state *ChannelState
}

// channelSubscription is the untyped part of a subscription: it subscribes on every new connection and queues
// what arrives for the delivery goroutine, so that the connection's read loop never waits for the receiver.
type channelSubscription struct {
	client  *Client
	channel string
	history bool
	opts    subscribeOptions
	ctx     context.Context // ends the subscription
	cancel  context.CancelCauseFunc
	done    chan struct{} // closed when run returned
	unsub   chan int      // the code of an unsubscribe push from the server

	mu          sync.Mutex
	state       ChannelState
	position    StreamPosition
	hasPosition bool
	queue       []subscriptionEvent
	wake        chan struct{} // signalled when queue grows or the subscription ends
	ended       bool
	err         error
	unsubErr    error // the unsubscribe command's error, for stop
}

func newChannelSubscription(client *Client, channel string, history bool, opts []ChannelOption) *channelSubscription {
	sub := &channelSubscription{client: client, channel: channel, history: history, done: make(chan struct{}),
		unsub: make(chan int, 1), wake: make(chan struct{}, 1)}
	for _, opt := range opts {
		opt(&sub.opts)
	}
	if sub.opts.since != nil && history {
		sub.position, sub.hasPosition = *sub.opts.since, true
	}
	return sub
}

// start subscribes for the first time and, when that worked, keeps the subscription going in the background.
func (sub *channelSubscription) start(ctx context.Context) error {
	sub.ctx, sub.cancel = context.WithCancelCause(ctx)
	first := make(chan error, 1)
	go sub.run(first)
	if err := <-first; err != nil {
		<-sub.done
		return err
	}
	return nil
}

// run subscribes on the current connection, waits until it is lost (and subscribes again on the next one), until
// the subscription ends. The first attempt's result goes to first; a failed first attempt ends the subscription.
func (sub *channelSubscription) run(first chan<- error) {
	defer close(sub.done)
	failures := 0
	for {
		sub.setState(ChannelSubscribing)
		conn, err := sub.client.connection(sub.ctx)
		if err == nil {
			err = sub.subscribeOn(conn)
		}
		if err == nil {
			// Before first is answered: SubscribeChannel returns a subscription that is already subscribed.
			sub.setState(ChannelSubscribed)
		}
		if first != nil {
			first <- err
			first = nil
			if err != nil {
				sub.finish(err)
				return
			}
		}
		if err != nil {
			if sub.ctx.Err() != nil {
				sub.finish(context.Cause(sub.ctx))
				return
			}
			var refused *SubscribeError
			if (errors.As(err, &refused) && !refused.Err.Temporary) || sub.client.isStopped() {
				sub.finish(err)
				return
			}
			failures++
			if !sleepContext(sub.ctx, reconnectDelay(failures)) {
				sub.finish(context.Cause(sub.ctx))
				return
			}
			continue
		}
		failures = 0
		select {
		case <-conn.done:
			sub.forget(conn)
			if !sleepContext(sub.ctx, reconnectDelay(0)) {
				sub.finish(context.Cause(sub.ctx))
				return
			}
		case code := <-sub.unsub:
			sub.forget(conn)
			if code < 2500 { // 2000..2499: unsubscribed for good; 2500..: subscribe again
				sub.finish(fmt.Errorf("%s: %s: %w: the server unsubscribed (code %d)", packageName, sub.channel,
					ErrSubscriptionRefused, code))
				return
			}
		case <-sub.ctx.Done():
			sub.forget(conn)
			ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
			_, err := conn.command(ctx, "unsubscribe", map[string]any{"channel": sub.channel})
			cancel()
			if err != nil && !errors.Is(err, ErrDisconnected) {
				sub.mu.Lock()
				sub.unsubErr = fmt.Errorf("%s: unsubscribe %s: %w", packageName, sub.channel, err)
				sub.mu.Unlock()
			}
			sub.finish(context.Cause(sub.ctx))
			return
		}
	}
}

// subscribeOn sends the subscribe command on conn; the read loop applies the reply before the next push.
func (sub *channelSubscription) subscribeOn(conn *connection) error {
	body := map[string]any{"channel": sub.channel}
	sub.mu.Lock()
	since, recovering := sub.position, sub.hasPosition
	sub.mu.Unlock()
	if sub.history {
		body["positioned"], body["recoverable"] = true, true
		if recovering {
			body["recover"], body["offset"], body["epoch"] = true, since.Offset, since.Epoch
		}
	}
	conn.mu.Lock()
	if other := conn.subs[sub.channel]; other != nil && other != sub {
		conn.mu.Unlock()
		return fmt.Errorf("%s: subscribe %s: this Client already has a subscription to the channel", packageName,
			sub.channel)
	}
	conn.subs[sub.channel] = sub
	conn.mu.Unlock()
	ctx, cancel := sub.client.callContext(sub.ctx)
	defer cancel()
	_, err := conn.commandWith(ctx, "subscribe", body, func(answer *reply) {
		sub.subscribed(answer.Subscribe, since, recovering)
	})
	if err != nil {
		sub.forget(conn)
		var rpcErr *RPCError
		if errors.As(err, &rpcErr) {
			return &SubscribeError{Channel: sub.channel, Err: rpcErr}
		}
		return fmt.Errorf("%s: subscribe %s: %w", packageName, sub.channel, err)
	}
	return nil
}

// forget removes the subscription from conn's routing.
func (sub *channelSubscription) forget(conn *connection) {
	conn.mu.Lock()
	if conn.subs[sub.channel] == sub {
		delete(conn.subs, sub.channel)
	}
	conn.mu.Unlock()
}

// subscribed applies a subscribe reply (on the read loop): the recovered publications, and the stream position.
func (sub *channelSubscription) subscribed(result *subscribeResult, since StreamPosition, recovering bool) {
	if result == nil {
		return
	}
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if recovering && !result.Recovered {
		sub.queue = append(sub.queue, subscriptionEvent{gap: &RecoveryFailedError{Channel: sub.channel, Since: since,
			Position: StreamPosition{Offset: result.Offset, Epoch: result.Epoch}}})
	}
	if result.Epoch != sub.position.Epoch {
		sub.position = StreamPosition{Epoch: result.Epoch}
	}
	for i := range result.Publications {
		sub.addLocked(&result.Publications[i])
	}
	if result.Recoverable || result.Positioned {
		if result.Offset > sub.position.Offset {
			sub.position.Offset = result.Offset
		}
		sub.hasPosition = true
	}
	sub.signal()
}

// addLocked queues a publication unless it is one already delivered (by offset, in a positioned stream).
func (sub *channelSubscription) addLocked(pub *publication) {
	if pub.Offset > 0 && sub.history {
		if sub.hasPosition && pub.Offset <= sub.position.Offset {
			return
		}
		sub.position.Offset = pub.Offset
		sub.hasPosition = true
	}
	sub.queue = append(sub.queue, subscriptionEvent{pub: pub})
}

// routePush hands a push of a subscribed channel to its subscription (on the read loop).
func (conn *connection) routePush(message *push) {
	conn.mu.Lock()
	sub := conn.subs[message.Channel]
	conn.mu.Unlock()
	if sub == nil {
		return
	}
	switch {
	case message.Pub != nil:
		sub.mu.Lock()
		sub.addLocked(message.Pub)
		sub.signal()
		sub.mu.Unlock()
	case message.Unsubscribe != nil:
		sub.forget(conn)
		select {
		case sub.unsub <- message.Unsubscribe.Code:
		default:
		}
	}
}

func (sub *channelSubscription) signal() {
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

func (sub *channelSubscription) setState(state ChannelState) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if sub.state == state || sub.ended {
		return
	}
	sub.state = state
	sub.queue = append(sub.queue, subscriptionEvent{state: &state})
	sub.signal()
}

// finish ends the subscription with err (nil after Unsubscribe).
func (sub *channelSubscription) finish(err error) {
	if errors.Is(err, errUnsubscribed) {
		err = nil
	}
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if sub.ended {
		return
	}
	sub.err = err
	state := ChannelUnsubscribed
	sub.state = state
	sub.queue = append(sub.queue, subscriptionEvent{state: &state})
	sub.ended = true
	sub.signal()
}

// take waits for queued events and returns them, and whether the subscription ended (after these events).
func (sub *channelSubscription) take() ([]subscriptionEvent, bool) {
	for {
		sub.mu.Lock()
		events, ended := sub.queue, sub.ended
		sub.queue = nil
		sub.mu.Unlock()
		if len(events) > 0 || ended {
			return events, ended
		}
		select {
		case <-sub.wake:
		case <-sub.ctx.Done():
			<-sub.done // run queues the end
		}
	}
}

// errUnsubscribed is the cause of the context of a subscription ended by Unsubscribe.
var errUnsubscribed = errors.New("unsubscribed")

func (sub *channelSubscription) stop() error {
	sub.cancel(errUnsubscribed)
	<-sub.done
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.unsubErr
}

func (sub *channelSubscription) currentState() ChannelState {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.state
}

func (sub *channelSubscription) currentPosition() (StreamPosition, bool) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.position, sub.hasPosition && sub.history
}

func (sub *channelSubscription) endError() error {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.err
}

type subscribeResult struct {
	Recoverable  bool          `json:"recoverable"`
	Positioned   bool          `json:"positioned"`
	Epoch        string        `json:"epoch"`
	Offset       uint64        `json:"offset"`
	Recovered    bool          `json:"recovered"`
	Publications []publication `json:"publications"`
}

func (c *Client) isStopped() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopped != nil
}

// reconnectDelay is the wait before attempt n+1 after n failures: a random part of min(100ms * 2^n, 10s)
// (full jitter, so that many clients of a restarted server do not come back at once), at least 10ms.
func reconnectDelay(failures int) time.Duration {
	limit := 100 * time.Millisecond << min(failures, 7)
	limit = min(limit, 10*time.Second)
	var random [8]byte
	_, _ = rand.Read(random[:])
	n := uint64(0)
	for _, b := range random {
		n = n<<8 | uint64(b)
	}
	return 10*time.Millisecond + time.Duration(n%uint64(limit))
}

// sleepContext waits d, or less when ctx ends first (then it returns false).
func sleepContext(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Publish publishes data (marshalled with encoding/json) into channel, for the generated Publish<Channel>
// methods: the server accepts it only in a channel that lets clients publish, after checking it.
func (c *Client) Publish(ctx context.Context, channel string, data any) error {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	encoded, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("%s: publish %s: encoding the publication: %w", packageName, channel, err)
	}
	conn, err := c.connection(ctx)
	if err == nil {
		_, err = conn.command(ctx, "publish", map[string]any{"channel": channel, "data": json.RawMessage(encoded)})
	}
	if err != nil {
		return fmt.Errorf("%s: publish %s: %w", packageName, channel, err)
	}
	return nil
}

// ChannelParam returns value when it can stand for the parameter name of the channel (a dotted name) in a
// channel name, else an error wrapping ErrBadChannelParam: the generated methods check every string parameter.
func ChannelParam(channel, name, value string) (string, error) {
	if value == "" {
		return "", fmt.Errorf("%s: %s: %w: %s is empty", packageName, channel, ErrBadChannelParam, name)
	}
	for _, r := range value {
		if strings.ContainsRune(":#,{}$*&/", r) || r <= ' ' || r >= 0x7f { // Centrifugo's names are ASCII
			return "", fmt.Errorf("%s: %s: %w: %s %q holds %q, which would change the channel's meaning",
				packageName, channel, ErrBadChannelParam, name, value, r)
		}
	}
	return value, nil
}
