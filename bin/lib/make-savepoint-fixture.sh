#!/usr/bin/env bash
# (Re)writes the savepoint fixture jobs/src/test/resources/savepoints/v1 with the current code:
# the test SavepointCompatibilityITCase restores it on every CI run, so that a change which would
# break users' savepoints fails. Run this only on purpose (see the test's Javadoc), against the
# local services, then commit the fixture.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/bin/shoestring" up kafka postgres clickhouse
eval "$("$ROOT/bin/shoestring" env)"
cd "$ROOT"
mvn -B -pl jobs -am verify -Dtest=NoSuch -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SavepointCompatibilityITCase -Dshoestring.fixture.regenerate=true
git status --short jobs/src/test/resources/savepoints
