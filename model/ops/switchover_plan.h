/* switchover_plan: what `repltop switchover NODE` found before it changes anything — the
 * candidate, the old primary (live, or stopped by an earlier run), how far the switchover got,
 * the name the old primary will stream as and both sync lists. action_switchover.c builds it
 * (the checks), switchover_steps.c carries it out. */
#ifndef REPLTOP_SWITCHOVER_PLAN_H
#define REPLTOP_SWITCHOVER_PLAN_H

#include "model/ops/action.h"
#include "model/local/local_node.h"
#include "model/local/local_server.h"
#include "model/pg/syncnames.h"

/* How far an earlier run got (the same command finishes it). */
enum switchover_phase {
    SW_START,    /* the old primary runs: stop it first */
    SW_STOPPED,  /* the old primary is stopped cleanly, the candidate is still a standby */
    SW_PROMOTED, /* the candidate is a primary: bring the others (and the old one) back */
};

struct switchover_plan {
    enum switchover_phase phase;
    struct node_conf *cc;      /* the candidate */
    const struct node_snap *c; /* in a->snap */
    struct node_conf *pc;      /* the old primary; NULL after it streams again (SW_PROMOTED) */
    const struct node_snap *p; /* in a->snap, NULL when not configured */
    struct local_node pl;      /* the old primary's data directory (when pc) */
    struct local_control ctl;  /* its control data once stopped (SW_STOPPED, SW_PROMOTED) */
    char p_app[NAME_LEN];      /* the application_name the old primary will stream as */
    char oldlist[SETTING_LEN];
    char oldsrc[SETTING_LEN]; /* where oldlist came from, for the step line */
    bool list_known;          /* newlist is worked out (else the candidate's own list stays) */
    char newlist[SYNCNAMES_FORMAT_MAX];
};

/* The steps from p->phase on (switchover_steps.c); the exit status. */
int switchover_run(struct action *a, struct switchover_plan *p);

#endif
