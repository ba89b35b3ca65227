#!/bin/sh
# Waits for the Temporal frontend, creates the namespace if it is missing and registers the custom
# search attributes the workflow sets (SEARCH_ATTRIBUTES="Name=Type ..."), then exits.
# Idempotent: what already exists is left alone.
set -eu

: "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS, e.g. temporal:7233}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${NAMESPACE_RETENTION:=72h}"
: "${SEARCH_ATTRIBUTES:?set SEARCH_ATTRIBUTES, e.g. ExperimentId=Keyword}"

# gRPC may try an IPv6 address first inside compose networks: dial the IPv4 address directly.
host=${TEMPORAL_ADDRESS%:*}
port=${TEMPORAL_ADDRESS##*:}
ipv4=$(getent ahostsv4 "$host" 2>/dev/null | awk 'NR == 1 { print $1 }')
address=${ipv4:-$host}:$port

retry() {
  attempts=$1
  shift
  n=1
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      echo "gave up after $attempts attempts: $*" >&2
      return 1
    fi
    n=$((n + 1))
    sleep 2
  done
}

echo "waiting for Temporal at $address"
retry 90 temporal operator cluster health --address "$address" >/dev/null

create_namespace() {
  if temporal operator namespace describe --address "$address" --namespace "$TEMPORAL_NAMESPACE" \
    >/dev/null 2>&1; then
    echo "namespace $TEMPORAL_NAMESPACE exists"
    return 0
  fi
  temporal operator namespace create --address "$address" --namespace "$TEMPORAL_NAMESPACE" \
    --retention "$NAMESPACE_RETENTION" || return 1
  echo "created namespace $TEMPORAL_NAMESPACE"
}

# The frontend answers health checks before the membership ring is stable: a first create can fail
# transiently, so it is retried like Temporal's own setup script does (describe first: idempotent).
retry 30 create_namespace

register() {
  name=$1
  type=$2
  if temporal operator search-attribute list --address "$address" --namespace "$TEMPORAL_NAMESPACE" \
    | grep -qw "$name"; then
    echo "search attribute $name exists"
    return 0
  fi
  temporal operator search-attribute create --address "$address" \
    --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type"
}

for pair in $SEARCH_ATTRIBUTES; do
  # A new namespace takes a few seconds to reach every service: retry until it is known.
  retry 30 register "${pair%%=*}" "${pair#*=}"
done
echo "namespace $TEMPORAL_NAMESPACE is ready with search attributes: $SEARCH_ATTRIBUTES"
