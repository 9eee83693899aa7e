/* The README.md at the root of the output directory. */
#ifndef RPCC_OVERVIEW_H
#define RPCC_OVERVIEW_H

#include <stdbool.h>

#include "backend.h"

/* `targets[t]` says which SDKs this run generates. */
void overview_emit(const IrProgram *program, const BackendOptions *options, const bool *targets, OutputTree *tree);

#endif
