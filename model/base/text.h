/* text: how text from outside (a config, a conninfo, a server, a program, a recording) is made
 * safe to print on a terminal. One rule, used by the screen's grid, every error line on stderr,
 * `status`'s table, the actions' progress lines and the audit log (DESIGN.md section 5.10):
 *
 * - a control character becomes a visible escape: "\n", "\t", "\r", other C0 and DEL "\x1b";
 *   a C1 control (U+0080 to U+009F, written in UTF-8) "\u009b";
 * - a byte that is not part of valid UTF-8 (overlong forms, surrogates, above U+10FFFF, a cut
 *   sequence) becomes "\xff";
 * - everything else is kept as it is, so the result is valid UTF-8 without any control byte;
 * - line ends at the very end of the text (libpq's messages end in one) are dropped: the line
 *   end is the printer's.
 *
 * The escaping is for eyes only (a backslash is not doubled). JSON keeps the exact string. */
#ifndef REPLTOP_TEXT_H
#define REPLTOP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TEXT_ESC_MAX 8 /* the longest escape, "\u009f", and its NUL */

/* One unit of the non-empty text s: returns its length in bytes (>= 1). A unit to escape
 * writes its escape into esc; a unit kept as it is leaves esc "" and sets *cp. */
size_t text_unit(const char *s, uint32_t *cp, char esc[TEXT_ESC_MAX]);

/* s escaped into dst (size n > 0), always NUL-terminated, cut only between units; NULL s gives
 * "", and dst may be s. Returns dst. */
char *text_escape(char *dst, size_t n, const char *s);
/* s escaped, allocated (caller frees). */
char *text_escape_dup(const char *s);
/* Writes s escaped to f. */
void text_fputs(FILE *f, const char *s);
/* One error line on stderr: "repltop: " and the formatted text, escaped, and a newline. */
void text_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
