/* The target languages rpcc prints. A new target is one more enumerator here, one name in target.c and one
 * backend (see backends/backend.h). */
#ifndef RPCC_TARGET_H
#define RPCC_TARGET_H

#include <stdbool.h>

typedef enum Target {
    TARGET_PYTHON,
    TARGET_TYPESCRIPT,
    TARGET_GO,
    TARGET_RUST,
    TARGET_COUNT
} Target;

/* "python", "typescript", "go", "rust". */
const char *target_name(Target target);
/* "Python", "TypeScript", "Go", "Rust": the language's name in prose. */
const char *target_display_name(Target target);
/* Parses a target name as given to --lang; returns false if unknown. */
bool target_parse(const char *name, Target *target);

#endif
