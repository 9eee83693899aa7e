/* The output tree: generated files are built in memory; only a run without errors replaces anything, and then it
 * replaces each changed file atomically and leaves unchanged files untouched (their mtime too). Finished files
 * may be staged early (output_tree_stage) so that their memory is freed while later files are built: a staged
 * file is compared with its target and, if it changed, written to a temporary beside it, which the final
 * output_tree_write renames into place and output_tree_free removes when the run is abandoned. A file added to a
 * tree that stages (stage_directory set, or staged already) is staged while it is printed: its printer hands its
 * text on in pieces (printer_attach), each compared with the target's bytes at the same place as long as they are
 * equal, and written to the temporary from the first difference on (with the equal part copied from the target
 * first), so that no large file is ever held whole. */
#ifndef RPCC_OUTPUT_H
#define RPCC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "printer.h"

typedef struct OutputStaging OutputStaging;
typedef struct OutputTree OutputTree;
typedef struct PendingFile PendingFile;

typedef struct OutputFile {
    char *relative_path; /* '/'-separated, relative to the output directory; owned */
    Printer printer;     /* the file's content (what is not staged yet of it, for a file staged as it is printed) */
    OutputTree *tree;    /* the tree that stages it (its printer's sink reaches the staging through it) */
    PendingFile *pending; /* its staging, once begun (owned by the tree's staging) */
    bool staged;         /* staged completely: its temporary is written and closed, or its target is the same */
} OutputFile;

struct OutputTree {
    /* Each file is allocated on its own so that the printer output_tree_add returns stays valid while later
     * files are added (a backend may fill several files at once). */
    OutputFile **files;
    size_t count;
    size_t capacity;
    OutputStaging *staging; /* NULL until the first output_tree_stage */
    /* When set, backend_emit_files stages each file as soon as it is printed (its memory is released at once);
     * a staging failure ends the backend's emit with the message in stage_error. */
    const char *stage_directory;
    char stage_error[1024];
    /* When set, the files added from now on drop their text as it is printed (a printer holds at most one piece of
     * it, PRINTER_FLUSH_SIZE): --list-outputs needs only the paths. Such a tree must not be written or staged. */
    bool discard_text;
};

void output_tree_init(OutputTree *tree);
/* Frees the tree; temporaries and directories of a staging that was not committed are removed. */
void output_tree_free(OutputTree *tree);

/* Adds a file and returns its printer (valid until output_tree_free), or NULL if the path was already added (a
 * backend bug) or is not a safe relative path (empty, absolute, an empty component, "." or ".."). A path that is
 * also a directory of another path ("a" and "a/b") is reported by output_tree_write. */
Printer *output_tree_add(OutputTree *tree, const char *relative_path, const char *indent_unit);

/* Sorted (bytewise) list of relative paths (for --list-outputs) into paths_out, which has room for tree->count
 * entries; the pointers stay owned by the tree. */
void output_tree_sorted_paths(const OutputTree *tree, const char **paths_out);

typedef struct OutputStats {
    size_t written;   /* files created or replaced */
    size_t unchanged; /* files whose bytes were already identical */
} OutputStats;

/* Writes the tree under `directory` (created with parents if missing). Files whose current content equals the
 * new one are not touched. Every changed file is first written to a temporary file beside its target
 * (".<name, at most 32 bytes>.rpcc-tmp-<pid>-<n>", created with O_EXCL; an existing target's permission bits are kept) and all are
 * renamed only after every temporary was written and flushed; on any failure the temporaries are removed, no
 * target is changed, directories created by this call are removed again, and false is returned with a message
 * "path: reason" in `error` (size error_size). The one failure that cannot be undone is a rename that fails after
 * earlier renames succeeded (the checks before the renames make that unlikely: targets are known to be regular
 * files or missing, in directories that exist). `stats` may be NULL. */
bool output_tree_write(OutputTree *tree, const char *directory, OutputStats *stats, char *error,
                       size_t error_size);

/* Stages every file added so far and not staged yet (their printers must not be written to afterwards: their
 * memory is released), under `directory`, which every call for this tree must name alike. Creates the missing
 * directories and the temporaries of changed files; targets stay untouched until output_tree_write. On failure,
 * returns false with the message in `error`; output_tree_free then undoes what was staged. */
bool output_tree_stage(OutputTree *tree, const char *directory, char *error, size_t error_size);

/* Moves every file of `from` (staged or not) and what its staging did into `into`, which must stage under the same
 * directory, and leaves `from` empty: trees filled and staged by separate threads become one, written or undone
 * as one. `into` must have been staged already when `from` has (it created the output directory first, so that
 * trees staging at the same time never race to create it). Aborts on a staging directory mismatch (a bug). */
void output_tree_merge(OutputTree *into, OutputTree *from);

#endif
