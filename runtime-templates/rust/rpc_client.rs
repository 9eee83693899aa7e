//! The runtime of rpcc's generated Rust SDKs: RPC calls over Centrifugo's official Rust client SDK
//! (`centrifuge-client`, imported as `centrifuge`), with the JSON protocol, over either transport:
//!
//! - [`Transport::Rpc`] (the default): Centrifugo's `rpc` command, which Centrifugo proxies to the backend;
//! - [`Transport::PubSub`]: the request is published to a request channel (`rpc:requests`) and the reply arrives
//!   on the caller's own channel (`user#<id>`), matched by a random correlation id.
//!
//! The SDK reconnects with backoff and refreshes the connection token before it expires (with
//! [`ClientConfig::get_token`]); a call made while disconnected waits for the connection up to its timeout.
//! Every call has a timeout ([`ClientConfig::timeout`], or [`CallOptions::timeout`]); it is cancelled when its
//! future is dropped, or explicitly through a [`CancelToken`]. Failures are one [`Error`] enum.
//!
//! rpcc copies this file into every generated crate as `src/rpc_client.rs`.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio::sync::{oneshot, Notify};

/// The default request channel of the pub/sub transport.
pub const DEFAULT_REQUEST_CHANNEL: &str = "rpc:requests";
/// The default timeout of a call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The client name sent in the connect command.
pub const DEFAULT_NAME: &str = "rpcc-rust";
/// Centrifugo's default `websocket.message_size_limit`: the largest message it reads from a client.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 65536;

/// Why a call failed. Match on it: [`Error::Rpc`] is an error reply of the server (an application error of the
/// handler, codes 400..1999, or one of Centrifugo's: 100 internal, 101 unauthorized, 103 permission denied,
/// 104 method not found, 107 bad request, 108 not available, 109 token expired, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error.
    Rpc {
        /// The error code.
        code: u32,
        /// The message.
        message: String,
        /// The server says that the same request may succeed later.
        temporary: bool,
    },
    /// No reply within the call's timeout. The call may or may not have run on the server.
    Timeout,
    /// The call was cancelled through its [`CancelToken`].
    Cancelled,
    /// There was no connection: it was lost before the reply came, or the server refused it. The call may or
    /// may not have run on the server.
    Disconnected(String),
    /// The client was closed.
    Closed,
    /// The parameters could not be encoded as JSON.
    Encode(String),
    /// The reply does not decode into the result type: the server answers another shape than the SDK was
    /// generated for.
    BadReply(String),
    /// The client is configured wrongly (a bad URL, the pub/sub transport without a user id, ...).
    Config(String),
    /// The request is larger than the server reads ([`ClientConfig::max_message_size`]): it was not sent, and the
    /// connection and the other calls are not affected (Centrifugo would close the connection on it).
    RequestTooLarge {
        /// Bytes of the command the call would have sent (counted with the largest command id).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The rpcc bridge refused the call: the crate was generated from another version of its contract (the
    /// contract hashes differ, code 412), or from an older one (`older`, code 426: the server lists the hash as an
    /// earlier one of its own, or none was sent). Regenerate the crate; the message names both hashes.
    Contract {
        /// True when the client's contract is older than the server's.
        older: bool,
        /// The error code, 426 or 412.
        code: u32,
        /// The message.
        message: String,
    },
}

/// The codes the rpcc bridge refuses a call with when the client's contract is older than its own, or differs.
const CODE_CONTRACT_OLDER: u32 = 426;
const CODE_CONTRACT_MISMATCH: u32 = 412;
/// The member of an `rpc` call's params that carries the contract hash (the bridge takes it out).
const CONTRACT_FIELD: &str = "$contract";

impl Error {
    /// The error of a server's error reply: the contract refusals are [`Error::Contract`].
    fn server(code: u32, message: String, temporary: bool) -> Self {
        if code == CODE_CONTRACT_OLDER || code == CODE_CONTRACT_MISMATCH {
            return Self::Contract {
                older: code == CODE_CONTRACT_OLDER,
                code,
                message,
            };
        }
        Self::Rpc {
            code,
            message,
            temporary,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rpc { code, message, .. } => write!(f, "rpc error {code}: {message}"),
            Self::Timeout => f.write_str("timeout: no reply in time"),
            Self::Cancelled => f.write_str("cancelled"),
            Self::Disconnected(why) => write!(f, "disconnected: {why}"),
            Self::Closed => f.write_str("client closed"),
            Self::Encode(why) => write!(f, "encoding the parameters: {why}"),
            Self::BadReply(why) => write!(f, "bad reply: {why}"),
            Self::Config(why) => write!(f, "configuration: {why}"),
            Self::RequestTooLarge { size, limit } => write!(
                f,
                "request too large: {size} bytes, more than the server's message size limit of {limit} bytes"
            ),
            Self::Contract { code, message, .. } => write!(f, "contract refused ({code}): {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<centrifuge::Error> for Error {
    fn from(error: centrifuge::Error) -> Self {
        match error {
            centrifuge::Error::Server(reply) => {
                Self::server(reply.code, reply.message, reply.temporary)
            }
            centrifuge::Error::Timeout => Self::Timeout,
            centrifuge::Error::ClientClosed => Self::Closed,
            centrifuge::Error::Configuration(why) => Self::Config(why),
            centrifuge::Error::InvalidData(why) => Self::Encode(why),
            other => Self::Disconnected(other.to_string()),
        }
    }
}

/// How calls reach the backend.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Transport {
    /// Centrifugo's `rpc` command, proxied to the backend (the default).
    #[default]
    Rpc,
    /// Requests published to `request_channel`, replies received on `user#<user_id>`.
    PubSub {
        /// Where requests are published; [`DEFAULT_REQUEST_CHANNEL`] by default.
        request_channel: String,
        /// The user of the token; when empty, the token's `sub` claim.
        user_id: String,
    },
}

impl Transport {
    /// The pub/sub transport with the default request channel and the user of the token.
    #[must_use]
    pub fn pubsub() -> Self {
        Self::PubSub {
            request_channel: DEFAULT_REQUEST_CHANNEL.to_owned(),
            user_id: String::new(),
        }
    }
}

/// A boxed future that returns a connection token.
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;

/// Connection settings of a [`RpcClient`].
#[derive(Clone)]
pub struct ClientConfig {
    /// The WebSocket endpoint, such as `ws://localhost:8000/connection/websocket`.
    pub url: String,
    /// The connection JWT (empty for none).
    pub token: String,
    /// Called for a token before the first connect when `token` is empty, and before the token expires (the SDK
    /// refreshes the connection with it); an error is retried with backoff.
    pub get_token: Option<Arc<dyn Fn() -> TokenFuture + Send + Sync>>,
    /// How calls reach the backend.
    pub transport: Transport,
    /// The timeout of a call without its own; [`DEFAULT_TIMEOUT`] by default.
    pub timeout: Duration,
    /// The client name sent in the connect command; [`DEFAULT_NAME`] by default.
    pub name: String,
    /// The largest message the server reads, in bytes (Centrifugo's `websocket.message_size_limit`,
    /// [`DEFAULT_MAX_MESSAGE_SIZE`] by default; 0 for no limit): a larger call fails with
    /// [`Error::RequestTooLarge`] before it is sent.
    pub max_message_size: usize,
}

impl ClientConfig {
    /// Settings for `url` with a static `token`, the RPC transport and the default timeout.
    #[must_use]
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: token.into(),
            get_token: None,
            transport: Transport::Rpc,
            timeout: DEFAULT_TIMEOUT,
            name: DEFAULT_NAME.to_owned(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
        }
    }

    /// Sets the token getter (see [`ClientConfig::get_token`]).
    #[must_use]
    pub fn with_get_token<F, Fut>(mut self, get_token: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, String>> + Send + 'static,
    {
        self.get_token = Some(Arc::new(move || -> TokenFuture { Box::pin(get_token()) }));
        self
    }

    /// Sets the transport.
    #[must_use]
    pub fn with_transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// Sets the default timeout of a call.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("url", &self.url)
            .field("token", &if self.token.is_empty() { "" } else { "***" })
            .field("get_token", &self.get_token.is_some())
            .field("transport", &self.transport)
            .field("timeout", &self.timeout)
            .field("name", &self.name)
            .field("max_message_size", &self.max_message_size)
            .finish()
    }
}

/// Cancels the calls it is given to: clone it, pass it in [`CallOptions`], call [`CancelToken::cancel`].
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    inner: Arc<CancelInner>,
}

#[derive(Debug, Default)]
struct CancelInner {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelToken {
    /// A token that is not cancelled.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call waiting on this token, and every later one.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Whether [`CancelToken::cancel`] was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    async fn cancelled(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// Per-call settings.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// The call's timeout instead of the client's.
    pub timeout: Option<Duration>,
    /// Cancels the call.
    pub cancel: Option<CancelToken>,
}

#[derive(Deserialize)]
struct PubSubReply {
    #[serde(default)]
    correlation_id: String,
    #[serde(default)]
    result: Option<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    error: Option<ReplyError>,
}

#[derive(Deserialize)]
struct ReplyError {
    code: u32,
    #[serde(default)]
    message: String,
    #[serde(default)]
    temporary: bool,
}

#[derive(Serialize)]
struct PubSubRequest<'a> {
    method: &'a str,
    params: &'a serde_json::value::RawValue,
    correlation_id: &'a str,
    reply_to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    contract: Option<&'a str>,
}

/// A one-way pub/sub request: no correlation id, no reply channel, so the bridge publishes no reply.
#[derive(Serialize)]
struct OneWayRequest<'a> {
    method: &'a str,
    params: &'a serde_json::value::RawValue,
}

/// The pub/sub calls waiting for their reply, by correlation id.
type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Result<PubSubReply, Error>>>>>;

/// Fails every waiting pub/sub call: the connection they were sent on is gone, and a reply published meanwhile
/// may never come (the rpc transport's calls fail the same way, in the SDK).
fn fail_waiting(waiting: &Waiting, why: &str) {
    for (_, waiter) in lock(waiting).drain() {
        let _ = waiter.send(Err(Error::Disconnected(why.to_owned())));
    }
}

struct PubSub {
    request_channel: String,
    reply_channel: String,
    subscription: centrifuge::Subscription,
    waiting: Waiting,
}

/// A connection to Centrifugo that sends RPC calls over it. Cheap to clone: clones share the connection. Build
/// it inside a Tokio runtime; it connects at once, and again after the connection is lost, until
/// [`RpcClient::close`].
#[derive(Clone)]
pub struct RpcClient {
    client: centrifuge::Client,
    pubsub: Option<Arc<PubSub>>,
    timeout: Duration,
    max_message_size: usize,
    closed: Arc<AtomicBool>,
    /// The code and reason of the last disconnect (the SDK's `on_disconnected` event).
    disconnected: Arc<Mutex<Option<(u32, String)>>>,
    /// The contract hash sent with every call ([`RpcClient::with_contract_hash`]).
    contract: Option<&'static str>,
}

impl fmt::Debug for RpcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpcClient")
            .field("state", &self.client.state())
            .field("pubsub", &self.pubsub.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl RpcClient {
    /// Builds the client and starts connecting (inside a Tokio runtime).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for settings the SDK refuses, or the pub/sub transport without a user id.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let mut builder = centrifuge::Client::builder(config.url.clone())
            .protocol(centrifuge::Protocol::Json)
            // Events on the client's own task, in order with its state: a lost connection fails the pub/sub calls
            // waiting then, never one registered after the reconnect. Handlers must not block.
            .event_delivery(centrifuge::EventDelivery::Inline)
            .name(config.name.clone())
            .timeout(config.timeout.max(Duration::from_secs(1)));
        if !config.token.is_empty() {
            builder = builder.token(config.token.clone());
        }
        if let Some(get_token) = config.get_token.clone() {
            builder = builder.get_token(move |_context| {
                let fetch = get_token();
                async move {
                    match fetch.await {
                        Ok(token) => Ok(Some(token)),
                        Err(why) => Err(centrifuge::TokenError::Other(why.into())),
                    }
                }
            });
        }
        let disconnected: Arc<Mutex<Option<(u32, String)>>> = Arc::default();
        let waiting: Waiting = Arc::default();
        let (record, lost) = (Arc::clone(&disconnected), Arc::clone(&waiting));
        builder = builder.on_disconnected(move |_client, event| {
            fail_waiting(
                &lost,
                &format!("disconnected ({} {})", event.code, event.reason),
            );
            *lock(&record) = Some((event.code, event.reason));
        });
        let lost = Arc::clone(&waiting);
        builder = builder.on_connecting(move |_client, event| {
            fail_waiting(
                &lost,
                &format!("the connection was lost ({} {})", event.code, event.reason),
            );
        });
        let client = builder.build().map_err(Error::from)?;
        let pubsub = match &config.transport {
            Transport::Rpc => None,
            Transport::PubSub {
                request_channel,
                user_id,
            } => {
                let user = if user_id.is_empty() {
                    token_subject(&config.token)
                } else {
                    user_id.clone()
                };
                if user.is_empty() {
                    return Err(Error::Config(
                        "the pub/sub transport needs a user id or a token with a \"sub\" claim"
                            .to_owned(),
                    ));
                }
                let reply_channel = format!("user#{user}");
                let deliver = Arc::clone(&waiting);
                let subscription = client
                    .new_subscription(reply_channel.clone())
                    .on_publication(move |_subscription, event| {
                        let Ok(reply) = serde_json::from_slice::<PubSubReply>(&event.data) else {
                            return; // not a reply of this protocol: ignore it
                        };
                        let waiter = lock(&deliver).remove(&reply.correlation_id);
                        if let Some(waiter) = waiter {
                            let _ = waiter.send(Ok(reply));
                        }
                    })
                    .build()
                    .map_err(Error::from)?;
                subscription.subscribe();
                let request_channel = if request_channel.is_empty() {
                    DEFAULT_REQUEST_CHANNEL.to_owned()
                } else {
                    request_channel.clone()
                };
                Some(Arc::new(PubSub {
                    request_channel,
                    reply_channel,
                    subscription,
                    waiting,
                }))
            }
        };
        client.connect().map_err(Error::from)?;
        Ok(Self {
            client,
            pubsub,
            timeout: config.timeout,
            max_message_size: config.max_message_size,
            closed: Arc::default(),
            disconnected,
            contract: None,
        })
    }

    /// A client on the same connection whose calls carry `hash`, the contract hash of the crate's `.rpc` file (the
    /// generated `ApiClient` sets its `CONTRACT_HASH`; spec/evolution.md): over the rpc transport as the
    /// `"$contract"` member of the params, over pub/sub as the request's `contract`.
    #[must_use]
    pub fn with_contract_hash(&self, hash: &'static str) -> Self {
        let mut client = self.clone();
        client.contract = Some(hash);
        client
    }

    /// The SDK's client, for what this runtime does not wrap (events, statistics, subscriptions). The runtime
    /// handles its `on_connecting` and `on_disconnected` events (registering another replaces it; use `events()`
    /// instead), and, with the pub/sub transport, the reply channel's subscription. Events are delivered on the
    /// client's own task (`EventDelivery::Inline`): a handler must not block.
    #[must_use]
    pub fn centrifuge(&self) -> &centrifuge::Client {
        &self.client
    }

    /// Waits until the client is connected (and, with the pub/sub transport, subscribed to its reply channel).
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] when that takes longer than `timeout`.
    pub async fn ready(&self, timeout: Duration) -> Result<(), Error> {
        self.client.ready(Some(timeout)).await?;
        if let Some(pubsub) = &self.pubsub {
            pubsub.subscription.ready(Some(timeout)).await?;
        }
        Ok(())
    }

    /// Closes the connection; calls waiting for it fail with [`Error::Closed`] or [`Error::Disconnected`].
    pub async fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.client.close().await;
    }

    /// Sends one call: `params` encoded as JSON, the result decoded from JSON.
    ///
    /// # Errors
    ///
    /// See [`Error`].
    pub async fn call<P, R>(
        &self,
        method: &str,
        params: &P,
        options: &CallOptions,
    ) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        if self.closed.load(Ordering::SeqCst) {
            return Err(Error::Closed);
        }
        // The SDK stops reconnecting when the server says so (close codes 3500..3999, 4500..4999): a call would
        // wait in vain for its timeout, so it fails at once.
        if self.client.state() == centrifuge::State::Disconnected {
            let why = lock(&self.disconnected).clone();
            return Err(Error::Disconnected(why.map_or_else(
                || "the client is disconnected".to_owned(),
                |(code, reason)| format!("the server closed the connection ({code} {reason}) and asked not to reconnect"),
            )));
        }
        let data = serde_json::to_vec(params).map_err(|why| Error::Encode(why.to_string()))?;
        let timeout = options.timeout.unwrap_or(self.timeout);
        let send = self.send(method, data);
        let reply = match &options.cancel {
            Some(cancel) => tokio::select! {
                reply = tokio::time::timeout(timeout, send) => reply,
                () = cancel.cancelled() => return Err(Error::Cancelled),
            },
            None => tokio::time::timeout(timeout, send).await,
        };
        let raw = reply.map_err(|_elapsed| Error::Timeout)??;
        let raw: &[u8] = if raw.is_empty() { b"null" } else { &raw };
        serde_json::from_slice(raw).map_err(|why| Error::BadReply(format!("{method}: {why}")))
    }

    /// Sends a one-way call: returns once the command is handed to the SDK on a connected client, and never
    /// waits for the server. Over [`Transport::Rpc`] it is Centrifugo's `rpc` command, whose reply (Centrifugo
    /// always sends one) is dropped; over [`Transport::PubSub`] a publication `{"method","params"}` without
    /// `correlation_id`, to which no reply comes. The server's refusals never reach the caller.
    ///
    /// # Errors
    ///
    /// The client's own: closed, not connected within the timeout, params that do not encode, a request over
    /// the message size limit.
    pub async fn send_oneway<P>(
        &self,
        method: &str,
        params: &P,
        options: &CallOptions,
    ) -> Result<(), Error>
    where
        P: Serialize + ?Sized,
    {
        if self.closed.load(Ordering::SeqCst) {
            return Err(Error::Closed);
        }
        let data = serde_json::to_vec(params).map_err(|why| Error::Encode(why.to_string()))?;
        let timeout = options.timeout.unwrap_or(self.timeout);
        let request = match &self.pubsub {
            None => {
                self.check_size(43 + data.len() + json_string_length(method))?;
                None
            }
            Some(pubsub) => {
                let params: Box<serde_json::value::RawValue> =
                    serde_json::from_slice(&data).map_err(|why| Error::Encode(why.to_string()))?;
                let request = serde_json::to_vec(&OneWayRequest {
                    method,
                    params: &params,
                })
                .map_err(|why| Error::Encode(why.to_string()))?;
                self.check_size(47 + request.len() + json_string_length(&pubsub.request_channel))?;
                Some((pubsub.request_channel.clone(), request))
            }
        };
        self.client.ready(Some(timeout)).await?;
        // The SDK's rpc() and publish() wait for the reply; the wait runs in a task of its own, whose result
        // nobody reads. The SDK writes the command on its connection as soon as the task starts.
        let client = self.client.clone();
        let method = method.to_owned();
        drop(tokio::spawn(async move {
            let _ignored = match request {
                None => client.rpc(&method, data).await.map(drop),
                Some((channel, request)) => client.publish(&channel, request).await,
            };
        }));
        tokio::task::yield_now().await;
        Ok(())
    }

    async fn send(&self, method: &str, data: Vec<u8>) -> Result<Vec<u8>, Error> {
        let Some(pubsub) = &self.pubsub else {
            let data = with_contract(data, self.contract);
            // {"id":N,"rpc":{"data":DATA,"method":"METHOD"}}
            self.check_size(43 + data.len() + json_string_length(method))?;
            let reply = self.client.rpc(method, data).await?;
            return Ok(reply.data.to_vec());
        };
        let correlation_id = new_correlation_id();
        let params: Box<serde_json::value::RawValue> =
            serde_json::from_slice(&data).map_err(|why| Error::Encode(why.to_string()))?;
        let request = serde_json::to_vec(&PubSubRequest {
            method,
            params: &params,
            correlation_id: &correlation_id,
            reply_to: &pubsub.reply_channel,
            contract: self.contract,
        })
        .map_err(|why| Error::Encode(why.to_string()))?;
        // {"id":N,"publish":{"channel":"CHANNEL","data":REQUEST}}
        self.check_size(47 + request.len() + json_string_length(&pubsub.request_channel))?;
        // The reply may only come once the reply channel is subscribed; the waiter is registered after that, so
        // that only a later loss of the connection fails it.
        pubsub.subscription.ready(Some(self.timeout)).await?;
        let (sender, receiver) = oneshot::channel();
        lock(&pubsub.waiting).insert(correlation_id.clone(), sender);
        // Forgets the waiter however the call ends: a reply, an error, a timeout or a dropped future.
        let _forget = Forget {
            waiting: &pubsub.waiting,
            correlation_id: &correlation_id,
        };
        self.client
            .publish(&pubsub.request_channel, request)
            .await?;
        let reply = receiver
            .await
            .map_err(|_closed| Error::Disconnected("the reply channel ended".to_owned()))??;
        if let Some(error) = reply.error {
            return Err(Error::server(error.code, error.message, error.temporary));
        }
        Ok(reply
            .result
            .map_or_else(Vec::new, |raw| raw.get().as_bytes().to_vec()))
    }
}

impl RpcClient {
    /// Refuses a command of `size` bytes (counted with a ten-digit command id) beyond the server's limit.
    fn check_size(&self, size: usize) -> Result<(), Error> {
        if self.max_message_size > 0 && size > self.max_message_size {
            return Err(Error::RequestTooLarge {
                size,
                limit: self.max_message_size,
            });
        }
        Ok(())
    }
}

/// The length of `text` as a JSON string.
/// The params object `data` with the contract hash as its first member; `data` as it is without a hash or when it
/// is not an object.
fn with_contract(data: Vec<u8>, contract: Option<&str>) -> Vec<u8> {
    let Some(hash) = contract else {
        return data;
    };
    let Some(rest) = data.trim_ascii_start().strip_prefix(b"{") else {
        return data;
    };
    let rest = rest.trim_ascii_start();
    let quoted = serde_json::Value::from(hash).to_string();
    let mut out = format!("{{\"{CONTRACT_FIELD}\":{quoted}}}").into_bytes();
    if !rest.starts_with(b"}") {
        out.pop(); // the closing brace: the params' members follow
        out.push(b',');
        out.extend_from_slice(rest);
    }
    out
}

fn json_string_length(text: &str) -> usize {
    serde_json::to_string(text).map_or(text.len() + 2, |quoted| quoted.len())
}

struct Forget<'a> {
    waiting: &'a Waiting,
    correlation_id: &'a str,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        lock(self.waiting).remove(self.correlation_id);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// 128 random bits in hex, from the standard library's randomly seeded hasher (unpredictable enough for a
/// correlation id, which the server also binds to the caller's own reply channel).
fn new_correlation_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut id = String::with_capacity(32);
    for _ in 0..2 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_nanos()),
        );
        id.push_str(&format!("{:016x}", hasher.finish()));
    }
    id
}

/// The `sub` claim of a JWT, read without verifying it (the server does), or "".
fn token_subject(token: &str) -> String {
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return String::new();
    };
    let Some(payload) = base64_decode(payload.trim_end_matches('='), true) else {
        return String::new();
    };
    #[derive(Deserialize)]
    struct Claims {
        #[serde(default)]
        sub: String,
    }
    serde_json::from_slice::<Claims>(&payload).map_or_else(|_| String::new(), |claims| claims.sub)
}

const BASE64_STANDARD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Decodes base64: the standard alphabet with its padding (what `bytes` fields carry), or, for `url_safe`, the
/// URL-safe alphabet without padding (what a JWT carries).
fn base64_decode(text: &str, url_safe: bool) -> Option<Vec<u8>> {
    let data = if url_safe {
        text
    } else {
        if text.len() % 4 != 0 {
            return None;
        }
        let data = text
            .strip_suffix("==")
            .or_else(|| text.strip_suffix('='))
            .unwrap_or(text);
        if data.len() % 4 == 1 {
            return None;
        }
        data
    };
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0u32);
    for byte in data.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' if !url_safe => 62,
            b'/' if !url_safe => 63,
            b'-' if url_safe => 62,
            b'_' if url_safe => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (index, byte)| {
            n | u32::from(*byte) << (16 - 8 * index)
        });
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(char::from(
                    BASE64_STANDARD[(n >> (18 - 6 * index)) as usize & 63],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A field that may be absent, null or a value on the wire (the IDL's `x?: T | null`, and `x: T | null = v`
/// with `v` not null): the receiver tells "absent" from "null". `Absent` (the default) is left out when sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// Not on the wire.
    #[default]
    Absent,
    /// `null` on the wire.
    Null,
    /// A value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is absent (for `skip_serializing_if`).
    #[must_use]
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// The value, when there is one.
    #[must_use]
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => value.serialize(serializer),
            Self::Absent | Self::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Self::Null, Self::Value))
    }
}

/// Bytes, base64 text on the wire.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Base64Bytes(pub Vec<u8>);

impl Serialize for Base64Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64_encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64_decode(&text, false)
            .map(Self)
            .ok_or_else(|| serde::de::Error::custom("invalid base64"))
    }
}

/// A duration: ISO 8601 text on the wire (`P1DT2H3M4.5S`), kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IsoDuration(pub String);

impl IsoDuration {
    /// The duration of a non-negative `PnDTnHnMnS` text (weeks, days, hours, minutes, seconds; no years or
    /// months, whose length varies), or `None`.
    #[must_use]
    pub fn to_std(&self) -> Option<Duration> {
        let rest = self.0.strip_prefix('P')?;
        let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
        let mut seconds = 0f64;
        for (part, units) in [
            (date, &[('W', 604_800.0), ('D', 86_400.0)][..]),
            (time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)][..]),
        ] {
            let mut number = String::new();
            for c in part.chars() {
                if c.is_ascii_digit() || c == '.' || c == ',' {
                    number.push(if c == ',' { '.' } else { c });
                    continue;
                }
                let &(_, scale) = units.iter().find(|(unit, _)| *unit == c)?;
                seconds += number.parse::<f64>().ok()? * scale;
                number.clear();
            }
            if !number.is_empty() {
                return None;
            }
        }
        Duration::try_from_secs_f64(seconds).ok()
    }
}

/// Helpers the generated types call.
#[doc(hidden)]
pub mod support {
    /// Reads the discriminator `tag` of a union's JSON object.
    pub fn union_tag<E: serde::de::Error>(
        value: &serde_json::Value,
        tag: &str,
    ) -> Result<String, E> {
        match value.get(tag) {
            Some(serde_json::Value::String(tag)) => Ok(tag.clone()),
            _ => Err(E::custom(format_args!(
                "missing or non-string discriminator \"{tag}\""
            ))),
        }
    }

    /// The error for a discriminator value that names no alternative.
    pub fn unknown_tag<E: serde::de::Error>(tag: &str) -> E {
        E::custom(format_args!("unknown discriminator value {tag:?}"))
    }

    /// Decodes a union alternative from the JSON value read for the union.
    pub fn union_alternative<T: serde::de::DeserializeOwned, E: serde::de::Error>(
        value: serde_json::Value,
    ) -> Result<T, E> {
        serde_json::from_value(value).map_err(E::custom)
    }

    /// The keys of an open model's extra map that are sent: those that are no declared field's wire name. The
    /// field is sent; serde's `flatten` alone would write such a key a second time. Each open model's
    /// `serialize_extra` (its extra field's `serialize_with`) names its fields with `declared`.
    pub struct ExtraKeys<'a> {
        extra: &'a serde_json::Map<String, serde_json::Value>,
        // Only the declared names the map holds: empty, and never allocated, for a map without them.
        left_out: Vec<&'static str>,
    }

    impl<'a> ExtraKeys<'a> {
        pub fn new(extra: &'a serde_json::Map<String, serde_json::Value>) -> Self {
            Self {
                extra,
                left_out: Vec::new(),
            }
        }

        /// Leaves out the key `wire_name`, a declared field's.
        pub fn declared(&mut self, wire_name: &'static str) {
            if self.extra.contains_key(wire_name) {
                self.left_out.push(wire_name);
            }
        }
    }

    impl serde::Serialize for ExtraKeys<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            if self.left_out.is_empty() {
                return self.extra.serialize(serializer);
            }
            serializer.collect_map(
                self.extra
                    .iter()
                    .filter(|(key, _)| !self.left_out.contains(&key.as_str())),
            )
        }
    }
}
