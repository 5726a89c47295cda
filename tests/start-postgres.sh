#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster and create the test role and database (as root; safe to run again).
# The tests then find it at their default PROOFHOOK_TEST_DATABASE_URL:
#   postgresql://proofhook:proofhook@127.0.0.1:5432/proofhook_test
set -euo pipefail
VERSION=${PG_VERSION:-$(ls /usr/lib/postgresql | sort -n | tail -1)}
if ! pg_lsclusters --no-header | grep -q "^$VERSION *main .*online"; then
  pg_ctlcluster "$VERSION" main start
fi
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'CREATE ROLE proofhook LOGIN PASSWORD ''proofhook'''
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'proofhook') \gexec
SELECT 'CREATE DATABASE proofhook_test OWNER proofhook'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'proofhook_test') \gexec
SQL
