#!/usr/bin/env bash
# Installs the Node packages that build and test clients/typescript (from its package-lock.json:
# typescript and openapi-typescript, development only; the package itself has no dependency).
# Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../clients/typescript"

if [ -f node_modules/.package-lock.json ] && cmp -s package-lock.json node_modules/.tend-installed-lock; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.tend-installed-lock
echo "installed the Node packages of clients/typescript" >&2
