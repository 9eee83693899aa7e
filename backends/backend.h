/* One backend per target language: a table of entry points chosen by name (as QBE chooses targets). */
#ifndef RPCC_BACKEND_H
#define RPCC_BACKEND_H

#include <stdbool.h>

#include "../ir/ir.h"
#include "output.h"

typedef struct BackendOptions {
    const char *input_name;    /* the main .rpc file's base name, e.g. "tasks.rpc" (never an absolute path) */
    const char *rpcc_version;  /* RPCC_VERSION */
    const char *go_module;     /* go.mod module path (--go-module; the package name by default) */
    const char *go_websocket;  /* "github.com/coder/websocket" (default) or "nhooyr.io/websocket" */
    const char *package_name;  /* Python distribution / npm package name base */
    bool ts_bigint;            /* --ts-int bigint: TypeScript `int` is bigint (default number) */
    /* --license: an SPDX licence expression for the licence field of pyproject.toml and package.json, or NULL
     * to leave the field out. The SDK is generated from the user's schema: rpcc does not choose its licence. */
    const char *license;
    /* The contract hash (ir_contract_hash) every SDK embeds and sends with its calls, when the caller computed it
     * once for all backends; NULL: each backend computes it (backend_contract_hash). */
    const char *contract_hash;
} BackendOptions;

typedef struct Backend {
    Target target;
    const char *directory; /* "python", "typescript", "go" under the output directory */
    /* Adds this target's files (paths prefixed with `directory`/) to the tree. Returns false only on an internal
     * error, after printing it: the IR is valid (ir_compile) and holds nothing this target cannot print
     * (ir_check_targets), so a backend reports no user error. */
    bool (*emit)(const IrProgram *program, const BackendOptions *options, OutputTree *tree);
} Backend;

/* The backend for a target, or NULL when that target has none yet. */
const Backend *backend_for(Target target);

#endif
