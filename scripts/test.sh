#!/usr/bin/env bash
# The README's test command: installs what the tests need (OpenBLAS, Fashion-MNIST), then runs
# the whole suite with Maven: unit tests, then the packaged jars' checks (*IT). Extra arguments
# go to Maven (e.g. -Dtest=LossTest).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$SP_ROOT/scripts/setup.sh" --data
cd "$SP_ROOT"
exec mvn -B verify "$@"
