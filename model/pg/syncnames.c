/* syncnames: the synchronous_standby_names scanner, recursive-descent parser and formatter (the
 * questions and list edits are syncnames_edit.c). The grammar and where this code departs from
 * PostgreSQL are described in syncnames.h. */
#include "model/pg/syncnames.h"
#include "model/base/util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- scanner: the tokens of syncrep_scanner.l ---- */

enum tok_kind {
    TOK_END,
    TOK_NAME,   /* identifier or `*` */
    TOK_QUOTED, /* "double-quoted name" */
    TOK_NUM,    /* digits: a count before "(", a name anywhere else */
    TOK_ANY,
    TOK_FIRST,
    TOK_COMMA,
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_JUNK,         /* one byte PostgreSQL has no token for */
    TOK_UNTERMINATED, /* a quote that is never closed */
};

struct token {
    enum tok_kind kind;
    size_t start, end;       /* byte offsets in the source, end exclusive */
    char val[SYNC_NAME_LEN]; /* the name as PostgreSQL sees it (dequoted), cut at 63 bytes */
    size_t vlen;             /* its full length, to reject long names rather than cut them */
};

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Bytes >= 0x80 are identifier characters in PostgreSQL's scanner, so UTF-8 names need no quotes.
 */
static bool is_ident_start(int c)
{
    return is_alpha(c) || c == '_' || c >= 0x80;
}

static bool is_ident_cont(int c)
{
    return is_ident_start(c) || is_digit(c) || c == '$';
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* pg_strcasecmp as it behaves in the C locale: only ASCII letters fold. */
bool syncnames_name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
            return false;
    return *a == *b;
}

static bool is_keyword(const char *s)
{
    return syncnames_name_eq(s, "first") || syncnames_name_eq(s, "any");
}

static void tok_append(struct token *t, char c)
{
    if (t->vlen < SYNC_NAME_LEN - 1)
        t->val[t->vlen] = c;
    t->vlen++;
    t->val[t->vlen < SYNC_NAME_LEN ? t->vlen : SYNC_NAME_LEN - 1] = '\0';
}

/* Reads the token at *pos, the way flex would: longest match, keywords before identifiers. */
static void scan(const char *src, size_t *pos, struct token *t)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = *pos;
    while (is_space(s[i]))
        i++;
    memset(t, 0, sizeof *t);
    t->start = i;
    int c = s[i];
    if (c == '\0') {
        t->kind = TOK_END;
    } else if (c == '"') {
        t->kind = TOK_QUOTED;
        i++;
        for (;;) {
            if (s[i] == '\0') {
                t->kind = TOK_UNTERMINATED;
                break;
            }
            if (s[i] == '"' && s[i + 1] == '"') {
                tok_append(t, '"');
                i += 2;
            } else if (s[i] == '"') {
                i++;
                break;
            } else {
                tok_append(t, (char)s[i++]);
            }
        }
    } else if (is_ident_start(c)) {
        while (is_ident_cont(s[i]))
            tok_append(t, (char)s[i++]);
        t->kind = TOK_NAME;
        if (syncnames_name_eq(t->val, "any"))
            t->kind = TOK_ANY;
        else if (syncnames_name_eq(t->val, "first"))
            t->kind = TOK_FIRST;
    } else if (is_digit(c)) {
        while (is_digit(s[i]))
            tok_append(t, (char)s[i++]);
        t->kind = TOK_NUM;
    } else {
        i++;
        switch (c) {
        case '*':
            t->kind = TOK_NAME;
            tok_append(t, '*');
            break;
        case ',':
            t->kind = TOK_COMMA;
            break;
        case '(':
            t->kind = TOK_LPAREN;
            break;
        case ')':
            t->kind = TOK_RPAREN;
            break;
        default:
            t->kind = TOK_JUNK;
            break;
        }
    }
    t->end = i;
    *pos = i;
}

/* ---- parser: the four forms of syncrep_gram.y ---- */

struct parser {
    const char *src;
    size_t pos;
    struct token tok;
    enum tok_kind prev_kind; /* the token before tok, for hints */
    size_t prev_end;
    struct syncnames *out;
    char *err;
    size_t errlen;
};

static void advance(struct parser *p)
{
    p->prev_kind = p->tok.kind;
    p->prev_end = p->tok.end;
    scan(p->src, &p->pos, &p->tok);
}

static bool fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(struct parser *p, const char *fmt, ...)
{
    if (p->err && p->errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, p->errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* The token as the user wrote it, for messages: quoted names keep their own quotes, others get
 * quotes; control bytes are escaped so the message stays one line, and long tokens are cut. */
static void describe(const struct parser *p, char *buf, size_t n)
{
    const unsigned char *s = (const unsigned char *)p->src + p->tok.start;
    size_t len = p->tok.end - p->tok.start;
    bool quote = p->tok.kind != TOK_QUOTED;
    size_t used = 0;
    if (quote)
        used += (size_t)snprintf(buf + used, n - used, "\"");
    for (size_t i = 0; i < len && used + 8 < n; i++) {
        if (i == 40) {
            used += (size_t)snprintf(buf + used, n - used, "...");
            break;
        }
        if (s[i] < 0x20 || s[i] == 0x7f)
            used += (size_t)snprintf(buf + used, n - used, "\\x%02x", s[i]);
        else
            buf[used++] = (char)s[i];
    }
    buf[used] = '\0';
    if (quote)
        snprintf(buf + used, n - used, "\"");
}

/* Reports the current token as a syntax error, with a hint where the likely mistake is known. */
static bool unexpected(struct parser *p, const char *expected)
{
    char what[256];
    size_t at = p->tok.start + 1;
    switch (p->tok.kind) {
    case TOK_END:
        return fail(p, "unexpected end of input; expected %s", expected);
    case TOK_UNTERMINATED:
        return fail(p, "unterminated quoted name starting at position %zu", at);
    case TOK_JUNK:
        describe(p, what, sizeof what);
        return fail(p,
                    "unexpected character %s at position %zu; a name with characters other than "
                    "letters, digits, _ and $ must be double-quoted",
                    what, at);
    case TOK_NAME:
        describe(p, what, sizeof what);
        if (p->prev_kind == TOK_NUM && p->prev_end == p->tok.start)
            return fail(p,
                        "unexpected %s at position %zu; expected %s (a name that starts with a "
                        "digit must be double-quoted)",
                        what, at, expected);
        break;
    default:
        describe(p, what, sizeof what);
        break;
    }
    return fail(p, "unexpected %s at position %zu; expected %s", what, at, expected);
}

static bool is_name_token(enum tok_kind k)
{
    return k == TOK_NAME || k == TOK_QUOTED || k == TOK_NUM;
}

/* Adds a name token to the list, enforcing the limits that PostgreSQL does not have. */
static bool add_name(struct parser *p, const struct token *t)
{
    struct syncnames *o = p->out;
    if (t->vlen > SYNC_NAME_LEN - 1)
        return fail(p,
                    "standby name at position %zu is %zu bytes long; an application_name has at "
                    "most %d",
                    t->start + 1, t->vlen, SYNC_NAME_LEN - 1);
    if (o->nnames == SYNC_MAX_NAMES)
        return fail(p, "more than %d standby names (the next one is at position %zu)",
                    SYNC_MAX_NAMES, t->start + 1);
    memcpy(o->names[o->nnames++], t->val, t->vlen + 1);
    return true;
}

/* The count, read from the source rather than val, which keeps only 63 digits (leading zeros
 * can make a long token a small number, as atoi() sees it). */
static bool set_num(struct parser *p, const struct token *t)
{
    long long v = 0;
    for (size_t i = t->start; i < t->end; i++) {
        v = v * 10 + (p->src[i] - '0');
        if (v > INT_MAX)
            return fail(p, "number of synchronous standbys at position %zu is too large",
                        t->start + 1);
    }
    if (v < 1)
        return fail(p,
                    "number of synchronous standbys must be at least 1, got %lld at position %zu",
                    v, t->start + 1);
    p->out->num = (int)v;
    return true;
}

/* name {, name} followed by `closer`, starting at the current token. */
static bool parse_list(struct parser *p, enum tok_kind closer)
{
    const char *after_name = closer == TOK_RPAREN ? "\",\" or \")\"" : "\",\" or end of input";
    for (;;) {
        if (p->tok.kind == TOK_ANY || p->tok.kind == TOK_FIRST) {
            char what[256];
            describe(p, what, sizeof what);
            return fail(p,
                        "unexpected keyword %s at position %zu; expected a standby name (write "
                        "it in double quotes to use it as a name)",
                        what, p->tok.start + 1);
        }
        if (!is_name_token(p->tok.kind))
            return unexpected(p, "a standby name");
        if (!add_name(p, &p->tok))
            return false;
        advance(p);
        if (p->tok.kind == closer)
            return true;
        if (p->tok.kind != TOK_COMMA)
            return unexpected(p, after_name);
        advance(p);
    }
}

/* "(" list ")" end, starting at the current token. */
static bool parse_parenthesized(struct parser *p)
{
    if (p->tok.kind != TOK_LPAREN)
        return unexpected(p, "\"(\"");
    advance(p);
    if (!parse_list(p, TOK_RPAREN))
        return false;
    advance(p);
    if (p->tok.kind != TOK_END)
        return unexpected(p, "end of input after \")\"");
    return true;
}

static bool parse_config(struct parser *p)
{
    struct syncnames *o = p->out;
    advance(p);
    o->method = SYNC_FIRST;
    if (p->tok.kind == TOK_ANY || p->tok.kind == TOK_FIRST) {
        bool any = p->tok.kind == TOK_ANY;
        o->method = any ? SYNC_ANY : SYNC_FIRST;
        o->explicit_method = true;
        advance(p);
        if (p->tok.kind == TOK_COMMA || p->tok.kind == TOK_END)
            return unexpected(p, any ? "a number after ANY (write \"any\" in double quotes to use "
                                       "it as a name)"
                                     : "a number after FIRST (write \"first\" in double quotes "
                                       "to use it as a name)");
        if (p->tok.kind != TOK_NUM)
            return unexpected(p, any ? "a number after ANY" : "a number after FIRST");
        if (!set_num(p, &p->tok))
            return false;
        advance(p);
        return parse_parenthesized(p);
    }
    if (p->tok.kind == TOK_NUM) {
        /* One token of lookahead, as in bison: a number is a count only when "(" follows. */
        struct token num = p->tok;
        advance(p);
        if (p->tok.kind == TOK_LPAREN)
            return set_num(p, &num) && parse_parenthesized(p);
        o->num = 1;
        if (!add_name(p, &num))
            return false;
        if (p->tok.kind == TOK_END)
            return true;
        if (p->tok.kind != TOK_COMMA)
            return unexpected(p, "\"(\", \",\" or end of input");
        advance(p);
        return parse_list(p, TOK_END);
    }
    o->num = 1;
    return parse_list(p, TOK_END);
}

bool syncnames_parse(const char *s, struct syncnames *out, char *err, size_t errlen)
{
    struct syncnames res;
    memset(&res, 0, sizeof res);
    if (err && errlen > 0)
        err[0] = '\0';
    if (!s)
        s = "";
    const char *c = s;
    while (is_space((unsigned char)*c))
        c++;
    if (*c == '\0') {
        res.method = SYNC_NONE;
        *out = res;
        return true;
    }
    struct parser p = {.src = s, .out = &res, .err = err, .errlen = errlen};
    if (!parse_config(&p))
        return false;
    *out = res;
    return true;
}

bool syncnames_parse_policy(const char *s, struct syncnames *out, char *err, size_t errlen)
{
    if (!s)
        s = "";
    /* "FIRST n" / "ANY n" and nothing after: a policy that names no standby */
    struct syncnames res;
    memset(&res, 0, sizeof res);
    struct parser p = {.src = s, .out = &res, .err = err, .errlen = errlen};
    advance(&p);
    if (p.tok.kind == TOK_FIRST || p.tok.kind == TOK_ANY) {
        res.method = p.tok.kind == TOK_ANY ? SYNC_ANY : SYNC_FIRST;
        res.explicit_method = true;
        advance(&p);
        if (p.tok.kind == TOK_NUM) {
            struct token num = p.tok;
            advance(&p);
            if (p.tok.kind == TOK_END) {
                if (!set_num(&p, &num))
                    return false;
                *out = res;
                return true;
            }
        }
    }
    if (!syncnames_parse(s, &res, err, errlen))
        return false;
    if (res.method == SYNC_NONE) {
        if (err && errlen > 0)
            snprintf(err, errlen,
                     "an empty sync policy; write FIRST n or ANY n, or a list such as "
                     "FIRST 1 (a, b)");
        return false;
    }
    *out = res;
    return true;
}

/* ---- formatter ---- */

struct outbuf {
    char *buf;
    size_t n, len;
    bool ok;
};

static void emit(struct outbuf *o, const char *s, size_t len)
{
    if (o->n == 0) {
        o->ok = false;
        return;
    }
    if (o->len + len >= o->n) {
        len = o->n - 1 - o->len;
        o->ok = false;
    }
    memcpy(o->buf + o->len, s, len);
    o->len += len;
    o->buf[o->len] = '\0';
}

static void emit_str(struct outbuf *o, const char *s)
{
    emit(o, s, strlen(s));
}

static bool needs_quotes(const char *name)
{
    if (strcmp(name, "*") == 0)
        return false;
    /* ASCII only on purpose: PostgreSQL accepts bytes >= 0x80 unquoted, but quotes are always
     * safe and keep the output readable in any terminal encoding. */
    if (!is_alpha((unsigned char)name[0]) && name[0] != '_')
        return true;
    for (const char *c = name; *c; c++) {
        int ch = (unsigned char)*c;
        if (!is_alpha(ch) && !is_digit(ch) && ch != '_' && ch != '$')
            return true;
    }
    return is_keyword(name);
}

static void emit_name(struct outbuf *o, const char *name)
{
    if (!needs_quotes(name)) {
        emit_str(o, name);
        return;
    }
    emit(o, "\"", 1);
    for (const char *c = name; *c; c++) {
        if (*c == '"')
            emit(o, "\"\"", 2);
        else
            emit(o, c, 1);
    }
    emit(o, "\"", 1);
}

bool syncnames_format(const struct syncnames *s, char *buf, size_t n)
{
    struct outbuf o = {.buf = buf, .n = n, .len = 0, .ok = true};
    if (n > 0)
        buf[0] = '\0';
    if (s->method == SYNC_NONE)
        return n > 0;
    char head[32];
    snprintf(head, sizeof head, "%s %d (", sync_method_name(s->method), s->num);
    emit_str(&o, head);
    for (int i = 0; i < s->nnames; i++) {
        if (i > 0)
            emit(&o, ", ", 2);
        emit_name(&o, s->names[i]);
    }
    emit(&o, ")", 1);
    return o.ok && s->nnames > 0 && s->num >= 1;
}

const char *sync_method_name(enum sync_method m)
{
    switch (m) {
    case SYNC_FIRST:
        return "FIRST";
    case SYNC_ANY:
        return "ANY";
    case SYNC_NONE:
        break;
    }
    return "none";
}
