/* syncnames: PostgreSQL's synchronous_standby_names as plain data — parse, format, edit, and the
 * questions repltop asks of it (does this standby count? would commits block?).
 *
 * The grammar, as PostgreSQL 15 parses it (syncrep_scanner.l, syncrep_gram.y, and
 * check_synchronous_standby_names; each point checked against a real postgres 15 binary):
 *
 *   FIRST n (name, ...)   wait for the n highest-priority (earliest listed) connected standbys
 *   ANY n (name, ...)     wait for any n of the listed standbys (quorum)
 *   n (name, ...)         the 9.6 form, same as FIRST n
 *   name, ...             same as FIRST 1
 *   ''                    no synchronous replication
 *
 * - A name is an identifier ([A-Za-z_ or any byte >= 0x80][A-Za-z0-9_$ or >= 0x80]*), a number,
 *   `*`, or a double-quoted string in which "" stands for one quote. Unquoted names are NOT
 *   downcased; instead PostgreSQL compares names with application_name case-insensitively
 *   (pg_strcasecmp), so "Walreceiver" and walreceiver are the same standby. A quoted "*" is a
 *   wildcard too (the match is on the dequoted text).
 * - A bare number is a name: '1' is one standby named 1, '1, 2' two of them; only a number
 *   followed by "(" is a count.
 * - FIRST and ANY are keywords in any case, so they must be quoted to be used as names; FIRST1 or
 *   anybody are ordinary identifiers.
 * - Anything else (a dash, a dot, a space inside a name) is a syntax error unless quoted.
 * - n must be >= 1. n larger than the list is accepted, and then commits wait until that many
 *   standbys connect (see syncnames_exceeds_list / syncnames_would_block).
 * - Duplicate names and the empty quoted name "" are accepted; names are never truncated.
 *
 * Where this parser departs from PostgreSQL, on purpose:
 * - A string of only blanks parses as "none"; PostgreSQL rejects it ("syntax error at end of
 *   input"), so send syncnames_format() output to the server, never the user's raw text.
 * - Names longer than 63 bytes are rejected: pg_stat_replication shows at most 63 bytes of an
 *   application_name, so such a name could never be matched to a row here.
 * - A count above INT_MAX is rejected; PostgreSQL runs it through atoi() and 4294967297 becomes 1.
 * - More than SYNC_MAX_NAMES names are rejected. */
#ifndef REPLTOP_SYNCNAMES_H
#define REPLTOP_SYNCNAMES_H

#include <stdbool.h>
#include <stddef.h>

#define SYNC_MAX_NAMES 64
#define SYNC_NAME_LEN  64 /* NAMEDATALEN: 63 bytes and the NUL */
/* A buffer this large always holds syncnames_format() output: "FIRST 2147483647 (" and 64 names of
 * 63 bytes that are all quotes (so 128 bytes quoted), each with its ", ", and ")". */
#define SYNCNAMES_FORMAT_MAX 8448

enum sync_method {
    SYNC_NONE,  /* empty setting: commits wait for no standby */
    SYNC_FIRST, /* priority: the first num connected standbys in list order */
    SYNC_ANY,   /* quorum: any num of the listed standbys */
};

/* Plain data: copy it with `=`. syncnames_parse zeroes the unused names. */
struct syncnames {
    enum sync_method method;
    int num;              /* standbys a commit waits for; 0 with SYNC_NONE */
    int nnames;           /* 0 with SYNC_NONE */
    bool explicit_method; /* FIRST/ANY was written out, as opposed to "n (...)" or a bare list */
    char names[SYNC_MAX_NAMES][SYNC_NAME_LEN]; /* as written, dequoted, not case-folded */
};

/* Parses a synchronous_standby_names value (NULL is ""). On error returns false, leaves *out
 * alone and writes one line to err saying what is wrong and at which byte position (counting from
 * 1), e.g. `unexpected ")" at position 10; expected a standby name`. err may be NULL. */
bool syncnames_parse(const char *s, struct syncnames *out, char *err, size_t errlen);

/* Parses a declared sync policy ([repltop] sync): either a setting with names, as
 * syncnames_parse() reads it, or one without: "FIRST n" / "ANY n" (keyword in any case, n >= 1),
 * which gives method and num with nnames = 0. The empty setting is not a policy (an error), nor
 * is a bare "n". Same error lines as syncnames_parse(). */
bool syncnames_parse_policy(const char *s, struct syncnames *out, char *err, size_t errlen);

/* Writes the canonical form: `FIRST 1 (walreceiversync, walreceiver)`, `ANY 1 (db_m, "db-2")`,
 * or "" for SYNC_NONE. Names are double-quoted unless they are `*` or a plain identifier
 * ([A-Za-z_][A-Za-z0-9_$]*) other than FIRST/ANY; upper case needs no quotes because PostgreSQL
 * neither downcases nor compares case-sensitively. syncnames_parse() of the result gives back the
 * same struct, except that explicit_method becomes true.
 * Returns false when buf was too small (use SYNCNAMES_FORMAT_MAX) or the struct is not a setting
 * PostgreSQL accepts (no names, num < 1): then buf must not be sent to the server. */
bool syncnames_format(const struct syncnames *s, char *buf, size_t n);

/* Same configuration as far as PostgreSQL is concerned: method, num and the ordered names compared
 * case-insensitively. explicit_method is ignored ("a, b" equals "FIRST 1 (a, b)"). */
bool syncnames_equal(const struct syncnames *a, const struct syncnames *b);

/* Whether a walsender with this application_name is listed: case-insensitive (ASCII), and `*`
 * matches anything. Always false for SYNC_NONE. */
bool syncnames_matches(const struct syncnames *s, const char *application_name);

/* Index of the first entry that matches application_name as syncnames_matches() does (so a `*`
 * entry counts), or -1. With FIRST this is PostgreSQL's sync_priority minus one. */
int syncnames_index(const struct syncnames *s, const char *application_name);

/* Replaces old_name (case-insensitive; `*` only matches a `*` entry) by new_names, in their order,
 * at old_name's place: used after a promotion, when the new primary's own name gives way to the
 * standbys that remain. Later duplicates of old_name are dropped; a new name already in the list
 * stays where it is and is not added again. Method and num are kept even when num now exceeds the
 * list: the caller decides and warns (syncnames_exceeds_list). An empty result becomes SYNC_NONE.
 * Returns false, leaving *s alone, when old_name is not listed, a new name is NULL, empty or longer
 * than 63 bytes, or the list would exceed SYNC_MAX_NAMES. */
bool syncnames_replace(struct syncnames *s, const char *old_name, const char *const *new_names,
                       int n);

/* Removes every entry equal to name (case-insensitive). Removing the last one leaves SYNC_NONE,
 * since PostgreSQL has no empty list: the caller should say that sync replication is now off.
 * Returns false when name is not listed. */
bool syncnames_remove(struct syncnames *s, const char *name);

/* How many synchronous standbys each commit waits for: 0 with SYNC_NONE, else num. */
int syncnames_required(const struct syncnames *s);

/* num is larger than the number of names and there is no `*`: commits block unless several
 * standbys share an application_name (PostgreSQL counts walsenders, not names). */
bool syncnames_exceeds_list(const struct syncnames *s);

/* The writes_blocked rule: true when fewer of the connected standbys are listed than commits wait
 * for. Pass the application_name of every pg_stat_replication row in state "streaming" (PostgreSQL
 * counts only those); each row counts once, two rows with the same name count twice, and with `*`
 * every row counts. Always false with SYNC_NONE. */
bool syncnames_would_block(const struct syncnames *s, const char *const *connected_app_names,
                           int n);

/* Whether two standby names are the same to PostgreSQL: pg_strcasecmp in the C locale, where
 * only ASCII letters fold. */
bool syncnames_name_eq(const char *a, const char *b);

/* "FIRST", "ANY" (as written in the setting) or "none". */
const char *sync_method_name(enum sync_method m);

#endif
