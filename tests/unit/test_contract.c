/* Contract evolution: SHA-256 (support/sha256.c), the canonical contract text and its hash (ir/contract.c), and
 * the breaking-change comparison's options and directions (ir/compare.c; tests/breaking/ holds the exact reports). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ir/compare.h"
#include "ir/contract.h"
#include "support.h"
#include "support/sha256.h"

/* FIPS 180-4 example vectors, and a message that fills a block exactly where padding needs a second one. */
static void test_sha256_vectors(void **state) {
    (void)state;
    char hex[65];
    sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(two_blocks, strlen(two_blocks), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in pieces that do not align with blocks */
    Sha256 sha;
    sha256_init(&sha);
    char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    size_t left = 1000000;
    while (left) {
        size_t take = left < sizeof chunk ? left : sizeof chunk;
        sha256_update(&sha, chunk, take);
        left -= take;
    }
    unsigned char digest[32];
    sha256_final(&sha, digest);
    static const unsigned char expected[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
                                               0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
                                               0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    assert_memory_equal(digest, expected, 32);
}

static char *canonical(Compiled *compiled, const char *text) {
    assert_compiles(compiled, text);
    StrBuf out;
    strbuf_init(&out);
    ir_contract_canonical(compiled->program, &out);
    char *result = strdup(strbuf_cstr(&out));
    strbuf_free(&out);
    return result;
}

static void test_canonical_text(void **state) {
    (void)state;
    Compiled c;
    char *text = canonical(&c, "/// docs are not on the wire\n"
                               "rpc b.get(Q) -> R @deprecated;\n"
                               "rpc a.ping() -> R;\n"
                               "type Id = int;\n"
                               "model R { z: list<S> | null; a?: Id @range(ge: 1); w: float = 1.0 @json(\"W\"); }\n"
                               "enum S: string { x = \"x\"; b; }\n"
                               "model Q { kind: \"b\" | \"a\"; m: map<S, S> = {}; }\n");
    assert_string_equal(text, "rpcc-contract 1\n"
                              "method \"a.ping\" #1 -> #2\n"
                              "method \"b.get\" #3 -> #2\n"
                              "#1 model {}\n"
                              "#2 model {\"W\": default 1 float, \"a\": optional int @range(ge: 1), "
                              "\"z\": required nullable<list<#4>>}\n"
                              "#3 model {\"kind\": required literal[\"a\", \"b\"], \"m\": default {} map<#4, #4>}\n"
                              "#4 enum string [\"b\", \"x\"]\n");
    free(text);
    compiled_free(&c);
}

static void hash_of(const char *text, char hash[72]) {
    Compiled c;
    assert_compiles(&c, text);
    ir_contract_hash(c.program, hash);
    compiled_free(&c);
}

static void test_hash_ignores_names_and_order(void **state) {
    (void)state;
    char a[72], b[72], wire[72];
    hash_of("model P { id: int; name: string; }\nenum E: int { one = 1; two = 2; }\n"
            "model R { e: E; p: P; }\nrpc x.get(P) -> R;\n",
            a);
    hash_of("// another layout\nrpc x.get(Params) -> Result;\nmodel Result { p: Params; e: Numbers; }\n"
            "enum Numbers: int { two = 2; uno = 1; }\nmodel Params { name: string; id: int; }\n",
            b);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), 7 + 64);
    assert_memory_equal(a, "sha256:", 7);
    hash_of("model P { id: int; name: string @json(\"n\"); }\nenum E: int { one = 1; two = 2; }\n"
            "model R { e: E; p: P; }\nrpc x.get(P) -> R;\n",
            wire);
    assert_string_not_equal(a, wire);
}

/* The hash is the SHA-256 of the canonical text even when the text is hashed in chunks as it is written
 * (ir_contract_hash never holds it whole): a program whose text is many chunks long, with sorted lists, nested
 * defaults and tagged unions on every line. */
static void test_hash_of_a_long_text(void **state) {
    (void)state;
    StrBuf program;
    strbuf_init(&program);
    for (int i = 0; i < 400; i++)
        strbuf_printf(&program,
                      "enum E%d: string { z%d; a%d; m; }\n"
                      "model A%d { kind: \"a%d\" | \"z\"; x: int @range(ge: -%d, lt: 1e%d); }\n"
                      "model B%d { kind: \"b%d\"; tags: map<string, list<int>> = {\"q\": [%d], \"b\": []}; }\n"
                      "type U%d = A%d | B%d @discriminator(\"kind\");\n"
                      "model P%d { e: E%d; u: U%d; s: string = \"\\u00e9\\\"%d\" @length(min: 1, max: %d); }\n"
                      "rpc m%d.call(P%d) -> A%d;\n",
                      i, i, i, i, i, i, i % 300, i, i, i, i, i, i, i, i, i, i, i + 10, i, i, i);
    Compiled c;
    char *text = canonical(&c, strbuf_cstr(&program));
    assert_true(strlen(text) > 4 * 16384);
    char expected[72] = "sha256:", hash[72];
    sha256_hex(text, strlen(text), expected + 7);
    ir_contract_hash(c.program, hash);
    assert_string_equal(hash, expected);
    free(text);
    compiled_free(&c);
    strbuf_free(&program);
}

static void test_canonical_channels(void **state) {
    (void)state;
    Compiled c;
    char *text = canonical(&c, "model M { x: int; }\nmodel N { y: int; }\ntype Event = M;\n"
                               "channel z.room(room: int, who: string) \"rooms:r.{room}#{who}\" -> Event @publish;\n"
                               "channel a.feed() \"feed\" -> M | N @history(size: 10, ttl: 60) @subscribe(\"any\");\n");
    /* Sorted by pattern, placeholders as their types, aliases seen through, options always written. */
    assert_string_equal(text, "rpcc-contract 1\n"
                              "channel \"feed\" -> #1 history(size: 10, ttl: 60) subscribe \"any\"\n"
                              "channel \"rooms:r.{int}#{string}\" -> #2 publish subscribe \"user\"\n"
                              "#1 union [#2, #3]\n"
                              "#2 model {\"x\": required int}\n"
                              "#3 model {\"y\": required int}\n");
    free(text);
    compiled_free(&c);
}

static void test_channel_hash_follows_the_wire(void **state) {
    (void)state;
    const char *base = "model M { x: int; }\nchannel a.b(room: int) \"ns:r.{room}\" -> M;\n";
    char reference[72], other[72];
    hash_of(base, reference);
    /* Not on the wire: the channel's name, its parameter's name, docs, @deprecated, an alias. */
    hash_of("model Msg { x: int; }\ntype T = Msg;\n/// doc\nchannel c.d(id: int) \"ns:r.{id}\" -> T @deprecated;\n",
            other);
    assert_string_equal(reference, other);
    /* On the wire: the pattern, a parameter's type, the publication type, each option. */
    const char *const changes[] = {
        "model M { x: int; }\nchannel a.b(room: int) \"ns:s.{room}\" -> M;\n",
        "model M { x: int; }\nchannel a.b(room: string) \"ns:r.{room}\" -> M;\n",
        "model M { x: string; }\nchannel a.b(room: int) \"ns:r.{room}\" -> M;\n",
        "model M { x: int; }\nchannel a.b(room: int) \"ns:r.{room}\" -> M @publish;\n",
        "model M { x: int; }\nchannel a.b(room: int) \"ns:r.{room}\" -> M @subscribe(\"any\");\n",
        "model M { x: int; }\nchannel a.b(room: int) \"ns:r.{room}\" -> M @history(size: 1, ttl: 1);\n",
        "model M { x: int; }\nchannel a.b(room: int) \"ns:r.{room}\" -> M;\nchannel c.d() \"ns:x\" -> M;\n",
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        hash_of(changes[i], other);
        if (strcmp(reference, other) == 0) fail_msg("the hash did not change for:\n%s", changes[i]);
    }
}

/* Runs the comparison and returns the messages printed. */
static char *compare(const char *old_text, const char *new_text, const BreakingOptions *options, size_t *findings) {
    Compiled old_compiled, new_compiled;
    compile_text(&old_compiled, "old.rpc", old_text);
    compile_text(&new_compiled, "new.rpc", new_text);
    assert_non_null(old_compiled.program);
    assert_non_null(new_compiled.program);
    char *messages = NULL;
    size_t size = 0;
    FILE *sink = open_memstream(&messages, &size);
    Diagnostics diags;
    diag_init(&diags, sink, DIAG_FORMAT_TEXT, false);
    Arena arena;
    arena_init(&arena);
    *findings = ir_compare_programs(old_compiled.program, new_compiled.program, options, &arena, &diags);
    diag_flush(&diags);
    diag_free(&diags);
    arena_free(&arena);
    fclose(sink);
    compiled_free(&old_compiled);
    compiled_free(&new_compiled);
    return messages;
}

static const char *const old_api = "model P { limit: int; }\nmodel R { note: string; }\nrpc t.list(P) -> R;\n";
static const char *const new_api = "model P { limit: int = 1; }\nmodel R { note: string | null; }\nrpc t.list(P) -> R;\n";

static void test_compare_directions(void **state) {
    (void)state;
    BreakingOptions options = {BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS, {false}};
    size_t findings;
    char *messages = compare(old_api, new_api, &options, &findings);
    assert_int_equal(findings, 2);
    assert_non_null(strstr(messages, "field 'limit' of model 'P' may now be left out: breaks new clients of an old server"));
    assert_non_null(strstr(messages, "field 'note' of model 'R' may now be null: breaks old clients of the new server"));
    free(messages);

    options.directions = BREAKS_OLD_CLIENTS;
    messages = compare(old_api, new_api, &options, &findings);
    assert_int_equal(findings, 1);
    assert_null(strstr(messages, "'limit'"));
    free(messages);

    options.directions = BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS;
    options.excluded[BREAKING_FIELD_NOW_OPTIONAL] = true;
    messages = compare(old_api, new_api, &options, &findings);
    assert_int_equal(findings, 1);
    assert_null(strstr(messages, "'limit'"));
    free(messages);
}

/* Presence changes of a result field break no one: servers write every field of a result (the bridge serializes the
 * whole model), so the old server sent a field that must now be given, and the new one still sends a field that may
 * now be left out. They were once reported as field-now-required / field-now-optional. */
static void test_result_presence_breaks_no_one(void **state) {
    (void)state;
    BreakingOptions options = {BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS, {false}};
    size_t findings;
    const char *optional = "model P { a: int; }\nmodel R { x?: int; y: int = 1; z: int; }\nrpc t.get(P) -> R;\n";
    const char *required = "model P { a: int; }\nmodel R { x: int; y: int; z: int = 2; }\nrpc t.get(P) -> R;\n";
    char *messages = compare(optional, required, &options, &findings);
    assert_int_equal(findings, 0);
    free(messages);
    messages = compare(required, optional, &options, &findings);
    assert_int_equal(findings, 0);
    free(messages);
    /* The same model as parameters: each change is reported. */
    const char *optional_params = "model P { x?: int; y: int = 1; }\nmodel R { a: int; }\nrpc t.get(P) -> R;\n";
    const char *required_params = "model P { x: int; y: int; }\nmodel R { a: int; }\nrpc t.get(P) -> R;\n";
    messages = compare(optional_params, required_params, &options, &findings);
    assert_int_equal(findings, 2);
    assert_non_null(strstr(messages, "field 'x' of model 'P' must now be given: breaks old clients of the new server"));
    free(messages);
}

static void test_compare_identical_and_rules(void **state) {
    (void)state;
    BreakingOptions options = {BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS, {false}};
    size_t findings;
    char *messages = compare(old_api, old_api, &options, &findings);
    assert_int_equal(findings, 0);
    assert_string_equal(messages, "");
    free(messages);
    /* every rule has a distinct name that parses back to it */
    for (int i = 0; i < BREAKING_RULE_COUNT; i++) {
        const char *name = breaking_rule_info((BreakingRule)i)->name;
        BreakingRule parsed;
        assert_true(breaking_rule_parse(name, strlen(name), &parsed));
        assert_int_equal(parsed, i);
    }
    BreakingRule unused;
    assert_false(breaking_rule_parse("field", 5, &unused));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_canonical_text),
        cmocka_unit_test(test_hash_ignores_names_and_order),
        cmocka_unit_test(test_hash_of_a_long_text),
        cmocka_unit_test(test_canonical_channels),
        cmocka_unit_test(test_channel_hash_follows_the_wire),
        cmocka_unit_test(test_compare_directions),
        cmocka_unit_test(test_result_presence_breaks_no_one),
        cmocka_unit_test(test_compare_identical_and_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
