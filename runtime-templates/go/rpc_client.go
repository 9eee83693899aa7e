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
	ID      uint32         `json:"id,omitempty"`
	Error   *replyError    `json:"error,omitempty"`
	Connect *connectResult `json:"connect,omitempty"`
	Refresh *connectResult `json:"refresh,omitempty"`
	RPC     *rpcResult     `json:"rpc,omitempty"`
	Push    *push          `json:"push,omitempty"`
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
	Channel string `json:"channel"`
	Pub     *struct {
		Data json.RawMessage `json:"data"`
	} `json:"pub"`
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
	waiting map[string]chan pubsubReply // correlation id -> its pubsub reply
	err     error                       // why the connection ended; set before done is closed
	done    chan struct{}
	refresh *time.Timer
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

// Call sends one RPC call and decodes the result into result (a pointer; nil to discard it). params is
// marshalled with encoding/json; nil sends an empty object.
func (c *Client) Call(ctx context.Context, method string, params, result any) error {
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
	if result != nil && len(raw) > 0 {
		if err := decodeResult(raw, result); err != nil {
			return fmt.Errorf("%s: %s: %w: decoding result: %w", packageName, method, ErrBadReply, err)
		}
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
		waiting: make(map[string]chan pubsubReply),
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
		conn.mu.Unlock()
		if waiter != nil {
			waiter <- &message
		}
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
	id := conn.client.nextID.Add(1)
	message, err := json.Marshal(map[string]any{"id": id, kind: body})
	if err != nil {
		return nil, err
	}
	// Centrifugo closes the connection on a message over its limit, failing every call on it: refuse this one.
	// One command is one WebSocket message (the writer never batches), so len(message) is what the server counts.
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
	conn.mu.Unlock()
	forget := func() {
		conn.mu.Lock()
		delete(conn.pending, id)
		conn.mu.Unlock()
	}
	if err := conn.send(ctx, message); err != nil {
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
