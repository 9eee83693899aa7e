/* Per-target naming: word splitting, case rules, reserved names, escaping. See namer.h for the rules per kind.
 *
 * Reserved sets are kept minimal but complete for what the generated code does: a name is listed because
 * printing it unchanged would either not compile, or would shadow a name the generated code refers to in the
 * same scope. When a backend starts to import or define a new name, add it to the matching list below. No
 * listed name ends in '_', so appending the escape suffix once always yields a free name (a unit test checks). */
#include "namer.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/escape.h"
#include "../support/strbuf.h"
#include "../support/strmap.h"

/* ---------------------------------------------------------------------------------------------------------- */
/* Reserved names. Each list is NULL-terminated.                                                             */

/* Python 3 hard keywords: using one as a name is a SyntaxError. */
static const char *const PYTHON_KEYWORDS[] = {
    "False", "None",   "True",    "and",      "as",     "assert", "async", "await",  "break",
    "class", "continue", "def",   "del",      "elif",   "else",   "except", "finally", "for",
    "from",  "global", "if",      "import",   "in",     "is",     "lambda", "nonlocal", "not",
    "or",    "pass",   "raise",   "return",   "try",    "while",  "with",  "yield",  NULL,
};

/* Soft keywords (3.10 match/case, 3.12 type, the wildcard _): legal names, but escaped so that a generated
 * name never reads as a statement keyword, and `type` is also a builtin (see below). */
static const char *const PYTHON_SOFT_KEYWORDS[] = {"_", "case", "match", "type", NULL};

/* Names a class body of the generated models and client refers to: annotations (resolved by Pydantic and mypy
 * in the class namespace first, so a field `date: date` breaks the model), field defaults (`Field(...)`) and the
 * model configuration. A field or method of that name would shadow them. */
static const char *const PYTHON_CLASS_BODY_NAMES[] = {
    /* builtins used in annotations */
    "bool", "bytes", "dict", "float", "int", "list", "object", "set", "str", "tuple",
    /* typing */
    "Annotated", "Any", "ClassVar", "Literal", "Optional", "Union",
    /* pydantic names used inside model bodies */
    "AwareDatetime", "ConfigDict", "Field",
    NULL,
};

/* The scalar types of datetime, decimal and uuid. A field may have such a name: the models module then imports
 * the type under an alias (`from datetime import date as _date`); a type or method may not. */
static const char *const PYTHON_SCALAR_TYPE_NAMES[] = {"date", "datetime", "time", "timedelta", "Decimal", "UUID", NULL};

/* Other module-level names the generated Python modules import or define: a type of that name would replace
 * them, a client method would shadow them in the client class body (the deprecation decorator). */
static const char *const PYTHON_MODULE_NAMES[] = {
    "BaseModel", "RootModel", "TypeAdapter", "Enum", "IntEnum", "StrEnum", "deprecated",
    /* what client.py imports for APIClient's constructor overloads */
    "Awaitable", "Callable", "overload",
    /* the rest of what backends/python.c imports from pydantic (bytes, strict scalars) */
    "BeforeValidator", "PlainSerializer", "Strict",
    /* assigned in model bodies (model_config = ConfigDict(...)): a type of that name would be shadowed there */
    "model_config",
    /* the parameters and locals of the generated client's methods, which name the result and parameter types in
     * their bodies (`return self._decode(Result, data, ...)`): a type named so would be shadowed there */
    "self", "params", "data", "timeout",
    /* the generated client and the runtime (runtime-templates/python/rpc_client.py __all__) */
    "APIClient", "CentrifugoRPCClient", "RPCConnectionError", "RPCError", "RPCReplyError",
    "RPCRequestTooLargeError", "RPCTimeoutError", "Transport", "DEFAULT_MAX_MESSAGE_SIZE", "DEFAULT_REQUEST_CHANNEL",
    "ChannelParamError", "ChannelSubscription", "PublicationDecodeError", "RecoveryFailedError", "StreamPosition",
    "SubscriptionRefusedError", "SubscriptionState",
    "CONTRACT_HASH", "RPCContractMismatchError", "RPCContractOlderError",
    /* modules imported by name */
    "annotations", "asyncio", "decimal", "enum", "json", "pydantic", "sys", "typing", "uuid", "warnings",
    NULL,
};

/* Python's builtins (Python 3.10 to 3.13). A type of such a name that is used before its class is defined would
 * resolve to the builtin when pydantic evaluates the annotation at class creation (`x: min | None` before
 * `class min`), and the package would fail at import. */
static const char *const PYTHON_BUILTINS[] = {
    "ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BaseExceptionGroup", "BlockingIOError",
    "BrokenPipeError", "BufferError", "BytesWarning", "ChildProcessError", "ConnectionAbortedError",
    "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "DeprecationWarning", "EOFError",
    "Ellipsis", "EncodingWarning", "EnvironmentError", "Exception", "ExceptionGroup", "FileExistsError",
    "FileNotFoundError", "FloatingPointError", "FutureWarning", "GeneratorExit", "IOError", "ImportError",
    "ImportWarning", "IndentationError", "IndexError", "InterruptedError", "IsADirectoryError", "KeyError",
    "KeyboardInterrupt", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError", "NotADirectoryError",
    "NotImplemented", "NotImplementedError", "OSError", "OverflowError", "PendingDeprecationWarning",
    "PermissionError", "ProcessLookupError", "PythonFinalizationError", "RecursionError", "ReferenceError",
    "ResourceWarning", "RuntimeError", "RuntimeWarning", "StopAsyncIteration", "StopIteration", "SyntaxError",
    "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TimeoutError", "TypeError", "UnboundLocalError",
    "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError", "UnicodeWarning",
    "UserWarning", "ValueError", "Warning", "ZeroDivisionError",
    "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint", "bytearray", "bytes", "callable",
    "chr", "classmethod", "compile", "complex", "copyright", "credits", "delattr", "dict", "dir", "divmod",
    "enumerate", "eval", "exec", "exit", "filter", "float", "format", "frozenset", "getattr", "globals", "hasattr",
    "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass", "iter", "len", "license", "list",
    "locals", "map", "max", "memoryview", "min", "next", "object", "oct", "open", "ord", "pow", "print", "property",
    "quit", "range", "repr", "reversed", "round", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum",
    "super", "tuple", "type", "vars", "zip",
    NULL,
};

/* Attributes of pydantic.BaseModel a field may not shadow (pydantic warns, mypy rejects the override): the v1
 * API still present (deprecated) in v2, and the legacy `Config` class. The v2 API is the "model_" namespace,
 * handled as a prefix rule in python_field_prefix_reserved. */
static const char *const PYTHON_BASEMODEL_ATTRIBUTES[] = {
    "Config", "construct", "copy", "dict", "fields", "from_orm", "json", "parse_file", "parse_obj", "parse_raw",
    "schema", "schema_json", "update_forward_refs", "validate",
    NULL,
};

/* Members of the generated Python APIClient (delegating to the runtime client) that a method may not take. */
static const char *const PYTHON_CLIENT_MEMBERS[] = {"call", "close", "connect", "contract_hash", "disconnect", NULL};

/* The parameters and locals of the generated Python subscribe and publish methods besides a channel's own
 * parameters: a channel parameter of that name would shadow them. */
static const char *const PYTHON_PARAM_NAMES[] = {"self", "publication", "options", "on_publication", "on_error",
                                                 "timeout", "channel", "data", NULL};

/* ECMAScript reserved words, strict-mode reserved words (ES modules are strict), `await` (reserved in
 * modules), and `eval`/`arguments` (not bindable in strict mode: an enum is emitted as a const). */
static const char *const TS_RESERVED_WORDS[] = {
    "break",      "case",      "catch",   "class",     "const",     "continue", "debugger", "default",
    "delete",     "do",        "else",    "enum",      "export",    "extends",  "false",    "finally",
    "for",        "function",  "if",      "import",    "in",        "instanceof", "new",    "null",
    "return",     "super",     "switch",  "this",      "throw",     "true",     "try",      "typeof",
    "var",        "void",      "while",   "with",
    "implements", "interface", "let",     "package",   "private",   "protected", "public",  "static",
    "yield",      "await",     "eval",    "arguments",
    NULL,
};

/* Predefined type names TypeScript refuses as a declared type name ("Type alias name cannot be 'string'"), and
 * the contextual keywords of type positions, which do not parse as a type reference (`x: readonly;`,
 * `T[] | keyof`, `unique symbol`, `infer`, `asserts`, `is` and `as`). */
static const char *const TS_PREDEFINED_TYPES[] = {
    "any", "bigint", "boolean", "never", "number", "object", "string", "symbol", "undefined", "unknown",
    "as", "asserts", "infer", "is", "keyof", "readonly", "satisfies", "unique",
    NULL,
};

/* Globals the generated TypeScript refers to (as types or values: an enum is a const and a type, so it would
 * shadow a global value too), and the names the generated modules import or define. */
static const char *const TS_GLOBAL_AND_GENERATED_NAMES[] = {
    "Array", "ArrayBuffer", "BigInt", "Boolean", "Date", "Error", "Infinity", "JSON", "Map", "NaN", "Number",
    "Object", "Partial", "Promise", "PromiseLike", "Readonly", "ReadonlyArray", "Record", "Set", "String",
    "Symbol", "Uint8Array", "globalThis",
    /* the generated client and what index.ts re-exports from the runtime (rpc-client.ts), the centrifuge import */
    "APIClient", "CentrifugoRPCClient", "CentrifugoRPCClientOptions", "CallOptions", "RPCError", "Centrifuge",
    "RPCRequestTooLargeError", "DEFAULT_MAX_MESSAGE_SIZE", "RPCReplyError", "UnknownEnumValue", "parseJson",
    "stringifyJson", "schema", "CallHook", "CallInfo", "TRACE_FIELD", "errorKind", "setCallHook",
    "CONTRACT_HASH", "RPCContractError",
    /* what the typed channel methods use and index.ts re-exports for them (runtime-templates/typescript) */
    "ChannelSubscription", "SubscribeOptions", "SubscriptionState", "PublicationInfo", "RPCPublicationError",
    "RPCSubscriptionError", "channelString", "channelInt", "subscribeChannel",
    NULL,
};

/* Members of the generated TypeScript APIClient class, and Object.prototype members an async method must not
 * override (toString() returning a Promise would break string conversion of the client). */
static const char *const TS_CLIENT_MEMBERS[] = {
    "call", "close", "connect", "constructor", "disconnect",
    "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "toString", "valueOf",
    NULL,
};

/* The parameters and locals of the generated Go subscribe and publish methods besides a channel's own parameters
 * (the receiver, the context, the options, the channel name, the publication). */
static const char *const GO_PARAM_NAMES[] = {"c", "ctx", "opts", "channel", "publication", "data", "err", "sub", NULL};

/* Go keywords. Exported (PascalCase) names never match, but the final identifier is checked all the same. */
static const char *const GO_KEYWORDS[] = {
    "break", "case",   "chan",   "const",  "continue", "default", "defer", "else",   "fallthrough",
    "for",   "func",   "go",     "goto",   "if",       "import",  "interface", "map", "package",
    "range", "return", "select", "struct", "switch",   "type",    "var",   NULL,
};

/* Go predeclared identifiers (universe block): types, constants, zero value, builtin functions. */
static const char *const GO_PREDECLARED[] = {
    "any",     "bool",    "byte",    "comparable", "complex64", "complex128", "error",   "float32", "float64",
    "int",     "int8",    "int16",   "int32",      "int64",     "rune",       "string",  "uint",    "uint8",
    "uint16",  "uint32",  "uint64",  "uintptr",    "true",      "false",      "iota",    "nil",     "append",
    "cap",     "clear",   "close",   "complex",    "copy",      "delete",     "imag",    "len",     "make",
    "max",     "min",     "new",     "panic",      "print",     "println",    "real",    "recover", NULL,
};

/* Exported package-level names of the generated Go package (the generated client and the runtime,
 * runtime-templates/go/rpc_client.go); types and enum constants share that scope. Unexported runtime names
 * cannot collide: every generated name is exported. */
static const char *const GO_PACKAGE_NAMES[] = {
    "APIClient", "NewAPIClient", "Option", "Client", "NewClient", "RPCError", "ErrDisconnected", "ErrBadReply",
    "ErrRequestTooLarge", "RequestTooLargeError", "Nullable", "Some", "Null",
    "Ptr", "Duration", "Transport", "TransportRPC", "TransportPubSub",
    "CallInfo", "CallHook", "ErrorKind", "TraceField", "ContractHash", "ErrContractMismatch", "ErrContractOlder",
    "Batch", "NewBatch", "ErrBatchTooLarge", "DefaultMaxBatch",
    /* channel subscriptions (runtime) */
    "ChannelSubscription", "SubscribeChannel", "ChannelOption", "ChannelState", "ChannelUnsubscribed",
    "ChannelSubscribing", "ChannelSubscribed", "StreamPosition", "SubscribeError", "ErrSubscriptionRefused",
    "ErrBadChannelParam", "PublicationDecodeError", "RecoveryFailedError", "OnDecodeError", "OnRecoveryFailed",
    "OnStateChange", "Since", "ChannelParam", NULL,
};

/* Methods the generated code defines on model structs (custom JSON for optional/nullable fields, Stringer on
 * enums): a field of the same name does not compile ("field and method with the same name"). */
static const char *const GO_STRUCT_METHODS[] = {"MarshalJSON", "UnmarshalJSON", "String", NULL};

/* Methods of the generated *APIClient (and of the runtime *Client it wraps) that an RPC method may not take. */
static const char *const GO_CLIENT_METHODS[] = {"Call", "Close", "Connect", "Disconnect", NULL};

/* Rust 2021 keywords, strict and reserved (and 2024's `gen`): printed as raw identifiers (`r#type`), except the
 * ones Rust refuses as raw identifiers (RUST_NOT_RAW), which take the '_' suffix. Weak keywords (`union`, `raw`,
 * `macro_rules`) are valid identifiers. */
static const char *const RUST_KEYWORDS[] = {
    "as",     "break",    "const",    "continue", "crate",   "else",   "enum",  "extern", "false",  "fn",
    "for",    "if",       "impl",     "in",       "let",     "loop",   "match", "mod",    "move",   "mut",
    "pub",    "ref",      "return",   "self",     "Self",    "static", "struct", "super", "trait",  "true",
    "type",   "unsafe",   "use",      "where",    "while",   "async",  "await", "dyn",    "abstract", "become",
    "box",    "do",       "final",    "macro",    "override", "priv",  "typeof", "unsized", "virtual", "yield",
    "try",    "gen",      "_",        NULL,
};

/* Keywords that cannot be raw identifiers: `r#self` does not compile. */
static const char *const RUST_NOT_RAW[] = {"crate", "self", "Self", "super", "_", NULL};

/* Type names the generated crate refers to unqualified in the modules that hold the types and the client (the
 * prelude's types and variants, serde's derive macros) or defines beside them (the client and the runtime's types,
 * re-exported at the crate root): a declaration of that name would shadow them. */
static const char *const RUST_TYPE_NAMES[] = {
    "Box", "BTreeMap", "Err", "None", "Ok", "Option", "Result", "Some", "String", "Vec",
    "Deserialize", "Serialize",
    "ApiClient", "Base64Bytes", "CallOptions", "CancelToken", "ClientConfig", "Error", "IsoDuration", "Nullable",
    "RpcClient", "Transport", "CONTRACT_HASH",
    NULL,
};

/* The variant every generated Rust enum has for values this SDK does not know (open enums). */
static const char *const RUST_ENUM_MEMBER_NAMES[] = {"Unknown", NULL};

/* Methods of the generated Rust ApiClient besides the rpcs. */
static const char *const RUST_CLIENT_METHODS[] = {"close", "connect", "new", "rpc_client", "with_options", NULL};

typedef const char *const *NameList;

/* Per target and kind, a NULL-terminated array of lists. */
static const NameList PYTHON_TYPE_LISTS[] = {PYTHON_KEYWORDS,     PYTHON_SOFT_KEYWORDS,     PYTHON_CLASS_BODY_NAMES,
                                             PYTHON_SCALAR_TYPE_NAMES, PYTHON_MODULE_NAMES, PYTHON_BUILTINS, NULL};
static const NameList PYTHON_FIELD_LISTS[] = {PYTHON_KEYWORDS, PYTHON_SOFT_KEYWORDS, PYTHON_CLASS_BODY_NAMES,
                                              PYTHON_BASEMODEL_ATTRIBUTES, NULL};
static const NameList PYTHON_ENUM_MEMBER_LISTS[] = {PYTHON_KEYWORDS, PYTHON_SOFT_KEYWORDS, NULL};
static const NameList PYTHON_METHOD_LISTS[] = {PYTHON_KEYWORDS,     PYTHON_SOFT_KEYWORDS,     PYTHON_CLASS_BODY_NAMES,
                                               PYTHON_SCALAR_TYPE_NAMES, PYTHON_MODULE_NAMES, PYTHON_CLIENT_MEMBERS,
                                               NULL};
static const NameList PYTHON_PARAM_LISTS[] = {PYTHON_KEYWORDS, PYTHON_SOFT_KEYWORDS, PYTHON_CLASS_BODY_NAMES,
                                              PYTHON_PARAM_NAMES, NULL};

static const NameList TS_TYPE_LISTS[] = {TS_RESERVED_WORDS, TS_PREDEFINED_TYPES, TS_GLOBAL_AND_GENERATED_NAMES,
                                         NULL};
/* A TypeScript field is its wire name as a property key: every string is a valid key (namer_ts_property). */
static const NameList TS_FIELD_LISTS[] = {NULL};
static const NameList TS_ENUM_MEMBER_LISTS[] = {TS_RESERVED_WORDS, NULL};
static const NameList TS_METHOD_LISTS[] = {TS_RESERVED_WORDS, TS_CLIENT_MEMBERS, NULL};
/* A TypeScript parameter is a property of the params object, which the generated code may destructure. */
static const NameList TS_PARAM_LISTS[] = {TS_RESERVED_WORDS, NULL};

static const NameList GO_TYPE_LISTS[] = {GO_KEYWORDS, GO_PREDECLARED, GO_PACKAGE_NAMES, NULL};
static const NameList GO_FIELD_LISTS[] = {GO_KEYWORDS, GO_PREDECLARED, GO_STRUCT_METHODS, NULL};
static const NameList GO_ENUM_MEMBER_LISTS[] = {GO_KEYWORDS, GO_PREDECLARED, GO_PACKAGE_NAMES, NULL};
static const NameList GO_METHOD_LISTS[] = {GO_KEYWORDS, GO_PREDECLARED, GO_CLIENT_METHODS, NULL};
static const NameList GO_PARAM_LISTS[] = {GO_KEYWORDS, GO_PREDECLARED, GO_PARAM_NAMES, NULL};

static const NameList RUST_TYPE_LISTS[] = {RUST_KEYWORDS, RUST_TYPE_NAMES, NULL};
static const NameList RUST_FIELD_LISTS[] = {RUST_KEYWORDS, NULL};
static const NameList RUST_ENUM_MEMBER_LISTS[] = {RUST_KEYWORDS, RUST_ENUM_MEMBER_NAMES, NULL};
static const NameList RUST_METHOD_LISTS[] = {RUST_KEYWORDS, RUST_CLIENT_METHODS, NULL};
static const NameList RUST_PARAM_LISTS[] = {RUST_KEYWORDS, NULL};

static const NameList *const RESERVED_LISTS[TARGET_COUNT][NAME_KIND_COUNT] = {
    [TARGET_PYTHON] = {PYTHON_TYPE_LISTS, PYTHON_FIELD_LISTS, PYTHON_ENUM_MEMBER_LISTS, PYTHON_METHOD_LISTS,
                       PYTHON_PARAM_LISTS},
    [TARGET_TYPESCRIPT] = {TS_TYPE_LISTS, TS_FIELD_LISTS, TS_ENUM_MEMBER_LISTS, TS_METHOD_LISTS, TS_PARAM_LISTS},
    [TARGET_GO] = {GO_TYPE_LISTS, GO_FIELD_LISTS, GO_ENUM_MEMBER_LISTS, GO_METHOD_LISTS, GO_PARAM_LISTS},
    [TARGET_RUST] = {RUST_TYPE_LISTS, RUST_FIELD_LISTS, RUST_ENUM_MEMBER_LISTS, RUST_METHOD_LISTS, RUST_PARAM_LISTS},
};

/* golint's common initialisms: a Go word equal to one of them (ignoring case) is written in capitals. */
static const char *const GO_INITIALISMS[] = {
    "ACL", "API", "ASCII", "CPU", "CSS", "DNS", "EOF", "GUID", "HTML", "HTTP", "HTTPS", "ID", "IP", "JSON",
    "LHS", "QPS", "RAM", "RHS", "RPC", "SLA", "SMTP", "SQL", "SSH", "TCP", "TLS", "TTL", "UDP", "UI", "UID",
    "UUID", "URI", "URL", "UTF8", "VM", "XML", "XMPP", "XSRF", "XSS", NULL,
};

static bool name_in_list(NameList list, const char *identifier) {
    for (size_t index = 0; list[index]; index++) {
        if (strcmp(list[index], identifier) == 0) return true;
    }
    return false;
}

/* Every identifier of the program is looked up in the reserved lists of its target and kind (a tenth of a large
 * run once, scanning each list): all lists are merged into one hash table built once, where each name carries a
 * bit per list that holds it. */
static const NameList ALL_LISTS[] = {
    PYTHON_KEYWORDS,   PYTHON_SOFT_KEYWORDS, PYTHON_CLASS_BODY_NAMES, PYTHON_SCALAR_TYPE_NAMES, PYTHON_MODULE_NAMES,
    PYTHON_BUILTINS,   PYTHON_BASEMODEL_ATTRIBUTES, PYTHON_CLIENT_MEMBERS, TS_RESERVED_WORDS,
    TS_PREDEFINED_TYPES, TS_GLOBAL_AND_GENERATED_NAMES, TS_CLIENT_MEMBERS, GO_KEYWORDS,
    GO_PREDECLARED,    GO_PACKAGE_NAMES,     GO_STRUCT_METHODS,       GO_CLIENT_METHODS,
    RUST_KEYWORDS,     RUST_TYPE_NAMES,      RUST_ENUM_MEMBER_NAMES,  RUST_CLIENT_METHODS,
    PYTHON_PARAM_NAMES, GO_PARAM_NAMES,
    GO_INITIALISMS, /* last: GO_INITIALISMS_BIT */
};
enum { LIST_COUNT = sizeof ALL_LISTS / sizeof ALL_LISTS[0], GO_INITIALISMS_BIT = LIST_COUNT - 1 };
_Static_assert(LIST_COUNT <= 32, "a list is a bit of a uint32_t");

enum { RESERVED_SLOTS = 2048 }; /* a power of two, over three times the names */

typedef struct ReservedSlot {
    const char *name;
    uint32_t length;
    uint32_t lists; /* bit i: ALL_LISTS[i] holds the name */
} ReservedSlot;

static struct {
    ReservedSlot slots[RESERVED_SLOTS];
    uint32_t mask[TARGET_COUNT][NAME_KIND_COUNT]; /* the lists of each target and kind */
    size_t initialism_min_length, initialism_max_length; /* of GO_INITIALISMS: a word of another length is none */
    /* bit c - 'A' of initialism_first[length]: an initialism of that length starts with capital c (most words are
     * ruled out without the lookup) */
    uint32_t initialism_first[8];
} reserved;
static pthread_once_t reserved_once = PTHREAD_ONCE_INIT;

/* The hash of a NUL-terminated name (strmap's, a word at a time), with its length. */
static uint32_t name_hash(const char *name, size_t *length) {
    *length = strlen(name);
    return strmap_hash(name, *length);
}

static void reserved_build(void) {
    for (size_t list = 0; list < LIST_COUNT; list++) {
        for (const char *const *name = ALL_LISTS[list]; *name; name++) {
            size_t length;
            size_t index = name_hash(*name, &length) & (RESERVED_SLOTS - 1);
            while (reserved.slots[index].name && strcmp(reserved.slots[index].name, *name) != 0)
                index = (index + 1) & (RESERVED_SLOTS - 1);
            reserved.slots[index].name = *name;
            reserved.slots[index].length = (uint32_t)length;
            reserved.slots[index].lists |= 1u << list;
            if (list == GO_INITIALISMS_BIT) {
                if (!reserved.initialism_min_length || length < reserved.initialism_min_length)
                    reserved.initialism_min_length = length;
                if (length > reserved.initialism_max_length) reserved.initialism_max_length = length;
                if (length < sizeof reserved.initialism_first / sizeof *reserved.initialism_first)
                    reserved.initialism_first[length] |= 1u << ((*name)[0] - 'A');
                else
                    abort(); /* an initialism longer than initialism_first knows */
            }
        }
    }
    for (int target = 0; target < TARGET_COUNT; target++) {
        for (int kind = 0; kind < NAME_KIND_COUNT; kind++) {
            for (const NameList *lists = RESERVED_LISTS[target][kind]; *lists; lists++) {
                bool merged = false;
                for (size_t list = 0; list < LIST_COUNT; list++) {
                    if (ALL_LISTS[list] != *lists) continue;
                    reserved.mask[target][kind] |= 1u << list;
                    merged = true;
                }
                /* A list missing from ALL_LISTS would reserve nothing, silently. */
                if (!merged) {
                    fprintf(stderr, "rpcc: internal error: a reserved-name list of target %d is not in ALL_LISTS\n",
                            target);
                    abort();
                }
            }
        }
    }
}

/* The lists holding `identifier` (a bit per ALL_LISTS entry). */
static uint32_t reserved_lists(const char *identifier) {
    pthread_once(&reserved_once, reserved_build);
    size_t length;
    size_t index = name_hash(identifier, &length) & (RESERVED_SLOTS - 1);
    for (;;) {
        const ReservedSlot *slot = &reserved.slots[index];
        if (!slot->name) return 0;
        if (slot->length == length && memcmp(slot->name, identifier, length) == 0) return slot->lists;
        index = (index + 1) & (RESERVED_SLOTS - 1);
    }
}

/* Pydantic reserves the "model_" namespace for BaseModel's own API (model_dump, model_config, and whatever a
 * later version adds). A trailing '_' marks an escaped name: pydantic never defines one, so it is free. The
 * Python backend sets `protected_namespaces=()` so that such escaped names do not warn. */
static bool python_field_prefix_reserved(const char *identifier) {
    size_t len = strlen(identifier);
    return namer_python_is_pydantic_namespace(identifier) && identifier[len - 1] != '_';
}

bool namer_python_is_pydantic_namespace(const char *identifier) {
    return identifier[0] == 'm' && strncmp(identifier, "model_", 6) == 0; /* most names fail at once */
}

bool namer_is_reserved(Target target, NameKind kind, const char *identifier) {
    if ((unsigned)target >= TARGET_COUNT || (unsigned)kind >= NAME_KIND_COUNT) return false;
    if (reserved_lists(identifier) & reserved.mask[target][kind]) return true;
    if (target == TARGET_PYTHON && kind == NAME_FIELD) return python_field_prefix_reserved(identifier);
    return false;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Word splitting. Identifiers are ASCII: own character classes, independent of the locale.                   */

static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alnum(char c) { return is_upper(c) || is_lower(c) || is_digit(c); }
static char to_upper(char c) { return is_lower(c) ? (char)(c - 'a' + 'A') : c; }
static char to_lower(char c) { return is_upper(c) ? (char)(c - 'A' + 'a') : c; }

typedef struct Word {
    const char *start;
    size_t len;
    /* The word's dotted segment has no lowercase letter ("HTTP_SERVER"): its capitals carry no meaning. */
    bool in_screaming_segment;
} Word;

typedef struct WordCursor {
    const char *name;
    size_t pos;
    bool segment_screaming;
} WordCursor;

static bool segment_is_screaming(const char *segment) {
    for (const char *c = segment; *c && *c != '.'; c++) {
        if (is_lower(*c)) return false;
    }
    return true;
}

/* A word boundary before name[at] inside a run of letters and digits. */
static bool boundary_before(const char *name, size_t at) {
    char previous = name[at - 1], current = name[at];
    if (!is_upper(current)) return false;
    if (is_lower(previous) || is_digit(previous)) return true; /* userId, utf8Name */
    if (!is_upper(previous) || !is_lower(name[at + 1])) return false;
    /* "HTTPServer": the last capital of an acronym run starts the next word, except for an acronym's plural
     * ("URLs", "IDs", "APIsList"), where the 's' ends the acronym. */
    bool plural_s = name[at + 1] == 's' && !is_lower(name[at + 2]);
    return !plural_s;
}

static bool next_word(WordCursor *cursor, Word *word) {
    const char *name = cursor->name;
    size_t pos = cursor->pos;
    while (name[pos] && !is_alnum(name[pos])) {
        if (name[pos] == '.') cursor->segment_screaming = segment_is_screaming(name + pos + 1);
        pos++;
    }
    if (!name[pos]) {
        cursor->pos = pos;
        return false;
    }
    size_t start = pos++;
    while (is_alnum(name[pos]) && !boundary_before(name, pos)) pos++;
    word->start = name + start;
    word->len = pos - start;
    word->in_screaming_segment = cursor->segment_screaming;
    cursor->pos = pos;
    return true;
}

static void word_cursor_init(WordCursor *cursor, const char *name) {
    cursor->name = name;
    cursor->pos = 0;
    cursor->segment_screaming = segment_is_screaming(name);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Case rules                                                                                                 */

static bool is_go_initialism(const char *text, size_t len) {
    char upper[16];
    pthread_once(&reserved_once, reserved_build);
    if (len < reserved.initialism_min_length || len > reserved.initialism_max_length) return false;
    char first = to_upper(text[0]);
    if (!is_upper(first) || !((reserved.initialism_first[len] >> (first - 'A')) & 1u)) return false;
    if (len >= sizeof upper) return false;
    for (size_t index = 0; index < len; index++) upper[index] = to_upper(text[index]);
    upper[len] = '\0';
    return (reserved_lists(upper) >> GO_INITIALISMS_BIT) & 1u;
}

/* A word written in capitals (digits allowed, at least two letters) inside a mixed-case segment is an acronym
 * the author chose ("TaskDTO", "getURL"), as is its plural ("URLs"). */
static bool is_written_acronym(const Word *word) {
    if (word->in_screaming_segment) return false;
    size_t len = word->len;
    if (len >= 3 && word->start[len - 1] == 's') len--;
    size_t letters = 0;
    for (size_t index = 0; index < len; index++) {
        if (is_lower(word->start[index])) return false;
        if (is_upper(word->start[index])) letters++;
    }
    return letters >= 2;
}

static void append_lower(StrBuf *out, const Word *word) {
    for (size_t index = 0; index < word->len; index++) strbuf_putc(out, to_lower(word->start[index]));
}

static void append_upper(StrBuf *out, const Word *word) {
    for (size_t index = 0; index < word->len; index++) strbuf_putc(out, to_upper(word->start[index]));
}

static void append_capitalized(StrBuf *out, const Word *word) {
    strbuf_putc(out, to_upper(word->start[0]));
    for (size_t index = 1; index < word->len; index++) strbuf_putc(out, to_lower(word->start[index]));
}

/* A non-first word of PascalCase or camelCase. */
static void append_title_word(StrBuf *out, const Word *word, bool go_initialisms) {
    if (go_initialisms && is_go_initialism(word->start, word->len)) {
        append_upper(out, word);
    } else if (is_written_acronym(word)) { /* "DTO", "IDs" */
        strbuf_append(out, word->start, word->len);
    } else {
        append_capitalized(out, word);
    }
}

typedef enum CaseRule {
    CASE_AS_WRITTEN,
    CASE_SNAKE,       /* tasks_get_stats */
    CASE_UPPER_SNAKE, /* IN_PROGRESS */
    CASE_CAMEL,       /* tasksGetStats */
    CASE_GO_PASCAL,   /* TasksGetStats, UserID */
    CASE_GO_CAMEL,    /* userID: a Go parameter */
    CASE_PASCAL,      /* Rust: TaskStatus, UserId (no initialisms; an acronym the author wrote stays) */
} CaseRule;

static CaseRule case_rule(Target target, NameKind kind) {
    switch (target) {
    case TARGET_PYTHON:
        if (kind == NAME_ENUM_MEMBER) return CASE_UPPER_SNAKE;
        if (kind == NAME_METHOD || kind == NAME_PARAM) return CASE_SNAKE;
        return CASE_AS_WRITTEN;
    case TARGET_TYPESCRIPT:
        if (kind == NAME_ENUM_MEMBER) return CASE_UPPER_SNAKE;
        if (kind == NAME_METHOD || kind == NAME_PARAM) return CASE_CAMEL;
        return CASE_AS_WRITTEN;
    case TARGET_RUST:
        if (kind == NAME_FIELD || kind == NAME_METHOD || kind == NAME_PARAM) return CASE_SNAKE;
        return CASE_PASCAL;
    case TARGET_GO:
        if (kind == NAME_PARAM) return CASE_GO_CAMEL;
        break;
    case TARGET_COUNT:
        break;
    }
    return CASE_GO_PASCAL;
}

static bool ends_with_underscore(const char *name) {
    size_t len = strlen(name);
    return len > 0 && name[len - 1] == '_';
}

/* Appends `name` converted by `rule`; returns false if the name holds no word at all. */
static bool append_converted(StrBuf *out, CaseRule rule, const char *name) {
    WordCursor cursor;
    word_cursor_init(&cursor, name);
    Word word;
    size_t words = 0;
    while (next_word(&cursor, &word)) {
        switch (rule) {
        case CASE_SNAKE:
            if (words) strbuf_putc(out, '_');
            append_lower(out, &word);
            break;
        case CASE_UPPER_SNAKE:
            if (words) strbuf_putc(out, '_');
            append_upper(out, &word);
            break;
        case CASE_CAMEL:
            if (words) {
                append_title_word(out, &word, false);
            } else {
                append_lower(out, &word);
            }
            break;
        case CASE_GO_PASCAL:
            append_title_word(out, &word, true);
            break;
        case CASE_GO_CAMEL:
            if (words) {
                append_title_word(out, &word, true);
            } else {
                append_lower(out, &word);
            }
            break;
        case CASE_PASCAL:
            append_title_word(out, &word, false);
            break;
        case CASE_AS_WRITTEN:
            break;
        }
        words++;
    }
    /* A trailing '_' is the author's own escape ("from_"): snake, upper snake and camel case keep it, so the
     * name reads the same in Python and TypeScript. Go exported names need no escape and avoid underscores. */
    if (words && rule != CASE_GO_PASCAL && rule != CASE_PASCAL && ends_with_underscore(name)) strbuf_putc(out, '_');
    return words > 0;
}

/* True when PascalCase conversion (Go's with its initialisms when `go`) leaves `name` as it is: a capital, then
 * words that each start with one capital followed by lowercase letters and digits ("Item0", "TaskStatus"), none of
 * them a Go initialism in Go ("UserId" becomes "UserID"). Such a word is one word to the splitter and
 * append_title_word writes it back unchanged. */
static bool pascal_as_written(const char *name, bool go) {
    if (!is_upper(name[0])) return false;
    size_t word_start = 0;
    for (size_t i = 1;; i++) {
        char c = name[i];
        if (c && !is_upper(c)) {
            if (!is_lower(c) && !is_digit(c)) return false;
            continue;
        }
        /* A capital after a capital ("ID", "HTTPServer", "IDs") makes an acronym: the splitter's own rules apply
         * (Rust writes "ID" as "Id"). */
        if (c && is_upper(name[i - 1])) return false;
        if (go && is_go_initialism(name + word_start, i - word_start)) return false;
        if (!c) return true;
        word_start = i;
    }
}

static void convert(StrBuf *identifier_buffer, CaseRule rule, NameKind kind, const char *idl_name, const char *scope);
static const char *finish(Arena *arena, Target target, NameKind kind, const char *text, size_t length,
                          const char *idl_name, bool *escaped);

const char *namer_identifier(Arena *arena, Target target, NameKind kind, const char *idl_name, const char *scope,
                             bool *escaped) {
    CaseRule rule = case_rule(target, kind);
    /* Most names are kept as written and reserve nothing (Python's and TypeScript's types and fields, the Go and
     * Rust names of PascalCase types): the IDL's own string, without building a copy to compare with it. The caller's
     * idl_name must therefore live as long as the names (ir/check_names.c allocates the derived `subscribe_x` and
     * `publish_x` with the IR for this reason). */
    if ((rule == CASE_AS_WRITTEN || (rule == CASE_PASCAL && pascal_as_written(idl_name, false)) ||
         (rule == CASE_GO_PASCAL && !(kind == NAME_ENUM_MEMBER && scope) && pascal_as_written(idl_name, true))) &&
        !namer_is_reserved(target, kind, idl_name)) {
        if (escaped) *escaped = false;
        return idl_name;
    }
    StrBuf identifier;
    strbuf_init(&identifier);
    convert(&identifier, rule, kind, idl_name, scope);
    const char *result = finish(arena, target, kind, strbuf_cstr(&identifier), identifier.len, idl_name, escaped);
    strbuf_free(&identifier);
    return result;
}

/* `idl_name` converted by `rule` (the enum's Go name before a Go member's words), before any escape. */
static void convert(StrBuf *identifier_buffer, CaseRule rule, NameKind kind, const char *idl_name, const char *scope) {
    StrBuf identifier = *identifier_buffer;
    if (rule == CASE_GO_PASCAL) {
        if (kind == NAME_ENUM_MEMBER && scope) strbuf_puts(&identifier, scope);
        size_t prefix_len = identifier.len;
        bool has_words = append_converted(&identifier, rule, idl_name);
        /* An exported Go name must start with a capital letter: "_x" or "2fa" get protoc-gen-go's 'X'. */
        bool starts_with_letter = has_words && !is_digit(idl_name[0]) && idl_name[0] != '_';
        if (!starts_with_letter && prefix_len == 0) {
            StrBuf prefixed;
            strbuf_init(&prefixed);
            strbuf_putc(&prefixed, 'X');
            strbuf_append(&prefixed, strbuf_cstr(&identifier), identifier.len);
            strbuf_free(&identifier);
            identifier = prefixed;
        }
    } else if (rule == CASE_AS_WRITTEN || !append_converted(&identifier, rule, idl_name)) {
        strbuf_puts(&identifier, idl_name);
    }
    *identifier_buffer = identifier;
}

/* The identifier from its conversion `text` (NUL-terminated): escaped when reserved, the IDL's own string when the
 * same, else a copy in `arena`. */
static const char *finish(Arena *arena, Target target, NameKind kind, const char *text, size_t length,
                          const char *idl_name, bool *escaped) {
    bool needs_escape = namer_is_reserved(target, kind, text);
    if (escaped) *escaped = needs_escape;
    if (needs_escape && target == TARGET_RUST && name_in_list(RUST_KEYWORDS, text) && !name_in_list(RUST_NOT_RAW, text)) {
        /* A Rust keyword becomes a raw identifier, which serde and rustdoc show without the "r#". */
        char *raw = arena_alloc(arena, length + 3);
        memcpy(raw, "r#", 2);
        memcpy(raw + 2, text, length + 1);
        return raw;
    }
    if (needs_escape) {
        char *suffixed = arena_alloc(arena, length + 2);
        memcpy(suffixed, text, length);
        suffixed[length] = '_';
        suffixed[length + 1] = '\0';
        return strcmp(suffixed, idl_name) == 0 ? idl_name : suffixed;
    }
    /* Most names come out as written (Python and TypeScript fields, types): share the IDL's string then. */
    return strcmp(text, idl_name) == 0 ? idl_name : arena_strndup(arena, text, length);
}

/* namer_is_reserved, with the lists of `identifier` already looked up. */
static bool reserved_given_lists(uint32_t lists, Target target, NameKind kind, const char *identifier) {
    if (lists & reserved.mask[target][kind]) return true;
    return target == TARGET_PYTHON && kind == NAME_FIELD && python_field_prefix_reserved(identifier);
}

void namer_identifiers(Arena *arena, NameKind kind, const char *idl_name, const char *go_scope,
                       const char *out[TARGET_COUNT]) {
    uint32_t lists = reserved_lists(idl_name); /* one lookup for every target that keeps the name as written */
    int pascal = -1, go_pascal = -1;           /* pascal_as_written without and with Go's initialisms, when asked */
    StrBuf converted[TARGET_COUNT];            /* a target's conversion before its escape, where it was made */
    int converted_rule[TARGET_COUNT] = {-1, -1, -1, -1};
    _Static_assert(TARGET_COUNT == 4, "converted_rule has an initializer per target");
    for (int t = 0; t < TARGET_COUNT; t++) {
        Target target = (Target)t;
        CaseRule rule = case_rule(target, kind);
        const char *scope = target == TARGET_GO ? go_scope : NULL;
        bool as_written = rule == CASE_AS_WRITTEN;
        if (rule == CASE_PASCAL || (rule == CASE_GO_PASCAL && !(kind == NAME_ENUM_MEMBER && scope))) {
            if (pascal < 0) pascal = pascal_as_written(idl_name, false);
            if (rule == CASE_PASCAL) {
                as_written = pascal;
            } else {
                /* Go's test is the same with each word also not an initialism */
                if (go_pascal < 0) go_pascal = pascal && pascal_as_written(idl_name, true);
                as_written = go_pascal;
            }
        }
        if (as_written && !reserved_given_lists(lists, target, kind, idl_name)) {
            out[t] = idl_name;
            continue;
        }
        /* What namer_identifier does past its shortcut, the conversion shared by targets with the same rule
         * (Python's and Rust's snake_case of a method); only the escape differs between them. */
        int same_rule = 0;
        while (same_rule < t && !(converted_rule[same_rule] == (int)rule && !scope)) same_rule++;
        if (same_rule == t) {
            strbuf_init(&converted[t]);
            convert(&converted[t], rule, kind, idl_name, scope);
            converted_rule[t] = scope ? -2 : (int)rule; /* -2: made, not to be shared */
        }
        StrBuf *text = &converted[same_rule];
        const char *identifier = finish(arena, target, kind, strbuf_cstr(text), text->len, idl_name, NULL);
        /* Python's and Rust's snake_case of a method are often the same text: one string for both. */
        for (int u = 0; u < t; u++) {
            if (out[u] != idl_name && strcmp(out[u], identifier) == 0) {
                identifier = out[u];
                break;
            }
        }
        out[t] = identifier;
    }
    for (int t = 0; t < TARGET_COUNT; t++)
        if (converted_rule[t] != -1) strbuf_free(&converted[t]);
}

const char *namer_go_member_words(Arena *arena, const char *idl_name) {
    StrBuf words;
    strbuf_init(&words);
    append_converted(&words, CASE_GO_PASCAL, idl_name);
    const char *result = arena_strndup(arena, strbuf_cstr(&words), words.len);
    strbuf_free(&words);
    return result;
}

const char *namer_go_enum_member(Arena *arena, const char *scope, const char *words, const char *idl_name) {
    /* What namer_identifier does for a Go member with a scope: the scope, the member's words, and the escape
     * suffix when that is reserved (a Go name is never a Rust keyword). */
    if (!scope[0]) return namer_identifier(arena, TARGET_GO, NAME_ENUM_MEMBER, idl_name, scope, NULL);
    size_t scope_length = strlen(scope), words_length = strlen(words);
    char *identifier = arena_alloc(arena, scope_length + words_length + 2);
    memcpy(identifier, scope, scope_length);
    memcpy(identifier + scope_length, words, words_length + 1);
    if (namer_is_reserved(TARGET_GO, NAME_ENUM_MEMBER, identifier)) {
        identifier[scope_length + words_length] = '_';
        identifier[scope_length + words_length + 1] = '\0';
    }
    return strcmp(identifier, idl_name) == 0 ? idl_name : identifier;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* TypeScript property keys                                                                                   */

static bool is_ts_identifier_start(char c) { return is_upper(c) || is_lower(c) || c == '_' || c == '$'; }

bool namer_is_ts_identifier(const char *name) {
    if (!is_ts_identifier_start(name[0])) return false;
    for (const char *c = name + 1; *c; c++) {
        if (!is_ts_identifier_start(*c) && !is_digit(*c)) return false;
    }
    return true;
}

const char *namer_ts_property(Arena *arena, const char *wire_name) {
    if (namer_is_ts_identifier(wire_name)) return wire_name;
    StrBuf quoted;
    strbuf_init(&quoted);
    escape_string_literal(&quoted, TARGET_TYPESCRIPT, wire_name, strlen(wire_name));
    const char *result = arena_strndup(arena, strbuf_cstr(&quoted), quoted.len);
    strbuf_free(&quoted);
    return result;
}

bool namer_is_go_module_path(const char *path) {
    if (path[0] == '-') return false;
    const char *element = path;
    for (;;) {
        size_t length = strcspn(element, "/");
        if (length == 0 || element[0] == '.' || element[length - 1] == '.') return false;
        for (size_t index = 0; index < length; index++) {
            char c = element[index];
            if (!is_lower(c) && !is_upper(c) && !is_digit(c) && !strchr("-._~", c)) return false;
        }
        if (!element[length]) return true;
        element += length + 1;
    }
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Package names                                                                                              */

void namer_append_package_name(StrBuf *out, Target target, const char *base) {
    bool given = base && base[0];
    switch (target) {
    case TARGET_PYTHON:
        /* An importable name whatever --package-name says: [a-z0-9_], not starting with a digit. */
        if (!given) base = "api";
        if (is_digit(base[0])) strbuf_putc(out, '_');
        for (const char *c = base; *c; c++) strbuf_putc(out, is_alnum(*c) ? to_lower(*c) : '_');
        strbuf_puts(out, "_client");
        break;
    case TARGET_TYPESCRIPT: {
        size_t start = out->len;
        for (const char *c = given ? base : ""; *c; c++) {
            if (is_lower(*c) || is_digit(*c)) {
                strbuf_putc(out, *c);
            } else if (out->len > start && out->data[out->len - 1] != '-') {
                strbuf_putc(out, '-'); /* npm names may not start with '_' or '-' */
            }
        }
        if (out->len == start || out->data[out->len - 1] != '-') strbuf_putc(out, '-');
        strbuf_puts(out, "client");
        break;
    }
    case TARGET_GO: {
        if (!given) {
            strbuf_puts(out, "opensdk");
            break;
        }
        size_t start = out->len;
        if (is_digit(base[0])) strbuf_puts(out, "sdk");
        for (const char *c = base; *c; c++) strbuf_putc(out, is_lower(*c) || is_digit(*c) || *c == '_' ? *c : '_');
        const char *name = out->data + start;
        if (name_in_list(GO_KEYWORDS, name) || strcmp(name, "_") == 0) strbuf_putc(out, '_');
        break;
    }
    case TARGET_RUST:
        /* A cargo package name that is also the library's name in code: [a-z0-9_], starting with a letter. */
        if (!given) base = "api";
        if (is_digit(base[0]) || base[0] == '_') strbuf_puts(out, "sdk_");
        for (const char *c = base; *c; c++) strbuf_putc(out, is_alnum(*c) ? to_lower(*c) : '_');
        strbuf_puts(out, "_client");
        break;
    case TARGET_COUNT: break;
    }
}

void namer_append_python_distribution(StrBuf *out, const char *base) {
    for (const char *c = base && base[0] ? base : "api"; *c; c++) strbuf_putc(out, is_alnum(*c) ? to_lower(*c) : '-');
    strbuf_puts(out, "-client");
}
