#include "backend.h"

#include <stddef.h>

/* Each backend defines one of these in its own file. They are weak references, so the compiler links and
 * reports "no backend" for a target whose backend is not built in. */
extern const Backend backend_python __attribute__((weak));
extern const Backend backend_typescript __attribute__((weak));
extern const Backend backend_go __attribute__((weak));

const Backend *backend_for(Target target) {
    switch (target) {
    case TARGET_PYTHON: return &backend_python;
    case TARGET_TYPESCRIPT: return &backend_typescript;
    case TARGET_GO: return &backend_go;
    case TARGET_COUNT: break;
    }
    return NULL;
}
