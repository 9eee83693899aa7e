/* A deterministic mutation fuzzer for the front end and IR, run in process (and under ASan/UBSan by
 * check-unit-san): every spec example, mutated thousands of ways (bytes flipped, tokens inserted, ranges deleted or
 * repeated), must compile to a program or to diagnostics, and never crash, leak or hang. The seed is fixed, so a
 * failure reproduces; set RPCC_FUZZ_ITERATIONS to run longer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>

#include <cmocka.h>

#include "support.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void) {
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static size_t random_below(size_t bound) { return bound ? (size_t)(next_random() % bound) : 0; }

static const char *const dictionary[] = {
    "model", "enum", "union", "type", "rpc", "channel", "import", "null", "true", "false",
    "{", "}", "(", ")", "<", ">", "[", "]",
    ",", ";", ":", "=", "?", "|", ".", "@", "->", "///", "//", "/*", "*/", "\"", "\\u", "\\ud800", "list<", "map<",
    "int", "string", "any", "@json(\"x\")", "@range(ge: 1)", "@length(max: 0)", "@discriminator(\"kind\")",
    "@deprecated", "@history(size: 1, ttl: 1)", "@publish", "@subscribe(\"any\")", "\"ns:{x}#{y}\"",
    "9223372036854775808", "-0", "1e309", "\xc3\xa9", "\xff", "\t", "\n", "_x", "A | B", "| null",
    " = []", " = {}", " = null",
};

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    assert_int_equal(fread(text, 1, (size_t)size, file), (size_t)size);
    text[size] = '\0';
    fclose(file);
    *length = (size_t)size;
    return text;
}

/* One mutant of `text` in `out` (NUL-terminated; may contain NUL bytes before the end, which the lexer reports). */
static size_t mutate(const char *text, size_t length, char *out, size_t capacity) {
    size_t used = length < capacity - 1 ? length : capacity - 1;
    memcpy(out, text, used);
    int rounds = 1 + (int)random_below(4);
    for (int round = 0; round < rounds && used > 0; round++) {
        size_t at = random_below(used);
        switch (random_below(4)) {
        case 0: out[at] = (char)random_below(256); break;
        case 1: {
            const char *word = dictionary[random_below(sizeof dictionary / sizeof dictionary[0])];
            size_t word_length = strlen(word);
            if (used + word_length >= capacity - 1) break;
            memmove(out + at + word_length, out + at, used - at);
            memcpy(out + at, word, word_length);
            used += word_length;
            break;
        }
        case 2: {
            size_t span = random_below(used - at + 1);
            memmove(out + at, out + at + span, used - at - span);
            used -= span;
            break;
        }
        default: {
            size_t span = random_below(64);
            if (at + span > used) span = used - at;
            if (used + span >= capacity - 1) break;
            memmove(out + at + span, out + at, used - at);
            used += span; /* the range now appears twice */
            break;
        }
        }
    }
    out[used] = '\0';
    return used;
}

static void fuzz_example(const char *path, int iterations) {
    size_t length;
    char *text = read_file(path, &length);
    size_t capacity = length * 2 + 4096;
    char *mutant = malloc(capacity);
    for (int i = 0; i < iterations; i++) {
        size_t mutant_length = mutate(text, length, mutant, capacity);
        Compiled compiled;
        memset(&compiled, 0, sizeof compiled);
        arena_init(&compiled.arena);
        compiled.sink = open_memstream(&compiled.messages, &compiled.messages_size);
        diag_init(&compiled.diags, compiled.sink, DIAG_FORMAT_TEXT, false);
        /* a name in a directory without imports: imports of the examples resolve nowhere, which is fine */
        LoadOptions options = {NULL, 0};
        load_program(source_from_bytes("/nonexistent/fuzz.rpc", mutant, mutant_length), &options, &compiled.arena,
                     &compiled.diags, &compiled.loaded);
        if (compiled.diags.error_count == 0)
            compiled.program = ir_compile(&compiled.loaded, &compiled.arena, &compiled.diags);
        diag_flush(&compiled.diags);
        /* Either a program, or at least one error: never a silent failure. */
        if (!compiled.program && compiled.diags.error_count == 0) fail_msg("%s mutant %d: no program and no error", path, i);
        compiled_free(&compiled);
    }
    free(mutant);
    free(text);
}

static void test_mutated_examples(void **state) {
    (void)state;
    const char *env = getenv("RPCC_FUZZ_ITERATIONS");
    int iterations = env ? atoi(env) : 3000;
    DIR *dir = opendir("spec/examples");
    assert_non_null(dir);
    struct dirent *entry;
    int files = 0;
    char *names[64];
    while ((entry = readdir(dir)) && files < 64) {
        size_t name_length = strlen(entry->d_name);
        if (name_length > 4 && strcmp(entry->d_name + name_length - 4, ".rpc") == 0) names[files++] = strdup(entry->d_name);
    }
    closedir(dir);
    assert_true(files >= 2);
    for (int i = 0; i < files; i++) {
        char path[512];
        snprintf(path, sizeof path, "spec/examples/%s", names[i]);
        fuzz_example(path, iterations);
        free(names[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutated_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
