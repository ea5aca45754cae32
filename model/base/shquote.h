/* shquote: words for a POSIX shell on another host. ssh sends one command string that the
 * remote login shell splits into words; each word is single-quoted here (a ' inside becomes
 * '\''), so a data directory or name with blanks, quotes, $, backticks, ; or a newline stays
 * exactly one word and nothing in it is expanded or run. No shell is ever used on this host. */
#ifndef REPLTOP_SHQUOTE_H
#define REPLTOP_SHQUOTE_H

/* 'word' with every ' written as '\'' (the empty word is ''). A heap string. */
char *sh_quote(const char *word);
/* The words of argv (NULL-terminated), each quoted, joined by one blank. A heap string. */
char *sh_join(const char *const *argv);

#endif
