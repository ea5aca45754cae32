/* pgexec: one statement, its error message. */
#include "model/pg/pgexec.h"
#include "model/base/util.h"

#include <string.h>

bool pg_exec(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) {
        str_copy(err, errlen,
                 PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : PQerrorMessage(c));
        err[strcspn(err, "\n")] = '\0';
    }
    PQclear(r);
    return ok;
}
