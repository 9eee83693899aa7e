/* ir/namer.c: case rules per target and kind, word splitting, reserved names and escaping, TS property keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ir/namer.h"

typedef struct NameCase {
    Target target;
    NameKind kind;
    const char *idl_name;
    const char *scope;
    const char *expected;
    bool expected_escaped;
} NameCase;

static void check_cases(const NameCase *cases, size_t count) {
    Arena arena;
    arena_init(&arena);
    for (size_t index = 0; index < count; index++) {
        const NameCase *c = &cases[index];
        bool escaped = !c->expected_escaped;
        const char *got = namer_identifier(&arena, c->target, c->kind, c->idl_name, c->scope, &escaped);
        if (strcmp(got, c->expected) != 0 || escaped != c->expected_escaped) {
            char message[256];
            snprintf(message, sizeof message, "%s kind %d \"%s\": got \"%s\" (escaped %d), expected \"%s\" (escaped %d)",
                     target_name(c->target), (int)c->kind, c->idl_name, got, escaped, c->expected,
                     c->expected_escaped);
            arena_free(&arena);
            fail_msg("%s", message);
        }
    }
    arena_free(&arena);
}

#define CHECK(cases) check_cases((cases), sizeof(cases) / sizeof((cases)[0]))

#define PY TARGET_PYTHON
#define TS TARGET_TYPESCRIPT
#define GO TARGET_GO

static void test_target_names(void **state) {
    (void)state;
    assert_string_equal(target_name(TARGET_PYTHON), "python");
    assert_string_equal(target_name(TARGET_TYPESCRIPT), "typescript");
    assert_string_equal(target_name(TARGET_GO), "go");
    Target target = TARGET_COUNT;
    assert_true(target_parse("python", &target));
    assert_int_equal(target, TARGET_PYTHON);
    assert_true(target_parse("typescript", &target));
    assert_int_equal(target, TARGET_TYPESCRIPT);
    assert_true(target_parse("go", &target));
    assert_int_equal(target, TARGET_GO);
    assert_false(target_parse("Go", &target));
    assert_false(target_parse("ts", &target));
    assert_false(target_parse("", &target));
}

/* PascalCase names that the conversion leaves as they are come back as the IDL's own string (a shortcut in the
 * namer); those with an initialism, an acronym or a reserved meaning still go through the conversion. */
static void test_pascal_names_kept_as_written(void **state) {
    (void)state;
    static const NameCase cases[] = {
        {GO, NAME_TYPE, "Item0", NULL, "Item0", false},
        {GO, NAME_TYPE, "TaskStatus", NULL, "TaskStatus", false},
        {GO, NAME_TYPE, "A", NULL, "A", false},
        {GO, NAME_TYPE, "Ab1C", NULL, "Ab1C", false},
        {GO, NAME_TYPE, "UserId", NULL, "UserID", false},
        {GO, NAME_TYPE, "Id", NULL, "ID", false},
        {GO, NAME_TYPE, "ApiKey", NULL, "APIKey", false},
        {GO, NAME_TYPE, "Utf8Text", NULL, "UTF8Text", false},
        {GO, NAME_TYPE, "Client", NULL, "Client_", true}, /* reserved: the escape still applies */
        {TARGET_RUST, NAME_TYPE, "UserId", NULL, "UserId", false},
        {TARGET_RUST, NAME_TYPE, "TaskDTO", NULL, "TaskDTO", false},
        {TARGET_RUST, NAME_TYPE, "Item0", NULL, "Item0", false},
        {TARGET_RUST, NAME_TYPE, "ID", NULL, "Id", false}, /* two capitals: an acronym, converted */
        {GO, NAME_TYPE, "ID", NULL, "ID", false},
        {TARGET_RUST, NAME_TYPE, "XYz", NULL, "XYz", false},
        {TARGET_RUST, NAME_TYPE, "AbC", NULL, "AbC", false},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
    Arena arena;
    arena_init(&arena);
    const char *name = "TaskStatus";
    assert_ptr_equal(namer_identifier(&arena, GO, NAME_TYPE, name, NULL, NULL), name);
    assert_ptr_equal(namer_identifier(&arena, TARGET_RUST, NAME_TYPE, name, NULL, NULL), name);
    arena_free(&arena);
}

static void test_go_pascal_case_and_initialisms(void **state) {
    (void)state;
    static const NameCase cases[] = {
        {GO, NAME_METHOD, "tasks.get_stats", NULL, "TasksGetStats", false},
        {GO, NAME_FIELD, "user_id", NULL, "UserID", false},
        {GO, NAME_FIELD, "userId", NULL, "UserID", false},
        {GO, NAME_FIELD, "userID", NULL, "UserID", false},
        {GO, NAME_FIELD, "utf8_name", NULL, "UTF8Name", false},
        {GO, NAME_FIELD, "utf8Name", NULL, "UTF8Name", false},
        {GO, NAME_FIELD, "v2_api", NULL, "V2API", false},
        {GO, NAME_FIELD, "ipv4", NULL, "Ipv4", false},
        {GO, NAME_TYPE, "HTTP_SERVER", NULL, "HTTPServer", false},
        {GO, NAME_TYPE, "HTTPServer", NULL, "HTTPServer", false},
        {GO, NAME_TYPE, "HttpServer", NULL, "HTTPServer", false},
        {GO, NAME_TYPE, "TaskStatsParams", NULL, "TaskStatsParams", false},
        {GO, NAME_TYPE, "TaskDTO", NULL, "TaskDTO", false},    /* an acronym the author wrote stays */
        {GO, NAME_TYPE, "TASK_DTO", NULL, "TaskDto", false},   /* in SCREAMING_CASE capitals say nothing */
        {GO, NAME_FIELD, "getURLs", NULL, "GetURLs", false},   /* acronym plural */
        {GO, NAME_FIELD, "userIDs", NULL, "UserIDs", false},
        {GO, NAME_FIELD, "user_ids", NULL, "UserIds", false},  /* golint's list has no plurals */
        {GO, NAME_FIELD, "json_rpc_id", NULL, "JSONRPCID", false},
        {GO, NAME_FIELD, "xml_http_request", NULL, "XMLHTTPRequest", false},
        {GO, NAME_FIELD, "https_url", NULL, "HTTPSURL", false},
        {GO, NAME_FIELD, "uuid", NULL, "UUID", false},
        {GO, NAME_FIELD, "api_key", NULL, "APIKey", false},
        {GO, NAME_TYPE, "OAuth2Token", NULL, "OAuth2Token", false},
        {GO, NAME_TYPE, "IPv4Address", NULL, "IPv4Address", false},
        {GO, NAME_FIELD, "a__b", NULL, "AB", false},           /* empty segments vanish */
        {GO, NAME_FIELD, "from_", NULL, "From", false},        /* a Python escape is not kept in Go */
        {GO, NAME_FIELD, "x", NULL, "X", false},
        {GO, NAME_FIELD, "a1b2", NULL, "A1b2", false},
        {GO, NAME_FIELD, "a1B2", NULL, "A1B2", false},
        {GO, NAME_FIELD, "v_2", NULL, "V2", false},
        {GO, NAME_METHOD, "tasks.GET_STATS", NULL, "TasksGetStats", false},
        {GO, NAME_METHOD, "a.b_c", NULL, "ABC", false},
        {GO, NAME_METHOD, "a_b.c", NULL, "ABC", false},
        {GO, NAME_FIELD, "_x", NULL, "XX", false},             /* defensive: exported names start upper-case */
        {GO, NAME_ENUM_MEMBER, "open", "TaskStatus", "TaskStatusOpen", false},
        {GO, NAME_ENUM_MEMBER, "in_progress", "TaskStatus", "TaskStatusInProgress", false},
        {GO, NAME_ENUM_MEMBER, "HTTP_SERVER", "Kind", "KindHTTPServer", false},
        {GO, NAME_ENUM_MEMBER, "id", "Kind", "KindID", false},
        {GO, NAME_ENUM_MEMBER, "open", NULL, "Open", false},
    };
    CHECK(cases);
}

static void test_python_case_rules(void **state) {
    (void)state;
    static const NameCase cases[] = {
        {PY, NAME_METHOD, "tasks.get_stats", NULL, "tasks_get_stats", false},
        {PY, NAME_METHOD, "userId", NULL, "user_id", false},
        {PY, NAME_METHOD, "HTTPServer.getURLs", NULL, "http_server_get_urls", false},
        {PY, NAME_METHOD, "a.b_c", NULL, "a_b_c", false},
        {PY, NAME_METHOD, "a_b.c", NULL, "a_b_c", false},
        {PY, NAME_METHOD, "a__b", NULL, "a_b", false},
        {PY, NAME_METHOD, "v2_api", NULL, "v2_api", false},
        {PY, NAME_METHOD, "from_", NULL, "from_", false}, /* the author's own escape is kept */
        {PY, NAME_METHOD, "users.import_", NULL, "users_import_", false},
        {PY, NAME_ENUM_MEMBER, "open", NULL, "OPEN", false},
        {PY, NAME_ENUM_MEMBER, "inProgress", NULL, "IN_PROGRESS", false},
        {PY, NAME_ENUM_MEMBER, "HTTP_SERVER", NULL, "HTTP_SERVER", false},
        {PY, NAME_ENUM_MEMBER, "HTTPServer", NULL, "HTTP_SERVER", false},
        {PY, NAME_ENUM_MEMBER, "v2_api", NULL, "V2_API", false},
        {PY, NAME_ENUM_MEMBER, "utf8", NULL, "UTF8", false},
        {PY, NAME_ENUM_MEMBER, "none", NULL, "NONE", false},
        {PY, NAME_FIELD, "userId", NULL, "userId", false}, /* fields as written */
        {PY, NAME_FIELD, "user_id", NULL, "user_id", false},
        {PY, NAME_FIELD, "a__b", NULL, "a__b", false},
        {PY, NAME_FIELD, "from_", NULL, "from_", false},
        {PY, NAME_TYPE, "TaskStatus", NULL, "TaskStatus", false},
        {PY, NAME_TYPE, "HTTP_SERVER", NULL, "HTTP_SERVER", false},
    };
    CHECK(cases);
}

static void test_typescript_case_rules(void **state) {
    (void)state;
    static const NameCase cases[] = {
        {TS, NAME_METHOD, "tasks.get_stats", NULL, "tasksGetStats", false},
        {TS, NAME_METHOD, "user_id", NULL, "userId", false},
        {TS, NAME_METHOD, "HTTP_SERVER", NULL, "httpServer", false},
        {TS, NAME_METHOD, "getURL", NULL, "getURL", false},
        {TS, NAME_METHOD, "URLShortener.create", NULL, "urlShortenerCreate", false},
        {TS, NAME_METHOD, "a.b_c", NULL, "aBC", false},
        {TS, NAME_METHOD, "v2_api", NULL, "v2Api", false},
        {TS, NAME_METHOD, "from_", NULL, "from_", false},
        {TS, NAME_ENUM_MEMBER, "inProgress", NULL, "IN_PROGRESS", false},
        {TS, NAME_ENUM_MEMBER, "open", NULL, "OPEN", false},
        {TS, NAME_TYPE, "TaskStatus", NULL, "TaskStatus", false},
        /* a field is its wire name, whatever it is: property keys may be keywords or be quoted */
        {TS, NAME_FIELD, "user_id", NULL, "user_id", false},
        {TS, NAME_FIELD, "class", NULL, "class", false},
        {TS, NAME_FIELD, "constructor", NULL, "constructor", false},
        {TS, NAME_FIELD, "user-id", NULL, "user-id", false},
        {TS, NAME_FIELD, "_x", NULL, "_x", false},
    };
    CHECK(cases);
}

static void test_python_escaping(void **state) {
    (void)state;
    static const NameCase cases[] = {
        /* keywords, soft keywords */
        {PY, NAME_FIELD, "class", NULL, "class_", true},
        {PY, NAME_FIELD, "None", NULL, "None_", true},
        {PY, NAME_FIELD, "async", NULL, "async_", true},
        {PY, NAME_FIELD, "match", NULL, "match_", true},
        {PY, NAME_FIELD, "case", NULL, "case_", true},
        {PY, NAME_FIELD, "type", NULL, "type_", true},
        {PY, NAME_METHOD, "import", NULL, "import_", true},
        {PY, NAME_METHOD, "tasks.class", NULL, "tasks_class", false},
        /* the scalar types: a field keeps the name (models.py imports the type under an alias), a type does not */
        {PY, NAME_FIELD, "date", NULL, "date", false},
        {PY, NAME_FIELD, "datetime", NULL, "datetime", false},
        {PY, NAME_FIELD, "time", NULL, "time", false},
        {PY, NAME_FIELD, "Decimal", NULL, "Decimal", false},
        {PY, NAME_TYPE, "date", NULL, "date_", true},
        {PY, NAME_TYPE, "UUID", NULL, "UUID_", true},
        /* names used in annotations or defaults inside class bodies */
        {PY, NAME_FIELD, "AwareDatetime", NULL, "AwareDatetime_", true},
        {PY, NAME_FIELD, "str", NULL, "str_", true},
        {PY, NAME_FIELD, "list", NULL, "list_", true},
        {PY, NAME_FIELD, "Field", NULL, "Field_", true},
        {PY, NAME_FIELD, "Optional", NULL, "Optional_", true},
        /* pydantic BaseModel */
        {PY, NAME_FIELD, "json", NULL, "json_", true},
        {PY, NAME_FIELD, "dict", NULL, "dict_", true},
        {PY, NAME_FIELD, "copy", NULL, "copy_", true},
        {PY, NAME_FIELD, "schema", NULL, "schema_", true},
        {PY, NAME_FIELD, "validate", NULL, "validate_", true},
        {PY, NAME_FIELD, "fields", NULL, "fields_", true},
        {PY, NAME_FIELD, "parse_obj", NULL, "parse_obj_", true},
        {PY, NAME_FIELD, "model_config", NULL, "model_config_", true},
        {PY, NAME_FIELD, "model_dump", NULL, "model_dump_", true},
        {PY, NAME_FIELD, "model_name", NULL, "model_name_", true}, /* the whole namespace */
        {PY, NAME_FIELD, "model_name_", NULL, "model_name_", false},
        {PY, NAME_FIELD, "model", NULL, "model", false},
        {PY, NAME_FIELD, "modelx", NULL, "modelx", false},
        {PY, NAME_FIELD, "deprecated", NULL, "deprecated", false},
        {PY, NAME_FIELD, "name", NULL, "name", false},
        {PY, NAME_FIELD, "id", NULL, "id", false},
        {PY, NAME_FIELD, "class_", NULL, "class_", false},
        /* types: module-level names */
        {PY, NAME_TYPE, "BaseModel", NULL, "BaseModel_", true},
        {PY, NAME_TYPE, "Enum", NULL, "Enum_", true},
        {PY, NAME_TYPE, "StrEnum", NULL, "StrEnum_", true},
        {PY, NAME_TYPE, "UUID", NULL, "UUID_", true},
        {PY, NAME_TYPE, "Decimal", NULL, "Decimal_", true},
        {PY, NAME_TYPE, "Any", NULL, "Any_", true},
        {PY, NAME_TYPE, "APIClient", NULL, "APIClient_", true},
        {PY, NAME_TYPE, "RPCError", NULL, "RPCError_", true},
        {PY, NAME_TYPE, "CentrifugoRPCClient", NULL, "CentrifugoRPCClient_", true},
        {PY, NAME_TYPE, "RPCTimeoutError", NULL, "RPCTimeoutError_", true},
        {PY, NAME_TYPE, "Transport", NULL, "Transport_", true},
        {PY, NAME_TYPE, "None", NULL, "None_", true},
        {PY, NAME_TYPE, "Task", NULL, "Task", false},
        /* methods: client members, names in the client's class body */
        {PY, NAME_METHOD, "connect", NULL, "connect_", true},
        {PY, NAME_METHOD, "close", NULL, "close_", true},
        {PY, NAME_METHOD, "call", NULL, "call_", true},
        {PY, NAME_METHOD, "list", NULL, "list_", true},
        {PY, NAME_METHOD, "deprecated", NULL, "deprecated_", true},
        {PY, NAME_METHOD, "tasks.list", NULL, "tasks_list", false},
        /* enum members are upper case: no Python keyword is */
        {PY, NAME_ENUM_MEMBER, "class", NULL, "CLASS", false},
    };
    CHECK(cases);
}

static void test_typescript_escaping(void **state) {
    (void)state;
    static const NameCase cases[] = {
        {TS, NAME_TYPE, "Date", NULL, "Date_", true},
        {TS, NAME_TYPE, "Error", NULL, "Error_", true},
        {TS, NAME_TYPE, "Record", NULL, "Record_", true},
        {TS, NAME_TYPE, "Promise", NULL, "Promise_", true},
        {TS, NAME_TYPE, "Array", NULL, "Array_", true},
        {TS, NAME_TYPE, "Map", NULL, "Map_", true},
        {TS, NAME_TYPE, "Set", NULL, "Set_", true},
        {TS, NAME_TYPE, "JSON", NULL, "JSON_", true},
        {TS, NAME_TYPE, "string", NULL, "string_", true},
        {TS, NAME_TYPE, "unknown", NULL, "unknown_", true},
        {TS, NAME_TYPE, "never", NULL, "never_", true},
        {TS, NAME_TYPE, "interface", NULL, "interface_", true},
        {TS, NAME_TYPE, "await", NULL, "await_", true},
        {TS, NAME_TYPE, "eval", NULL, "eval_", true},
        {TS, NAME_TYPE, "APIClient", NULL, "APIClient_", true},
        {TS, NAME_TYPE, "RPCError", NULL, "RPCError_", true},
        {TS, NAME_TYPE, "CentrifugoRPCClient", NULL, "CentrifugoRPCClient_", true},
        {TS, NAME_TYPE, "CentrifugoRPCClientOptions", NULL, "CentrifugoRPCClientOptions_", true},
        {TS, NAME_TYPE, "Task", NULL, "Task", false},
        {TS, NAME_TYPE, "Type", NULL, "Type", false},
        {TS, NAME_METHOD, "constructor", NULL, "constructor_", true},
        {TS, NAME_METHOD, "connect", NULL, "connect_", true},
        {TS, NAME_METHOD, "close", NULL, "close_", true},
        {TS, NAME_METHOD, "call", NULL, "call_", true},
        {TS, NAME_METHOD, "to_string", NULL, "toString_", true},
        {TS, NAME_METHOD, "delete", NULL, "delete_", true},
        {TS, NAME_METHOD, "class_", NULL, "class_", false},
        {TS, NAME_METHOD, "users.delete", NULL, "usersDelete", false},
        {TS, NAME_ENUM_MEMBER, "null", NULL, "NULL", false},
    };
    CHECK(cases);
}

static void test_go_escaping(void **state) {
    (void)state;
    static const NameCase cases[] = {
        /* methods the generated code defines on model structs */
        {GO, NAME_FIELD, "string", NULL, "String_", true},
        {GO, NAME_FIELD, "marshal_json", NULL, "MarshalJSON_", true},
        {GO, NAME_FIELD, "unmarshalJSON", NULL, "UnmarshalJSON_", true},
        {GO, NAME_FIELD, "client", NULL, "Client", false},
        /* package-level generated names */
        {GO, NAME_TYPE, "api_client", NULL, "APIClient_", true},
        {GO, NAME_TYPE, "APIClient", NULL, "APIClient_", true},
        {GO, NAME_TYPE, "RpcError", NULL, "RPCError_", true},
        {GO, NAME_TYPE, "new_api_client", NULL, "NewAPIClient_", true},
        {GO, NAME_TYPE, "Client", NULL, "Client_", true},
        {GO, NAME_TYPE, "Option", NULL, "Option_", true},
        {GO, NAME_TYPE, "ErrDisconnected", NULL, "ErrDisconnected_", true},
        {GO, NAME_TYPE, "String", NULL, "String", false},
        {GO, NAME_ENUM_MEMBER, "client", NULL, "Client_", true},
        {GO, NAME_ENUM_MEMBER, "error", "RPC", "RPCError_", true},
        /* client methods */
        {GO, NAME_METHOD, "close", NULL, "Close_", true},
        {GO, NAME_METHOD, "connect", NULL, "Connect_", true},
        {GO, NAME_METHOD, "call", NULL, "Call_", true},
        {GO, NAME_METHOD, "tasks.close", NULL, "TasksClose", false},
        /* Go keywords cannot collide with exported names */
        {GO, NAME_FIELD, "type", NULL, "Type", false},
        {GO, NAME_METHOD, "func", NULL, "Func", false},
    };
    CHECK(cases);
}

/* Channel parameters (NAME_PARAM): a keyword argument, a property of a params object, a Go parameter. */
static void test_channel_parameter_names(void **state) {
    (void)state;
    static const NameCase cases[] = {
        {PY, NAME_PARAM, "user_id", NULL, "user_id", false},
        {PY, NAME_PARAM, "roomId", NULL, "room_id", false},
        {PY, NAME_PARAM, "self", NULL, "self_", true},   /* the method's own parameter */
        {PY, NAME_PARAM, "type", NULL, "type_", true},   /* soft keyword, builtin */
        {PY, NAME_PARAM, "str", NULL, "str_", true},     /* a builtin the annotations use */
        {TS, NAME_PARAM, "user_id", NULL, "userId", false},
        {TS, NAME_PARAM, "class", NULL, "class_", true},
        {TS, NAME_PARAM, "type", NULL, "type", false},
        {GO, NAME_PARAM, "user_id", NULL, "userID", false},
        {GO, NAME_PARAM, "ID", NULL, "id", false},
        {GO, NAME_PARAM, "url_path", NULL, "urlPath", false},
        {GO, NAME_PARAM, "http_server_id", NULL, "httpServerID", false},
        {GO, NAME_PARAM, "type", NULL, "type_", true},   /* keyword */
        {GO, NAME_PARAM, "string", NULL, "string_", true}, /* would shadow the type of the next parameter */
        {GO, NAME_PARAM, "ctx", NULL, "ctx_", true},     /* the method's own parameter */
        {TARGET_RUST, NAME_PARAM, "userId", NULL, "user_id", false},
        {TARGET_RUST, NAME_PARAM, "type", NULL, "r#type", true},
    };
    CHECK(cases);
}

static void test_is_reserved_checks_final_identifier(void **state) {
    (void)state;
    static const char *const go_lowercase[] = {"func", "type", "map", "chan", "nil", "iota", "string", "any",
                                               "error", "len", "make", "clear", "min", "max", "comparable"};
    for (size_t index = 0; index < sizeof go_lowercase / sizeof *go_lowercase; index++) {
        for (int kind = 0; kind < NAME_KIND_COUNT; kind++) {
            assert_true(namer_is_reserved(TARGET_GO, (NameKind)kind, go_lowercase[index]));
        }
    }
    assert_false(namer_is_reserved(TARGET_GO, NAME_TYPE, "Func"));
    assert_true(namer_is_reserved(TARGET_PYTHON, NAME_ENUM_MEMBER, "class"));
    assert_true(namer_is_reserved(TARGET_PYTHON, NAME_ENUM_MEMBER, "True"));
    assert_false(namer_is_reserved(TARGET_PYTHON, NAME_ENUM_MEMBER, "TRUE"));
    assert_true(namer_is_reserved(TARGET_TYPESCRIPT, NAME_ENUM_MEMBER, "class"));
    /* TypeScript fields are property keys: nothing is reserved. */
    assert_false(namer_is_reserved(TARGET_TYPESCRIPT, NAME_FIELD, "class"));
    assert_false(namer_is_reserved(TARGET_TYPESCRIPT, NAME_FIELD, "constructor"));
    /* The model_ rule belongs to Python fields only. */
    assert_true(namer_is_reserved(TARGET_PYTHON, NAME_FIELD, "model_x"));
    assert_false(namer_is_reserved(TARGET_PYTHON, NAME_METHOD, "model_x"));
    assert_false(namer_is_reserved(TARGET_PYTHON, NAME_TYPE, "model_x"));
}

/* Escaping once is enough: no reserved name ends in '_'. */
static void test_escaped_names_are_free(void **state) {
    (void)state;
    static const char *const samples[] = {
        "class",  "None",      "type",    "_",         "match",         "str",          "date",      "Field",
        "json",   "model_x",   "Config",  "connect",   "constructor",   "toString",     "Date",      "string",
        "await",  "eval",      "Record",  "APIClient", "NewAPIClient",  "RPCError",     "Client",    "String",
        "Close",  "MarshalJSON", "func",  "nil",       "CentrifugoRPCClient",           "deprecated", "asyncio",
    };
    for (int target = 0; target < TARGET_COUNT; target++) {
        for (int kind = 0; kind < NAME_KIND_COUNT; kind++) {
            for (size_t index = 0; index < sizeof samples / sizeof *samples; index++) {
                char escaped[64];
                snprintf(escaped, sizeof escaped, "%s_", samples[index]);
                if (namer_is_reserved((Target)target, (NameKind)kind, escaped)) {
                    fail_msg("%s kind %d: \"%s\" is still reserved", target_name((Target)target), kind, escaped);
                }
            }
        }
    }
}

static void test_escaped_flag_is_optional(void **state) {
    (void)state;
    Arena arena;
    arena_init(&arena);
    assert_string_equal(namer_identifier(&arena, TARGET_PYTHON, NAME_FIELD, "class", NULL, NULL), "class_");
    bool escaped = true;
    assert_string_equal(namer_identifier(&arena, TARGET_PYTHON, NAME_FIELD, "label", NULL, &escaped), "label");
    assert_false(escaped);
    arena_free(&arena);
}

static void test_ts_identifier(void **state) {
    (void)state;
    assert_true(namer_is_ts_identifier("user_id"));
    assert_true(namer_is_ts_identifier("$ref"));
    assert_true(namer_is_ts_identifier("_x"));
    assert_true(namer_is_ts_identifier("a1"));
    assert_true(namer_is_ts_identifier("class"));
    assert_false(namer_is_ts_identifier(""));
    assert_false(namer_is_ts_identifier("1a"));
    assert_false(namer_is_ts_identifier("user-id"));
    assert_false(namer_is_ts_identifier("a b"));
    assert_false(namer_is_ts_identifier("a.b"));
    assert_false(namer_is_ts_identifier("caf\xc3\xa9"));
}

static void test_ts_property(void **state) {
    (void)state;
    Arena arena;
    arena_init(&arena);
    assert_string_equal(namer_ts_property(&arena, "user_id"), "user_id");
    assert_string_equal(namer_ts_property(&arena, "class"), "class");
    assert_string_equal(namer_ts_property(&arena, "$ref"), "$ref");
    assert_string_equal(namer_ts_property(&arena, "user-id"), "\"user-id\"");
    assert_string_equal(namer_ts_property(&arena, ""), "\"\"");
    assert_string_equal(namer_ts_property(&arena, "2fa"), "\"2fa\"");
    assert_string_equal(namer_ts_property(&arena, "a b"), "\"a b\"");
    assert_string_equal(namer_ts_property(&arena, "say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    assert_string_equal(namer_ts_property(&arena, "a\nb\x01"), "\"a\\nb\\x01\"");
    assert_string_equal(namer_ts_property(&arena, "ls\xe2\x80\xa8"), "\"ls\\u2028\"");
    assert_string_equal(namer_ts_property(&arena, "caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    arena_free(&arena);
}

/* Issue 22: every name the Python backend imports, Python's builtins (as type names), and TypeScript's contextual
 * keywords of type positions are reserved for types; the same words stay free where they are harmless. */
static void test_reserved_imports_builtins_and_type_keywords(void **state) {
    (void)state;
    const char *python_types[] = {"Strict", "BeforeValidator", "PlainSerializer", "TypeAdapter", "min", "eval",
                                  "property", "super", "classmethod", "NotImplemented", "TimeoutError", "Exception",
                                  "model_config", "self", "params", "data", "timeout"};
    for (size_t i = 0; i < sizeof python_types / sizeof *python_types; i++)
        assert_true(namer_is_reserved(TARGET_PYTHON, NAME_TYPE, python_types[i]));
    assert_false(namer_is_reserved(TARGET_PYTHON, NAME_TYPE, "Min"));
    assert_false(namer_is_reserved(TARGET_PYTHON, NAME_ENUM_MEMBER, "min"));
    const char *ts_types[] = {"readonly", "infer", "keyof", "unique", "as", "asserts", "is", "satisfies"};
    for (size_t i = 0; i < sizeof ts_types / sizeof *ts_types; i++)
        assert_true(namer_is_reserved(TARGET_TYPESCRIPT, NAME_TYPE, ts_types[i]));
    assert_false(namer_is_reserved(TARGET_TYPESCRIPT, NAME_ENUM_MEMBER, "readonly"));
}

/* Rust: UpperCamel types and members without Go's initialisms, snake_case fields and methods; keywords become raw
 * identifiers except the five Rust refuses as raw ones, which take the '_' suffix like reserved names. */
static void test_rust_case_rules_and_escaping(void **state) {
    (void)state;
    static const NameCase cases[] = {
        {TARGET_RUST, NAME_TYPE, "task_status", NULL, "TaskStatus", false},
        {TARGET_RUST, NAME_TYPE, "UserId", NULL, "UserId", false},
        {TARGET_RUST, NAME_TYPE, "TaskDTO", NULL, "TaskDTO", false},
        {TARGET_RUST, NAME_TYPE, "HTTP_SERVER", NULL, "HttpServer", false},
        {TARGET_RUST, NAME_TYPE, "Self", NULL, "Self_", true},
        {TARGET_RUST, NAME_TYPE, "String", NULL, "String_", true},
        {TARGET_RUST, NAME_TYPE, "Error", NULL, "Error_", true},
        {TARGET_RUST, NAME_FIELD, "userId", NULL, "user_id", false},
        {TARGET_RUST, NAME_FIELD, "type", NULL, "r#type", true},
        {TARGET_RUST, NAME_FIELD, "match", NULL, "r#match", true},
        {TARGET_RUST, NAME_FIELD, "self", NULL, "self_", true},
        {TARGET_RUST, NAME_FIELD, "crate", NULL, "crate_", true},
        {TARGET_RUST, NAME_FIELD, "from_", NULL, "from_", false},
        {TARGET_RUST, NAME_FIELD, "union", NULL, "union", false},
        {TARGET_RUST, NAME_ENUM_MEMBER, "in_progress", NULL, "InProgress", false},
        {TARGET_RUST, NAME_ENUM_MEMBER, "unknown", NULL, "Unknown_", true},
        {TARGET_RUST, NAME_METHOD, "tasks.get_stats", NULL, "tasks_get_stats", false},
        {TARGET_RUST, NAME_METHOD, "tasks.getStats", NULL, "tasks_get_stats", false},
        {TARGET_RUST, NAME_METHOD, "async", NULL, "r#async", true},
        {TARGET_RUST, NAME_METHOD, "new", NULL, "new_", true},
        {TARGET_RUST, NAME_METHOD, "super", NULL, "super_", true},
    };
    CHECK(cases);
    assert_string_equal(target_name(TARGET_RUST), "rust");
    Target target = TARGET_COUNT;
    assert_true(target_parse("rust", &target));
    assert_int_equal(target, TARGET_RUST);
    StrBuf package;
    strbuf_init(&package);
    namer_append_package_name(&package, TARGET_RUST, "my-api.v2");
    assert_string_equal(strbuf_cstr(&package), "my_api_v2_client");
    package.len = 0;
    namer_append_package_name(&package, TARGET_RUST, "2fa");
    assert_string_equal(strbuf_cstr(&package), "sdk_2fa_client");
    package.len = 0;
    namer_append_package_name(&package, TARGET_RUST, NULL);
    assert_string_equal(strbuf_cstr(&package), "api_client");
    strbuf_free(&package);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_names),
        cmocka_unit_test(test_go_pascal_case_and_initialisms),
        cmocka_unit_test(test_pascal_names_kept_as_written),
        cmocka_unit_test(test_python_case_rules),
        cmocka_unit_test(test_typescript_case_rules),
        cmocka_unit_test(test_python_escaping),
        cmocka_unit_test(test_typescript_escaping),
        cmocka_unit_test(test_go_escaping),
        cmocka_unit_test(test_rust_case_rules_and_escaping),
        cmocka_unit_test(test_channel_parameter_names),
        cmocka_unit_test(test_is_reserved_checks_final_identifier),
        cmocka_unit_test(test_escaped_names_are_free),
        cmocka_unit_test(test_escaped_flag_is_optional),
        cmocka_unit_test(test_reserved_imports_builtins_and_type_keywords),
        cmocka_unit_test(test_ts_identifier),
        cmocka_unit_test(test_ts_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
