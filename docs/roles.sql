-- repltop's two roles, least privilege (PostgreSQL 15 or later; docs/DESIGN.md "Privileges").
-- Run once on the primary as a superuser (psql -f docs/roles.sql); roles and grants replicate
-- to the standbys. Then set their passwords (\password repltop_monitor, \password
-- repltop_admin), put them in ~/.pgpass or a service file, and allow them in pg_hba.conf.
--
-- Config:   [nodes] db1 = host=db1 user=repltop_monitor dbname=postgres
--           [repltop] admin_user = repltop_admin      (or [node db1] admin = CONNINFO)

-- Watching: every view the dashboard and `status` read (pg_stat_replication,
-- pg_stat_wal_receiver, pg_replication_slots, the settings).
CREATE ROLE repltop_monitor LOGIN;
GRANT pg_monitor TO repltop_monitor;

-- Acting: promote, sync set, rejoin (and the slot and settings steps of resync).
CREATE ROLE repltop_admin LOGIN REPLICATION;              -- REPLICATION: replication slots
GRANT pg_monitor TO repltop_admin;                         -- the checks before each action
GRANT pg_read_all_settings TO repltop_admin;               -- primary_conninfo, data_directory
GRANT pg_checkpoint TO repltop_admin;                      -- rejoin: CHECKPOINT on the primary
GRANT EXECUTE ON FUNCTION pg_catalog.pg_promote(boolean, integer) TO repltop_admin;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_reload_conf() TO repltop_admin;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_file(text) TO repltop_admin; -- timeline history
GRANT ALTER SYSTEM ON PARAMETER synchronous_standby_names TO repltop_admin;
GRANT ALTER SYSTEM ON PARAMETER synchronous_commit TO repltop_admin;
GRANT ALTER SYSTEM ON PARAMETER primary_conninfo TO repltop_admin;
-- pg_rewind's source (rejoin), as PostgreSQL's pg_rewind documentation lists them:
GRANT EXECUTE ON FUNCTION pg_catalog.pg_ls_dir(text, boolean, boolean) TO repltop_admin;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_file(text, boolean) TO repltop_admin;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text) TO repltop_admin;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)
    TO repltop_admin;

-- Not here: pg_basebackup (resync, new replica) and the standbys' streaming use the
-- replication user of primary_conninfo (REPLICATION and a "replication" line in pg_hba.conf).
-- Server prerequisite for rejoin: wal_log_hints = on or data checksums on every node.
