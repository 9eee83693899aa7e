#include "backend.h"

#include <stddef.h>

/* Each backend defines one of these in its own file. They are weak references, so the compiler links and
 * reports "no backend" for a target whose backend is not built in. */
extern const Backend backend_python __attribute__((weak));
extern const Backend backend_typescript __attribute__((weak));
extern const Backend backend_go __attribute__((weak));
extern const Backend backend_rust __attribute__((weak));

/* The one table entry a new target adds (besides its file under backends/). */
static const Backend *const BACKENDS[TARGET_COUNT] = {
    [TARGET_PYTHON] = &backend_python,
    [TARGET_TYPESCRIPT] = &backend_typescript,
    [TARGET_GO] = &backend_go,
    [TARGET_RUST] = &backend_rust,
};

const Backend *backend_for(Target target) { return (unsigned)target < TARGET_COUNT ? BACKENDS[target] : NULL; }
