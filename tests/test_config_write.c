/* Config files written by repltop: a node added to the file (config_append_node: exact text,
 * refusals that leave the file as it was, mode and owner kept, links followed) and a [repltop]
 * setting set or replaced (config_set_setting, `sync set --save`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/config/config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- config_append_node: the new-replica action adds a node to the file ---- */

#define BASE_CONF                                                                                  \
    "# the demo\n"                                                                                 \
    "[repltop]\n"                                                                                  \
    "refresh = 1\n"                                                                                \
    "\n"                                                                                           \
    "[nodes]\n"                                                                                    \
    "db_m = host=127.0.0.1 port=5432 user=postgres passfile=/srv/pgpass\n"                         \
    "db_s1 = host=127.0.0.1 port=5433 user=postgres passfile=/srv/pgpass\n"                        \
    "\n"                                                                                           \
    "[node db_s1]\n"                                                                               \
    "datadir = /srv/demo/db_s1\n"                                                                  \
    "port = 5433\n"

static char dir[64], conf[128];

/* A private directory with conf holding text, mode mode. */
static void conf_dir(const char *text, mode_t mode)
{
    strcpy(dir, "/tmp/repltop-test-append.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(conf, sizeof conf, "%s/repltop.conf", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(conf, mode), 0);
}

static char *slurp(const char *p)
{
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The files of dir besides conf: a temp file left behind would show here. */
static int other_files(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
             strcmp(e->d_name, "repltop.conf") != 0 && strcmp(e->d_name, "link.conf") != 0;
    closedir(d);
    return n;
}

static void conf_dir_done(void)
{
    char link[160];
    snprintf(link, sizeof link, "%s/link.conf", dir);
    unlink(link);
    unlink(conf);
    assert_int_equal(rmdir(dir), 0); /* nothing else was left there */
}

static void append_good(void **state)
{
    (void)state;
    conf_dir(BASE_CONF, 0640);
    char err[600] = "";
    bool ok =
        config_append_node(conf, "db_s3", "host=127.0.0.1 port=5435 user=postgres",
                           "/srv/demo/db_s3", 5435, "/usr/lib/postgresql/15/bin", err, sizeof err);
    if (!ok)
        fail_msg("%s", err);
    assert_string_equal(slurp(conf), BASE_CONF "\n"
                                               "[nodes]\n"
                                               "db_s3 = host=127.0.0.1 port=5435 user=postgres\n"
                                               "\n"
                                               "[node db_s3]\n"
                                               "datadir = /srv/demo/db_s3\n"
                                               "port = 5435\n"
                                               "bindir = /usr/lib/postgresql/15/bin\n");
    struct stat st;
    assert_int_equal(stat(conf, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640); /* the mode is kept */
    assert_int_equal(other_files(), 0);         /* no temp file left */
    struct config c;
    config_init(&c);
    assert_true(config_load_file(&c, conf, err, sizeof err) &&
                config_validate(&c, err, sizeof err));
    assert_int_equal(c.nnodes, 3);
    struct node_conf *n = config_find_node(&c, "db_s3");
    assert_non_null(n);
    assert_string_equal(n->conninfo, "host=127.0.0.1 port=5435 user=postgres");
    assert_string_equal(n->datadir, "/srv/demo/db_s3");
    assert_string_equal(n->bindir, "/usr/lib/postgresql/15/bin");
    assert_int_equal(n->port, 5435);
    assert_string_equal(config_find_node(&c, "db_s1")->datadir, "/srv/demo/db_s1");
    config_done(&c);

    /* as root: the owner is kept too (the temp file is ours until it is given back) */
    if (geteuid() == 0) {
        assert_int_equal(chown(conf, 1, 1), 0);
        assert_true(config_append_node(conf, "db_s4", "host=127.0.0.1 port=5436", NULL, -1, NULL,
                                       err, sizeof err));
        assert_int_equal(stat(conf, &st), 0);
        assert_true(st.st_uid == 1 && st.st_gid == 1);
        assert_int_equal(st.st_mode & 07777, 0640);
        /* no [node] section without datadir, port or bindir */
        assert_non_null(strstr(slurp(conf), "\n[nodes]\ndb_s4 = host=127.0.0.1 port=5436\n"));
        assert_null(strstr(slurp(conf), "[node db_s4]"));
    }
    conf_dir_done();
}

/* A refused append leaves the file as it was, byte for byte, with its mode. */
static void refused(const char *text, const char *name, const char *conninfo, const char *datadir,
                    int port, const char *want)
{
    conf_dir(text, 0600);
    char err[600] = "";
    assert_false(config_append_node(conf, name, conninfo, datadir, port, NULL, err, sizeof err));
    if (!strstr(err, want))
        fail_msg("expected \"%s\" in: %s", want, err);
    assert_string_equal(slurp(conf), text);
    struct stat st;
    assert_int_equal(stat(conf, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(other_files(), 0);
    conf_dir_done();
}

static void append_refused(void **state)
{
    (void)state;
    /* a name the file has, in [nodes] or only as [node X] */
    refused(BASE_CONF, "db_s1", "host=127.0.0.1 port=5435", NULL, 5435,
            "node \"db_s1\" is already in");
    refused("[nodes]\ndb_m = host=a\n[node db_x]\nport = 5\n", "db_x", "host=b", NULL, -1,
            "already in");
    /* libpq's parser refuses the conninfo */
    refused(BASE_CONF, "db_s3", "host=127.0.0.1 port", NULL, 5435, "missing \"=\"");
    refused(BASE_CONF, "db_s3", "host='unterminated", NULL, 5435, "unterminated");
    refused(BASE_CONF, "db_s3", "nosuchkey=1", NULL, 5435, "invalid connection option");
    /* what inih would not give back as written */
    refused(BASE_CONF, "db_s3", "host=a application_name='x ;y'", NULL, 5435, "comment");
    refused(BASE_CONF, "db=s3", "host=a", NULL, 5435, "cannot be written");
    refused(BASE_CONF, "db_s3", "host=a", "/srv/demo/db_s3 ", 5435, "blank");
    refused(BASE_CONF, "db_s3", "host=a", "/srv/demo\n[nodes]", 5435, "control character");
    refused(BASE_CONF, "", "host=a", NULL, 5435, "1 to 63 characters");
    refused(BASE_CONF, "a_name_of_forty_five_characters_is_one_too_lo", "host=a", NULL, 5435,
            "longer than 44");
    refused(BASE_CONF, "db_s3", "host=a", NULL, 70000, "port must be");
    /* a line longer than the reader takes */
    char longci[300];
    snprintf(longci, sizeof longci, "host=127.0.0.1 application_name=%0200d", 0);
    refused(BASE_CONF, "db_s3", longci, NULL, 5435, "the config reader takes at most 198");
    /* a file that does not load as it is */
    refused("[nodes]\ndb_m = host=a\nnot an ini line\n", "db_s3", "host=b", NULL, 5435,
            "fix the file first");
}

static void append_edge_cases(void **state)
{
    (void)state;
    char err[600] = "";
    /* no newline at the end of the old file */
    conf_dir("[nodes]\ndb_m = host=a", 0600);
    assert_true(config_append_node(conf, "db_s1", "host=b", NULL, 5433, NULL, err, sizeof err));
    assert_string_equal(slurp(conf),
                        "[nodes]\ndb_m = host=a\n\n[nodes]\ndb_s1 = host=b\n\n[node db_s1]\n"
                        "port = 5433\n");
    /* a symbolic link to the file: the file changes, the link stays a link */
    char link[160];
    snprintf(link, sizeof link, "%s/link.conf", dir);
    assert_int_equal(symlink(conf, link), 0);
    assert_true(config_append_node(link, "db_s2", "host=c", NULL, -1, NULL, err, sizeof err));
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_non_null(strstr(slurp(conf), "db_s2 = host=c\n"));
    /* at the limits of the reader: a 44-character name, a line of 198 characters */
    const char *n44 = "a_name_of_forty_four_characters_is_just_fine";
    assert_int_equal(strlen(n44), 44);
    assert_true(config_append_node(conf, n44, "host=d", "/srv/x", 5, NULL, err, sizeof err));
    char ci[200];
    snprintf(ci, sizeof ci, "application_name=%0*d", 198 - 10 - 17, 0); /* "db_s198 = " + ci */
    assert_true(config_append_node(conf, "db_s198", ci, NULL, -1, NULL, err, sizeof err));
    assert_non_null(strstr(slurp(conf), "\ndb_s198 = application_name=0"));
    snprintf(ci, sizeof ci, "application_name=%0*d", 198 - 10 - 17 + 1, 0);
    assert_false(config_append_node(conf, "db_s199", ci, NULL, -1, NULL, err, sizeof err));
    assert_non_null(strstr(err, "would be 199 characters"));
    /* a missing file */
    assert_false(config_append_node("/nonexistent/repltop.conf", "x", "host=a", NULL, -1, NULL, err,
                                    sizeof err));
    assert_non_null(strstr(err, "/nonexistent/repltop.conf"));
    conf_dir_done();

    /* the text it writes, also shown by the dashboard's dialog */
    char *t = config_node_text("db_s3", "host=h", "/d", 5, "/b");
    assert_string_equal(t, "[nodes]\ndb_s3 = host=h\n\n[node db_s3]\ndatadir = /d\nport = 5\n"
                           "bindir = /b\n");
    free(t);
    t = config_node_text("db_s3", "host=h", NULL, -1, NULL);
    assert_string_equal(t, "[nodes]\ndb_s3 = host=h\n");
    free(t);
}

/* The running dashboard picks up the nodes added to its file, and keeps the others. */
/* config_set_setting: `sync set --save` writes the policy into [repltop] */
static void set_setting(void **state)
{
    (void)state;
    char err[600] = "";
    /* a [repltop] section without the key: added after its header, other keys kept */
    conf_dir(BASE_CONF, 0640);
    if (!config_set_setting(conf, "sync", "FIRST 1", err, sizeof err))
        fail_msg("%s", err);
    const char *head = "# the demo\n[repltop]\n";
    size_t hl = strlen(head);
    char want[2048];
    snprintf(want, sizeof want, "%ssync = FIRST 1\n%s", head, BASE_CONF + hl);
    assert_string_equal(slurp(conf), want);
    /* replaced where it is */
    assert_true(config_set_setting(conf, "sync", "ANY 1 (db_s1, db_m)", err, sizeof err));
    snprintf(want, sizeof want, "%ssync = ANY 1 (db_s1, db_m)\n%s", head, BASE_CONF + hl);
    assert_string_equal(slurp(conf), want);
    struct stat st;
    assert_int_equal(stat(conf, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* a bad policy is refused and the file stays as it was */
    assert_false(config_set_setting(conf, "sync", "FIRST 0", err, sizeof err));
    assert_non_null(strstr(err, "sync must be a policy"));
    assert_false(config_set_setting(conf, "sync", "FIRST 1 ;x", err, sizeof err));
    assert_string_equal(slurp(conf), want);
    assert_int_equal(other_files(), 0);
    conf_dir_done();
    /* no [repltop] section: added at the top */
    conf_dir("# c\n[nodes]\na = host=x\n", 0600);
    assert_true(config_set_setting(conf, "sync", "FIRST 2", err, sizeof err));
    assert_string_equal(slurp(conf), "[repltop]\nsync = FIRST 2\n\n# c\n[nodes]\na = host=x\n");
    /* a file that does not load is not touched */
    conf_dir_done();
    conf_dir("[repltop]\nsync = junk (\n[nodes]\na = host=x\n", 0600);
    assert_false(config_set_setting(conf, "sync", "FIRST 1", err, sizeof err));
    assert_non_null(strstr(err, "nothing was changed"));
    conf_dir_done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_good),
        cmocka_unit_test(append_refused),
        cmocka_unit_test(append_edge_cases),
        cmocka_unit_test(set_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
