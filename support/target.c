#include "target.h"

#include <string.h>

static const char *const TARGET_NAMES[TARGET_COUNT] = {
    [TARGET_PYTHON] = "python",
    [TARGET_TYPESCRIPT] = "typescript",
    [TARGET_GO] = "go",
};

const char *target_name(Target target) {
    return (unsigned)target < TARGET_COUNT ? TARGET_NAMES[target] : "?";
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
