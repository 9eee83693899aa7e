#include "target.h"

#include <string.h>

static const char *const TARGET_NAMES[TARGET_COUNT] = {
    [TARGET_PYTHON] = "python",
    [TARGET_TYPESCRIPT] = "typescript",
    [TARGET_GO] = "go",
    [TARGET_RUST] = "rust",
};

const char *target_name(Target target) {
    return (unsigned)target < TARGET_COUNT ? TARGET_NAMES[target] : "?";
}

static const char *const TARGET_DISPLAY_NAMES[TARGET_COUNT] = {
    [TARGET_PYTHON] = "Python",
    [TARGET_TYPESCRIPT] = "TypeScript",
    [TARGET_GO] = "Go",
    [TARGET_RUST] = "Rust",
};

const char *target_display_name(Target target) {
    return (unsigned)target < TARGET_COUNT ? TARGET_DISPLAY_NAMES[target] : "?";
}

bool target_parse(const char *name, Target *target) {
    for (int index = 0; index < TARGET_COUNT; index++) {
        if (strcmp(name, TARGET_NAMES[index]) == 0) {
            *target = (Target)index;
            return true;
        }
    }
    return false;
}
