/* The runtime templates (runtime-templates/...), embedded into the rpcc binary at build time so that rpcc is one
 * self-contained program. tools/embed.c generates the table from the files. */
#ifndef RPCC_EMBEDDED_H
#define RPCC_EMBEDDED_H

#include <stddef.h>

typedef struct EmbeddedFile {
    const char *path; /* relative to runtime-templates/, e.g. "python/rpc_client.py" */
    const char *data; /* NUL-terminated */
    size_t length;
} EmbeddedFile;

extern const EmbeddedFile embedded_files[];
extern const size_t embedded_file_count;

/* The embedded file at `path`, or NULL. */
const EmbeddedFile *embedded_file(const char *path);

#endif
