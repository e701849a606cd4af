#!/bin/sh
# One-shot joining of couchdb-1..3 into one CouchDB cluster (the `cluster` profile of
# docker-compose.yml), through CouchDB's /_cluster_setup API:
#   enable_cluster on the coordinator (couchdb-1), enable_cluster + add_node for each other
#   node, then finish_cluster (creates _users and _replicator, syncs the admin's password
#   hash, the server uuid and the cookie secret across all nodes).
# Safe to run again: it exits at once when the cluster is already finished.
#
# Env: COUCHDB_USER, COUCHDB_PASSWORD (the admin of every node), CLUSTER_DOMAIN (the network
# alias suffix, so node N is couchdb@couchdb-N.$CLUSTER_DOMAIN), NODE_COUNT (3).
set -eu

: "${COUCHDB_USER:?}" "${COUCHDB_PASSWORD:?}" "${CLUSTER_DOMAIN:?}"
NODE_COUNT="${NODE_COUNT:-3}"
COORDINATOR="http://couchdb-1.${CLUSTER_DOMAIN}:5984"

# A JSON string body for the password and user (escapes backslashes and double quotes).
json_string() {
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}
USER_JSON="$(json_string "$COUCHDB_USER")"
PASSWORD_JSON="$(json_string "$COUCHDB_PASSWORD")"

couch() { # couch METHOD URL [JSON]
  if [ $# -ge 3 ]; then
    curl -fsS -u "${COUCHDB_USER}:${COUCHDB_PASSWORD}" -X "$1" -H 'Content-Type: application/json' "$2" -d "$3"
  else
    curl -fsS -u "${COUCHDB_USER}:${COUCHDB_PASSWORD}" -X "$1" "$2"
  fi
  echo
}

wait_for() { # wait_for URL
  tries=0
  until curl -fsS -o /dev/null "$1/_up"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 90 ]; then echo "cluster-setup: $1 did not come up" >&2; exit 1; fi
    sleep 2
  done
}

i=1
while [ "$i" -le "$NODE_COUNT" ]; do
  wait_for "http://couchdb-${i}.${CLUSTER_DOMAIN}:5984"
  i=$((i + 1))
done

if couch GET "${COORDINATOR}/_cluster_setup" | grep -q '"cluster_finished"'; then
  echo "cluster-setup: the cluster is already set up"
  couch GET "${COORDINATOR}/_membership"
  exit 0
fi

# Each step is skipped when an earlier, interrupted run already did it.
if couch GET "${COORDINATOR}/_cluster_setup" | grep -q '"cluster_disabled"'; then
  echo "cluster-setup: enabling cluster mode on couchdb-1"
  couch POST "${COORDINATOR}/_cluster_setup" \
    "{\"action\":\"enable_cluster\",\"bind_address\":\"0.0.0.0\",\"username\":${USER_JSON},\"password\":${PASSWORD_JSON},\"node_count\":\"${NODE_COUNT}\"}"
fi

i=2
while [ "$i" -le "$NODE_COUNT" ]; do
  host="couchdb-${i}.${CLUSTER_DOMAIN}"
  if couch GET "http://${host}:5984/_cluster_setup" | grep -q '"cluster_disabled"'; then
    echo "cluster-setup: enabling cluster mode on ${host}"
    couch POST "${COORDINATOR}/_cluster_setup" \
      "{\"action\":\"enable_cluster\",\"bind_address\":\"0.0.0.0\",\"username\":${USER_JSON},\"password\":${PASSWORD_JSON},\"port\":5984,\"node_count\":\"${NODE_COUNT}\",\"remote_node\":\"${host}\",\"remote_current_user\":${USER_JSON},\"remote_current_password\":${PASSWORD_JSON}}"
  fi
  if ! couch GET "${COORDINATOR}/_membership" | grep -q "\"couchdb@${host}\""; then
    echo "cluster-setup: adding ${host}"
    # "host" must be the host part of the node's Erlang name (-name couchdb@<host>).
    couch POST "${COORDINATOR}/_cluster_setup" \
      "{\"action\":\"add_node\",\"host\":\"${host}\",\"port\":5984,\"username\":${USER_JSON},\"password\":${PASSWORD_JSON}}"
  fi
  i=$((i + 1))
done

echo "cluster-setup: finishing"
couch POST "${COORDINATOR}/_cluster_setup" '{"action":"finish_cluster"}'

# All nodes must be connected ("cluster_nodes"), not only known ("all_nodes").
tries=0
while :; do
  membership="$(couch GET "${COORDINATOR}/_membership")"
  connected="$(printf '%s' "$membership" | sed -e 's/.*"cluster_nodes":\[\([^]]*\)\].*/\1/' | tr ',' '\n' | grep -c 'couchdb@' || true)"
  [ "$connected" -eq "$NODE_COUNT" ] && break
  tries=$((tries + 1))
  if [ "$tries" -ge 15 ]; then
    echo "cluster-setup: expected ${NODE_COUNT} connected nodes, found ${connected}: ${membership}" >&2
    exit 1
  fi
  sleep 2
done
echo "cluster-setup: done, membership ${membership}"
