/* rpcc: the command line. Exit status: 0 clean, 1 errors in the input, 2 usage or I/O errors. */
#ifdef __linux__
#define _GNU_SOURCE /* sched_getaffinity: the processors --jobs auto may use */
#include <sched.h>
#endif
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/backend.h"
#include "backends/overview.h"
#include "frontend/diag.h"
#include "frontend/load.h"
#include "ir/compare.h"
#include "ir/contract.h"
#include "ir/passes.h"

#ifndef RPCC_VERSION
#define RPCC_VERSION "0.0.0"
#endif

enum { EXIT_CLEAN = 0, EXIT_INPUT_ERRORS = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "Usage: rpcc [options] FILE.rpc\n"
    "\n"
    "Compiles a .rpc interface definition into typed Centrifugo RPC clients.\n"
    "\n"
    "  -o, --output DIR            write the SDKs under DIR (DIR/python, DIR/typescript, DIR/go, DIR/rust)\n"
    "      --lang LIST             targets, comma-separated: python,typescript,go,rust (default: all but rust)\n"
    "      --check                 check the input, write nothing (exit 0 clean, 1 errors)\n"
    "      --list-outputs          print the files a run with -o would write, write nothing\n"
    "  -I DIR                      also look for imports in DIR (after the importing file's directory)\n"
    "      --stdin-filename PATH   read the main file from standard input, reporting it as PATH\n"
    "      --diagnostics-format=F  text (default) or json (one object per line)\n"
    "      --color=WHEN            auto (default: only on a terminal), always or never\n"
    "      --max-errors N          stop reporting after N errors (default 100, 0: no limit)\n"
    "      --dump-ir               print the checked IR to standard output\n"
    "      --breaking-against OLD  report the changes from OLD.rpc to FILE.rpc that break deployed clients, servers\n"
    "                              or code using the SDKs (exit 0 none, 1 breaking changes or errors)\n"
    "      --breaking-direction=D  the wire direction checked: both (default), old-clients (old clients of the new\n"
    "                              server) or new-clients (new clients of an old server)\n"
    "      --breaking-exclude LIST rules not to report, comma-separated; may repeat\n"
    "      --list-breaking-rules   print the breaking-change rules\n"
    "      --contract-hash         print the contract's hash (what is on the wire: spec/evolution.md)\n"
    "      --contract-canonical    print the canonical text the contract hash is computed from\n"
    "      --package-name NAME     Python/npm package base name (default: the input's stem)\n"
    "      --go-module PATH        Go module path (default: the package name)\n"
    "      --go-websocket=LIB      coder (github.com/coder/websocket, default) or nhooyr (nhooyr.io/websocket)\n"
    "      --jobs N|auto           N > 1: hash the contract during the checks and run the backends in up to N\n"
    "                              threads; auto (default): one per processor; 1: one stage after another\n"
    "                              (also RPCC_JOBS)\n"
    "      --ts-int=TYPE           the TypeScript type of `int`: number (default; exact up to 2^53) or bigint\n"
    "      --license SPDX          the licence field of pyproject.toml and package.json, an SPDX expression such as\n"
    "                              MIT or 'Apache-2.0 OR MIT' (default: no licence field)\n"
    "  -MD                         write a Make depfile (DIR.d for -o DIR, or -MF)\n"
    "  -MF FILE                    the depfile's path (implies -MD)\n"
    "  -MT TARGET                  the depfile's target (default: every output file); may repeat\n"
    "  -MP                         add a phony target for every imported file and for rpcc\n"
    "      --version               print the version\n"
    "  -h, --help                  print this help\n";

typedef struct Options {
    const char *input;
    const char *output;
    const char *stdin_filename;
    bool check;
    bool list_outputs;
    bool dump_ir;
    bool targets[TARGET_COUNT];
    bool targets_given;
    DiagFormat format;
    int color; /* -1 auto, 0 never, 1 always */
    size_t max_errors;
    const char **include_dirs;
    size_t include_dir_count;
    const char *package_name;
    const char *go_module;
    const char *go_websocket;
    bool ts_bigint;
    const char *license;
    bool depfile;
    const char *depfile_path;
    const char **depfile_targets;
    size_t depfile_target_count;
    bool depfile_phony;
    const char *breaking_against;
    bool list_breaking_rules;
    BreakingOptions breaking;
    bool contract_hash, contract_canonical;
    int jobs; /* 1: every stage one after another; more: threads (run_backend_jobs); 0: auto */
} Options;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    fputs("rpcc: error: ", stderr);
    va_list args;
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputs("\n(see rpcc --help)\n", stderr);
    return EXIT_USAGE;
}

/* An SPDX licence expression as far as the package files need it: identifiers (letters, digits, '.', '-', '+',
 * "LicenseRef-x:y") joined by single spaces and parentheses. Such text needs no escaping in a TOML or JSON string;
 * whether the identifiers exist is left to the packaging tools, whose list grows. */
static bool is_license_expression(const char *text) {
    size_t length = strlen(text);
    if (length == 0 || length > 200 || text[0] == ' ' || text[length - 1] == ' ') return false;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        bool identifier = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '.' || c == '-' || c == '+' || c == ':';
        if (c == ' ' && text[i + 1] == ' ') return false;
        if (!identifier && c != ' ' && c != '(' && c != ')') return false;
    }
    return true;
}

static bool parse_targets(const char *list, Options *options) {
    char buffer[256];
    if (strlen(list) >= sizeof buffer || list[0] == '\0') return false;
    strcpy(buffer, list);
    char *save = NULL;
    for (char *name = strtok_r(buffer, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        Target target;
        if (!target_parse(name, &target)) return false;
        options->targets[target] = true;
    }
    options->targets_given = true;
    return true;
}

/* "rule,rule": each rule excluded. Returns -1, or the exit status after an unknown or empty name. */
static int parse_breaking_rules(const char *list, BreakingOptions *breaking) {
    const char *start = list;
    for (;;) {
        const char *end = strchr(start, ',');
        size_t length = end ? (size_t)(end - start) : strlen(start);
        BreakingRule rule;
        if (!breaking_rule_parse(start, length, &rule))
            return usage_error("unknown rule '%.*s' in --breaking-exclude (rpcc --list-breaking-rules lists them)",
                               (int)length, start);
        breaking->excluded[rule] = true;
        if (!end) return -1;
        start = end + 1;
    }
}

/* --jobs N or auto (0). */
static bool parse_jobs(const char *text, int *jobs) {
    if (strcmp(text, "auto") == 0) {
        *jobs = 0;
        return true;
    }
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (!*text || *end || errno || value < 1 || value > 1024) return false;
    *jobs = (int)value;
    return true;
}

/* Returns -1 when the arguments are fine, else the exit status. */
static int parse_arguments(int argc, char **argv, Options *options) {
    options->format = DIAG_FORMAT_TEXT;
    options->color = -1;
    options->max_errors = 100;
    options->go_websocket = "github.com/coder/websocket";
    /* Threads by default (auto: one per processor). On 2 processors, paired runs took the wall time at 1,000
     * methods from about 57 to 47 ms and at 10,000 from 560 to 450 ms, with the same peak RSS: the files stream to
     * disk as they are printed, so backends at work together hold no more than one (bench/FINDINGS.md, "Threads").
     * --jobs 1 runs every stage one after another. */
    options->jobs = 0;
    const char *jobs = getenv("RPCC_JOBS");
    if (jobs && *jobs && !parse_jobs(jobs, &options->jobs))
        return usage_error("RPCC_JOBS takes a positive number or auto, not '%s'", jobs);
    options->include_dirs = calloc((size_t)argc, sizeof *options->include_dirs);
    options->depfile_targets = calloc((size_t)argc, sizeof *options->depfile_targets);
    if (!options->include_dirs || !options->depfile_targets) return usage_error("%s", "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = NULL;
#define TAKES_VALUE(name)                                                                                            \
    ((strcmp(arg, name) == 0 && (i + 1 < argc ? (value = argv[++i], true) : (usage_error("%s needs a value", name), \
                                                                             value = NULL, true))) ||              \
     (strncmp(arg, name "=", strlen(name) + 1) == 0 && (value = arg + strlen(name) + 1, true)))
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        } else if (strcmp(arg, "--version") == 0) {
            printf("rpcc %s\n", RPCC_VERSION);
            return EXIT_CLEAN;
        } else if (strcmp(arg, "--check") == 0) {
            options->check = true;
        } else if (strcmp(arg, "--list-outputs") == 0) {
            options->list_outputs = true;
        } else if (strcmp(arg, "--dump-ir") == 0) {
            options->dump_ir = true;
        } else if (strcmp(arg, "--contract-hash") == 0) {
            options->contract_hash = true;
        } else if (strcmp(arg, "--contract-canonical") == 0) {
            options->contract_canonical = true;
        } else if (strcmp(arg, "--list-breaking-rules") == 0) {
            options->list_breaking_rules = true;
        } else if (TAKES_VALUE("--breaking-against")) {
            if (!value) return EXIT_USAGE;
            options->breaking_against = value;
        } else if (TAKES_VALUE("--breaking-direction")) {
            if (!value) return EXIT_USAGE;
            if (strcmp(value, "both") == 0) options->breaking.directions = BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS;
            else if (strcmp(value, "old-clients") == 0) options->breaking.directions = BREAKS_OLD_CLIENTS;
            else if (strcmp(value, "new-clients") == 0) options->breaking.directions = BREAKS_NEW_CLIENTS;
            else return usage_error("--breaking-direction takes both, old-clients or new-clients, not '%s'", value);
        } else if (TAKES_VALUE("--breaking-exclude")) {
            if (!value) return EXIT_USAGE;
            int status = parse_breaking_rules(value, &options->breaking);
            if (status >= 0) return status;
        } else if (strcmp(arg, "-MD") == 0) {
            options->depfile = true;
        } else if (strcmp(arg, "-MP") == 0) {
            options->depfile_phony = true;
        } else if (TAKES_VALUE("-MF")) {
            if (!value) return EXIT_USAGE;
            options->depfile = true;
            options->depfile_path = value;
        } else if (TAKES_VALUE("-MT")) {
            if (!value) return EXIT_USAGE;
            options->depfile_targets[options->depfile_target_count++] = value;
        } else if (TAKES_VALUE("-o") || TAKES_VALUE("--output")) {
            if (!value) return EXIT_USAGE;
            options->output = value;
        } else if (TAKES_VALUE("--lang")) {
            if (!value) return EXIT_USAGE;
            if (!parse_targets(value, options))
                return usage_error("unknown target in --lang '%s' (python, typescript, go, rust)", value);
        } else if (TAKES_VALUE("-I")) {
            if (!value) return EXIT_USAGE;
            options->include_dirs[options->include_dir_count++] = value;
        } else if (strncmp(arg, "-I", 2) == 0 && arg[2]) {
            options->include_dirs[options->include_dir_count++] = arg + 2;
        } else if (TAKES_VALUE("--stdin-filename")) {
            if (!value) return EXIT_USAGE;
            options->stdin_filename = value;
        } else if (TAKES_VALUE("--diagnostics-format")) {
            if (!value) return EXIT_USAGE;
            if (strcmp(value, "text") == 0) options->format = DIAG_FORMAT_TEXT;
            else if (strcmp(value, "json") == 0) options->format = DIAG_FORMAT_JSON;
            else return usage_error("--diagnostics-format takes text or json, not '%s'", value);
        } else if (TAKES_VALUE("--color")) {
            if (!value) return EXIT_USAGE;
            if (strcmp(value, "auto") == 0) options->color = -1;
            else if (strcmp(value, "always") == 0) options->color = 1;
            else if (strcmp(value, "never") == 0) options->color = 0;
            else return usage_error("--color takes auto, always or never, not '%s'", value);
        } else if (TAKES_VALUE("--max-errors")) {
            if (!value) return EXIT_USAGE;
            char *end = NULL;
            errno = 0;
            unsigned long long limit = strtoull(value, &end, 10);
            if (!*value || *end || errno || value[0] == '-')
                return usage_error("--max-errors takes a non-negative number, not '%s'", value);
            options->max_errors = (size_t)limit;
        } else if (TAKES_VALUE("--package-name")) {
            if (!value) return EXIT_USAGE;
            options->package_name = value;
        } else if (TAKES_VALUE("--go-module")) {
            if (!value) return EXIT_USAGE;
            if (!namer_is_go_module_path(value))
                return usage_error("--go-module takes a Go module path ('/'-separated elements of letters, digits "
                                   "and -._~), not '%s'", value);
            options->go_module = value;
        } else if (TAKES_VALUE("--go-websocket")) {
            if (!value) return EXIT_USAGE;
            if (strcmp(value, "coder") == 0) options->go_websocket = "github.com/coder/websocket";
            else if (strcmp(value, "nhooyr") == 0) options->go_websocket = "nhooyr.io/websocket";
            else return usage_error("--go-websocket takes coder or nhooyr, not '%s'", value);
        } else if (TAKES_VALUE("--jobs")) {
            if (!value) return EXIT_USAGE;
            if (!parse_jobs(value, &options->jobs))
                return usage_error("--jobs takes a positive number or auto, not '%s'", value);
        } else if (TAKES_VALUE("--ts-int")) {
            if (!value) return EXIT_USAGE;
            if (strcmp(value, "number") == 0) options->ts_bigint = false;
            else if (strcmp(value, "bigint") == 0) options->ts_bigint = true;
            else return usage_error("--ts-int takes number or bigint, not '%s'", value);
        } else if (TAKES_VALUE("--license")) {
            if (!value) return EXIT_USAGE;
            if (!is_license_expression(value))
                return usage_error("--license takes an SPDX licence expression (such as MIT or 'Apache-2.0 OR MIT'), "
                                   "not '%s'", value);
            options->license = value;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option '%s'", arg);
        } else if (options->input) {
            return usage_error("more than one input file ('%s')", arg);
        } else {
            options->input = arg;
        }
#undef TAKES_VALUE
    }
    if (options->list_breaking_rules) return -1;
    if (!options->breaking.directions) options->breaking.directions = BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS;
    if (options->breaking_against && (options->output || options->list_outputs || options->dump_ir || options->depfile ||
                                      options->contract_hash || options->contract_canonical))
        return usage_error("%s", "--breaking-against compares two files and writes nothing: give no -o, "
                                 "--list-outputs, --dump-ir, --contract-hash, --contract-canonical or depfile option");
    if (options->stdin_filename && options->input && strcmp(options->input, "-") != 0)
        return usage_error("%s", "--stdin-filename reads the input from standard input: give no input file");
    if (options->stdin_filename) options->input = options->stdin_filename;
    if (!options->input) return usage_error("%s", "no input file");
    if (!options->check && !options->output && !options->list_outputs && !options->dump_ir &&
        !options->breaking_against && !options->contract_hash && !options->contract_canonical)
        return usage_error("%s", "nothing to do: give -o DIR, --check, --list-outputs, --dump-ir, --contract-hash or "
                                 "--breaking-against OLD.rpc");
    /* A depfile's targets default to the files the run writes. A run that writes none (--check) names its
     * targets with -MT (a stamp, typically) and its path with -MF, as DIR.d needs a DIR. --list-outputs writes
     * nothing, a depfile neither. */
    if (options->depfile && (options->check || !options->output) && !options->list_outputs &&
        (!options->depfile_target_count || !options->depfile_path))
        return usage_error("%s", options->output
                                     ? "a depfile of --check names its targets: give -MT TARGET and -MF FILE"
                                     : "a depfile without -o DIR needs -MT TARGET and -MF FILE");
    /* The default set: every language but Rust, which is generated only when asked for (--lang rust) until it
     * is as complete as the others. */
    if (!options->targets_given)
        for (int t = 0; t < TARGET_COUNT; t++) options->targets[t] = t != TARGET_RUST;
    /* The Go module path defaults to the package name (the input's stem, always a valid path, unless given). */
    if (options->targets[TARGET_GO] && !options->go_module && options->package_name &&
        !namer_is_go_module_path(options->package_name))
        return usage_error("the Go module path defaults to the package name, and '%s' is not one: give --go-module",
                           options->package_name);
    return -1;
}

static SourceFile *read_stdin(const char *path) {
    size_t capacity = 65536, length = 0;
    char *bytes = malloc(capacity);
    if (!bytes) return NULL;
    for (;;) {
        if (length == capacity) {
            capacity *= 2;
            char *grown = realloc(bytes, capacity);
            if (!grown) {
                free(bytes);
                return NULL;
            }
            bytes = grown;
        }
        size_t got = fread(bytes + length, 1, capacity - length, stdin);
        length += got;
        if (got == 0) break;
    }
    if (ferror(stdin)) {
        free(bytes);
        return NULL;
    }
    SourceFile *file = source_from_bytes(path, bytes, length);
    free(bytes);
    return file;
}

/* "dir/tasks.rpc" -> "tasks", made a valid lower-case package name ([a-z0-9_], not starting with a digit). */
static char *default_package_name(Arena *arena, const char *input) {
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    size_t length = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base) length = (size_t)(dot - base);
    char *name = arena_alloc(arena, length + 2);
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        char c = base[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) c = '_';
        if (used == 0 && c >= '0' && c <= '9') name[used++] = '_';
        name[used++] = c;
    }
    if (used == 0) name[used++] = 'x';
    name[used] = '\0';
    return name;
}

/* "DIR" + "go/x.go" -> "DIR/go/x.go", without doubling a trailing slash of DIR ("out/" + ... -> "out/go/x.go"):
 * Make and Ninja compare targets as strings, so the depfile must name a file the way a build file would. */
static char *output_path(Arena *arena, const char *directory, const char *relative) {
    size_t length = strlen(directory);
    while (length > 1 && directory[length - 1] == '/') length--;
    return arena_printf(arena, "%.*s/%s", (int)length, directory, relative);
}

/* Make's escaping for a path in a depfile: spaces and '#' with a backslash, '$' doubled. */
static void write_make_path(FILE *out, const char *path) {
    for (const char *p = path; *p; p++) {
        if (*p == ' ' || *p == '#') fputc('\\', out);
        if (*p == '$') fputc('$', out);
        fputc(*p, out);
    }
}

static char *self_path(Arena *arena, const char *argv0) {
    char buffer[4096];
    ssize_t length = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (length > 0) return arena_strndup(arena, buffer, (size_t)length);
    return arena_strdup(arena, argv0);
}

static bool write_depfile(const Options *options, const IrProgram *program, const char **outputs, size_t count,
                          Arena *arena, const char *argv0) {
    const char *path = options->depfile_path;
    if (!path) {
        size_t length = strlen(options->output);
        while (length > 1 && options->output[length - 1] == '/') length--;
        path = arena_printf(arena, "%.*s.d", (int)length, options->output);
    }
    char *temporary = arena_printf(arena, "%s.tmp%ld", path, (long)getpid());
    FILE *out = fopen(temporary, "w");
    if (!out) {
        fprintf(stderr, "rpcc: error: cannot write depfile '%s': %s\n", path, strerror(errno));
        return false;
    }
    if (options->depfile_target_count) {
        for (size_t i = 0; i < options->depfile_target_count; i++) {
            if (i) fputc(' ', out);
            write_make_path(out, options->depfile_targets[i]);
        }
    } else {
        for (size_t i = 0; i < count; i++) {
            if (i) fputs(" \\\n ", out);
            write_make_path(out, output_path(arena, options->output, outputs[i]));
        }
    }
    fputc(':', out);
    /* The main file last in load order: list it first, as gcc lists the source before its headers. */
    const char *main_path = program->files[program->file_count - 1]->path;
    fputs(" \\\n ", out);
    write_make_path(out, main_path);
    for (size_t i = 0; i + 1 < program->file_count; i++) {
        fputs(" \\\n ", out);
        write_make_path(out, program->files[i]->path);
    }
    const char *self = self_path(arena, argv0);
    fputs(" \\\n ", out);
    write_make_path(out, self);
    fputc('\n', out);
    /* -MP: an empty rule per prerequisite but the main file (as gcc), so that a deleted import reruns rpcc, which
     * then reports the missing file, instead of Make stopping at "No rule to make target". rpcc itself is one
     * too: an rpcc moved by an upgrade is not a reason for the build to stop. */
    if (options->depfile_phony) {
        for (size_t i = 0; i + 1 < program->file_count; i++) {
            fputc('\n', out);
            write_make_path(out, program->files[i]->path);
            fputs(":\n", out);
        }
        fputc('\n', out);
        write_make_path(out, self);
        fputs(":\n", out);
    }
    bool ok = fflush(out) == 0 && !ferror(out);
    ok = fclose(out) == 0 && ok;
    if (!ok || rename(temporary, path) != 0) {
        fprintf(stderr, "rpcc: error: cannot write depfile '%s': %s\n", path, strerror(errno));
        remove(temporary);
        return false;
    }
    return true;
}

/* --jobs auto: the processors this process may run on (its affinity mask on Linux), at least 1. No thread is
 * started beyond the work there is (run_backend_jobs), so a large machine costs nothing more. */
static int available_processors(void) {
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
#endif
    long count = sysconf(_SC_NPROCESSORS_ONLN);
    return count < 1 ? 1 : count > 1024 ? 1024 : (int)count;
}

/* The contract hash, computed by a thread of its own while the checks after check_types run: every SDK embeds
 * the hash, and it is the one stage after the front end that reads nothing those checks write (passes.h,
 * ir_check_after_types), so it costs no wall time when a second processor is free. */
typedef struct ContractHashJob {
    const IrProgram *program;
    pthread_t thread;
    bool started;
    char hash[72];
} ContractHashJob;

static void *compute_contract_hash(void *argument) {
    ContractHashJob *job = argument;
    ir_contract_hash(job->program, job->hash);
    strbuf_release_kept(); /* this thread's spare string blocks */
    return NULL;
}

/* When the thread cannot start, the hash is computed later on the main thread (started stays false). */
static void start_contract_hash(ContractHashJob *job, const IrProgram *program) {
    job->program = program;
    job->started = pthread_create(&job->thread, NULL, compute_contract_hash, job) == 0;
}

/* --contract-canonical, --contract-hash (ir/contract.c). */
static void print_contract(const Options *options, const IrProgram *program, const char *hash) {
    if (options->contract_canonical) {
        StrBuf text;
        strbuf_init(&text);
        ir_contract_canonical(program, &text);
        fwrite(strbuf_cstr(&text), 1, text.len, stdout);
        strbuf_free(&text);
    }
    if (options->contract_hash) printf("%s\n", hash);
}

/* One backend's run: its files go to a tree of its own, staged (written to temporaries) by the same thread, so that
 * the backends can run at the same time over the IR, which they only read. */
typedef struct BackendJob {
    const Backend *backend;
    const IrProgram *program;
    const BackendOptions *options;
    const char *output; /* the output directory to stage under, or NULL */
    OutputTree tree;
    bool emitted, staged;
    char error[1024]; /* a staging error */
} BackendJob;

static void run_backend(BackendJob *job) {
    job->tree.stage_directory = job->output; /* each file is staged once printed */
    job->emitted = job->backend->emit(job->program, job->options, &job->tree);
    if (!job->emitted && job->tree.stage_error[0]) {
        job->emitted = true; /* the emit stopped at a staging error, reported as such */
        job->staged = false;
        snprintf(job->error, sizeof job->error, "%s", job->tree.stage_error);
        return;
    }
    job->staged = job->emitted && (!job->output || output_tree_stage(&job->tree, job->output, job->error,
                                                                      sizeof job->error));
}

/* The backends' jobs when they run at once: each worker (the main thread and the threads started) takes the
 * next job not taken yet, the longest first, so that with fewer workers than jobs the longest runs alone while
 * the others share the rest (with two workers and three backends, the best split: the longest alone). */
typedef struct JobQueue {
    BackendJob *jobs;
    size_t order[TARGET_COUNT]; /* indices into jobs, the longest first */
    size_t count;
    atomic_size_t next; /* the next place in `order` to take */
} JobQueue;

/* The backends by their time at 1,000 methods, the longest first. Measured (thread CPU time, 2026-12-02) with
 * the backend work of issue 14's third round merged: Go 8-10 ms (types.go is still held whole), TypeScript 7.5,
 * Python 6; before it TypeScript 20, Python 12, Go 8, where Go first splits as well (Go then Python beside
 * TypeScript). Only the first place matters for three jobs on two workers. */
static const Target longest_first[TARGET_COUNT] = {TARGET_GO, TARGET_TYPESCRIPT, TARGET_PYTHON, TARGET_RUST};

static void take_jobs(JobQueue *queue) {
    for (size_t taken; (taken = atomic_fetch_add(&queue->next, 1)) < queue->count;)
        run_backend(&queue->jobs[queue->order[taken]]);
}

static void *backend_worker(void *argument) {
    take_jobs(argument);
    strbuf_release_kept(); /* this thread's spare string blocks */
    return NULL;
}

/* Runs the jobs, on `threads` workers at most (one: one after another on this thread), and merges their trees into
 * `tree` in target order, so that what is written does not depend on which thread ended first. The first failure
 * in target order is reported; later targets are not merged (their staging is undone with their trees).
 * Sequentially, a failure stops the run as before. */
static int run_backend_jobs(BackendJob *jobs, size_t count, int threads, OutputTree *tree) {
    size_t workers = (size_t)threads < count ? (size_t)threads : count;
    if (workers > 1) {
        JobQueue queue = {.jobs = jobs, .count = 0};
        atomic_init(&queue.next, 0);
        for (int t = 0; t < TARGET_COUNT; t++)
            for (size_t j = 0; j < count; j++)
                if (jobs[j].backend->target == longest_first[t]) queue.order[queue.count++] = j;
        pthread_t handles[TARGET_COUNT];
        bool started[TARGET_COUNT] = {false};
        /* A thread that cannot start leaves its jobs to the others. */
        for (size_t w = 1; w < workers; w++) started[w] = pthread_create(&handles[w], NULL, backend_worker, &queue) == 0;
        take_jobs(&queue);
        for (size_t w = 1; w < workers; w++)
            if (started[w]) pthread_join(handles[w], NULL);
    }
    for (size_t j = 0; j < count; j++) {
        if (workers <= 1) run_backend(&jobs[j]);
        if (!jobs[j].emitted) return EXIT_USAGE; /* emit printed the internal error */
        if (!jobs[j].staged) {
            fprintf(stderr, "rpcc: error: %s\n", jobs[j].error);
            return EXIT_USAGE;
        }
        output_tree_merge(tree, &jobs[j].tree);
    }
    return EXIT_CLEAN;
}

static int run(const Options *options, const char *argv0) {
    bool color = options->color == 1 || (options->color == -1 && isatty(STDERR_FILENO) && !getenv("NO_COLOR"));
    Diagnostics diags;
    diag_init(&diags, stderr, options->format, color && options->format == DIAG_FORMAT_TEXT);
    diags.max_errors = options->max_errors;
    Arena arena;
    arena_init(&arena);
    int status = EXIT_CLEAN;
    int threads = options->jobs ? options->jobs : available_processors();
    /* Every SDK embeds the contract hash; --contract-hash prints it. */
    bool needs_hash = options->contract_hash || (!options->check && (options->output || options->list_outputs));
    ContractHashJob hash_job = {.started = false};

    SourceFile *main_source =
        options->stdin_filename ? read_stdin(options->stdin_filename) : source_read(options->input);
    if (!main_source) {
        fprintf(stderr, "rpcc: error: cannot read '%s': %s\n", options->stdin_filename ? "<stdin>" : options->input,
                strerror(errno));
        diag_free(&diags);
        arena_free(&arena);
        return EXIT_USAGE;
    }
    LoadOptions load_options = {options->include_dirs, options->include_dir_count};
    LoadedProgram loaded;
    /* The ASTs live in their own arena, freed once the IR is built: large schemas need the memory back. */
    Arena ast_arena;
    arena_init(&ast_arena);
    load_program(main_source, &load_options, &ast_arena, &diags, &loaded);

    IrProgram *program = NULL;
    /* After syntax errors the declarations that parsed are checked too, as gcc and clang do. */
    if (diags.error_count == 0 || (!loaded.incomplete && !diag_limit_reached(&diags))) {
        diag_filter_cascades(&diags); /* after syntax errors: what the broken declarations would say is an echo */
        program = ir_lower(&loaded, &arena, &diags);
        arena_free(&ast_arena); /* lowered: the ASTs are not needed any more */
        ir_check_types(program, &diags);
        if (threads > 1 && needs_hash && diags.error_count == 0) start_contract_hash(&hash_job, program);
        program = ir_check_after_types(program, &arena, &diags);
    }
    if (program && !ir_check_targets(program, options->targets, &diags)) program = NULL;
    arena_free(&ast_arena);
    diag_flush(&diags);
    if (hash_job.started) pthread_join(hash_job.thread, NULL); /* before anything frees the IR it reads */
    if (!program) {
        status = EXIT_INPUT_ERRORS;
        goto done;
    }
    char contract_hash[72] = ""; /* once for every backend */
    if (hash_job.started) memcpy(contract_hash, hash_job.hash, sizeof contract_hash);
    else if (needs_hash) ir_contract_hash(program, contract_hash);
    if (options->dump_ir) ir_dump(program, stdout);
    if (options->contract_canonical || options->contract_hash) print_contract(options, program, contract_hash);
    if (options->check || (!options->output && !options->list_outputs)) {
        if (options->depfile && !options->list_outputs &&
            !write_depfile(options, program, NULL, 0, &arena, argv0))
            status = EXIT_USAGE;
        goto done;
    }

    BackendOptions backend_options;
    backend_options.input_name = strrchr(options->input, '/') ? strrchr(options->input, '/') + 1 : options->input;
    backend_options.rpcc_version = RPCC_VERSION;
    backend_options.package_name =
        options->package_name ? options->package_name : default_package_name(&arena, options->input);
    backend_options.go_module = options->go_module ? options->go_module : backend_options.package_name;
    backend_options.go_websocket = options->go_websocket;
    backend_options.ts_bigint = options->ts_bigint;
    backend_options.license = options->license;
    backend_options.contract_hash = contract_hash;

    OutputTree tree;
    output_tree_init(&tree);
    tree.discard_text = options->list_outputs; /* only the paths are printed */
    bool stage = options->output && !options->list_outputs;
    char error[1024];
    /* The output directory is made before any backend stages into it (staging threads never race to make it). */
    if (stage && !output_tree_stage(&tree, options->output, error, sizeof error)) {
        fprintf(stderr, "rpcc: error: %s\n", error);
        status = EXIT_USAGE;
    }
    BackendJob jobs[TARGET_COUNT];
    size_t job_count = 0;
    for (int t = 0; t < TARGET_COUNT && status == EXIT_CLEAN; t++) {
        if (!options->targets[t]) continue;
        const Backend *backend = backend_for((Target)t);
        if (!backend) {
            fprintf(stderr, "rpcc: error: this build of rpcc has no %s backend\n", target_name((Target)t));
            status = EXIT_USAGE;
            break;
        }
        BackendJob *job = &jobs[job_count++];
        job->backend = backend;
        job->program = program;
        job->options = &backend_options;
        job->output = stage ? options->output : NULL;
        output_tree_init(&job->tree);
        job->tree.discard_text = options->list_outputs;
        job->emitted = job->staged = false;
        job->error[0] = '\0';
    }
    if (status == EXIT_CLEAN) status = run_backend_jobs(jobs, job_count, threads, &tree);
    for (size_t j = 0; j < job_count; j++) output_tree_free(&jobs[j].tree); /* undoes a failed one's staging */
    if (status == EXIT_CLEAN) overview_emit(program, &backend_options, options->targets, &tree);
    const char **paths = calloc(tree.count + 1, sizeof *paths);
    if (status == EXIT_CLEAN && paths) {
        output_tree_sorted_paths(&tree, paths);
        if (options->list_outputs) {
            for (size_t i = 0; i < tree.count; i++) {
                if (options->output)
                    printf("%s\n", output_path(&arena, options->output, paths[i]));
                else
                    printf("%s\n", paths[i]);
            }
        } else {
            OutputStats stats;
            if (!output_tree_write(&tree, options->output, &stats, error, sizeof error)) {
                fprintf(stderr, "rpcc: error: %s\n", error);
                status = EXIT_USAGE;
            } else if (options->depfile &&
                       !write_depfile(options, program, paths, tree.count, &arena, argv0)) {
                status = EXIT_USAGE;
            }
        }
    }
    free(paths);
    output_tree_free(&tree);

done:
    load_program_free(&loaded);
    diag_free(&diags);
    arena_free(&arena);
    return status;
}

/* rpcc --list-breaking-rules: name, severity and summary of each rule. */
static void print_breaking_rules(void) {
    for (int i = 0; i < BREAKING_RULE_COUNT; i++) {
        const BreakingRuleInfo *info = breaking_rule_info((BreakingRule)i);
        printf("%-26s %-8s %s\n", info->name, info->severity == DIAG_ERROR ? "error" : "warning", info->summary);
    }
}

/* Loads and checks one file and its imports for --breaking-against; NULL when it has errors (reported), or when
 * it cannot be read (then *status is EXIT_USAGE). */
static IrProgram *compile_for_comparison(const Options *options, const char *path, bool from_stdin,
                                         LoadedProgram *loaded, Arena *arena, Diagnostics *diags, int *status) {
    SourceFile *source = from_stdin ? read_stdin(path) : source_read(path);
    if (!source) {
        fprintf(stderr, "rpcc: error: cannot read '%s': %s\n", from_stdin ? "<stdin>" : path, strerror(errno));
        *status = EXIT_USAGE;
        return NULL;
    }
    LoadOptions load_options = {options->include_dirs, options->include_dir_count};
    size_t errors_before = diags->error_count;
    Arena ast_arena;
    arena_init(&ast_arena);
    load_program(source, &load_options, &ast_arena, diags, loaded);
    IrProgram *program = NULL;
    if (diags->error_count == errors_before) program = ir_compile(loaded, arena, diags);
    arena_free(&ast_arena);
    diag_flush(diags);
    return program;
}

/* rpcc --breaking-against OLD NEW: both files checked, then compared (ir/compare.c). */
static int run_breaking(const Options *options) {
    bool color = options->color == 1 || (options->color == -1 && isatty(STDERR_FILENO) && !getenv("NO_COLOR"));
    Diagnostics diags;
    diag_init(&diags, stderr, options->format, color && options->format == DIAG_FORMAT_TEXT);
    diags.max_errors = options->max_errors;
    Arena arena;
    arena_init(&arena);
    LoadedProgram old_loaded, new_loaded;
    memset(&old_loaded, 0, sizeof old_loaded);
    memset(&new_loaded, 0, sizeof new_loaded);
    int status = EXIT_CLEAN;
    IrProgram *old_program =
        compile_for_comparison(options, options->breaking_against, false, &old_loaded, &arena, &diags, &status);
    IrProgram *new_program = NULL;
    if (status == EXIT_CLEAN)
        new_program = compile_for_comparison(options, options->input, options->stdin_filename != NULL, &new_loaded,
                                             &arena, &diags, &status);
    if (old_program && new_program) {
        ir_compare_programs(old_program, new_program, &options->breaking, &arena, &diags);
        diag_flush(&diags);
    }
    if (status == EXIT_CLEAN && (!old_program || !new_program || diags.error_count)) status = EXIT_INPUT_ERRORS;
    load_program_free(&old_loaded);
    load_program_free(&new_loaded);
    diag_free(&diags);
    arena_free(&arena);
    return status;
}

int main(int argc, char **argv) {
    Options options;
    memset(&options, 0, sizeof options);
    int status = parse_arguments(argc, argv, &options);
    if (status < 0 && options.list_breaking_rules) print_breaking_rules(), status = EXIT_CLEAN;
    if (status < 0 && options.breaking_against) status = run_breaking(&options);
    if (status < 0) status = run(&options, argv[0]);
    free(options.include_dirs);
    free(options.depfile_targets);
    strbuf_release_kept();
    return status;
}
