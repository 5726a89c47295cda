#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster and create the test role and database (as root; safe to run again).
# The tests then reach it at the default PROOFHOOK_TEST_DATABASE_URL, postgresql://proofhook:proofhook@127.0.0.1:5432/proofhook_test
set -euo pipefail
VERSION=${PG_VERSION:-15}
pg_ctlcluster "$VERSION" main start 2>/dev/null || pg_ctlcluster "$VERSION" main status >/dev/null
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'CREATE ROLE proofhook LOGIN PASSWORD ''proofhook'''
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'proofhook') \gexec
SELECT 'CREATE DATABASE proofhook_test OWNER proofhook'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'proofhook_test') \gexec
SQL
