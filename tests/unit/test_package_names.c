/* ir/namer.c's package names per target, and the Go module path rule the CLI checks --go-module with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "ir/namer.h"

static void check_name(Target target, const char *base, const char *expected) {
    StrBuf out;
    strbuf_init(&out);
    strbuf_puts(&out, "x:"); /* appended after existing text */
    namer_append_package_name(&out, target, base);
    if (strcmp(strbuf_cstr(&out) + 2, expected) != 0)
        fail_msg("%s package of '%s': %s, expected %s", target_name(target), base ? base : "(none)",
                 strbuf_cstr(&out) + 2, expected);
    strbuf_free(&out);
}

static void test_package_names(void **state) {
    (void)state;
    check_name(TARGET_PYTHON, "tasks", "tasks_client");
    check_name(TARGET_PYTHON, NULL, "api_client");
    /* --package-name is any text: the import name stays importable (it was "Foo Bar_client", "9x_client") */
    check_name(TARGET_PYTHON, "Foo Bar", "foo_bar_client");
    check_name(TARGET_PYTHON, "9x", "_9x_client");
    check_name(TARGET_PYTHON, "my-api", "my_api_client");
    check_name(TARGET_TYPESCRIPT, "my_api", "my-api-client");
    check_name(TARGET_TYPESCRIPT, "_x__y_", "x-y-client");
    check_name(TARGET_TYPESCRIPT, "", "-client");
    check_name(TARGET_GO, "tasks", "tasks");
    check_name(TARGET_GO, "9lives", "sdk9lives");
    check_name(TARGET_GO, "Foo-Bar", "_oo__ar");
    check_name(TARGET_GO, "type", "type_"); /* the namer's one list of Go keywords */
    check_name(TARGET_GO, "import", "import_");
    check_name(TARGET_GO, "_", "__");
    check_name(TARGET_GO, "", "opensdk");
    StrBuf out;
    strbuf_init(&out);
    namer_append_python_distribution(&out, "my_api");
    assert_string_equal(strbuf_cstr(&out), "my-api-client");
    strbuf_clear(&out);
    namer_append_python_distribution(&out, "Foo Bar");
    assert_string_equal(strbuf_cstr(&out), "foo-bar-client");
    strbuf_free(&out);
}

static void test_go_module_paths(void **state) {
    (void)state;
    const char *valid[] = {"go", "example.com/x/y-z", "github.com/you/sdk_v2", "a.b~c/D"};
    const char *invalid[] = {"", "Bad Module", "a//b", "/a", "a/", "-x", "x.", "a/.b", "a+b", "é"};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        if (!namer_is_go_module_path(valid[i])) fail_msg("'%s' is a module path", valid[i]);
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        if (namer_is_go_module_path(invalid[i])) fail_msg("'%s' is not a module path", invalid[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_package_names),
        cmocka_unit_test(test_go_module_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
