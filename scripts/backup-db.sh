#!/usr/bin/env bash
# Back up the OceanOps MySQL database: one consistent, compressed logical dump
# (mysqldump --single-transaction, so writers are not blocked), optionally
# copied to Aliyun OSS, with local dumps older than RETENTION_DAYS deleted.
#
#   DB_HOST=... DB_USER=... DB_PASSWORD=... DB_NAME=oceanops scripts/backup-db.sh
#
# Required environment:
#   DB_HOST, DB_USER, DB_NAME
#   DB_PASSWORD      may be empty (a passwordless user), but must be set
# Optional environment:
#   DB_PORT          3306
#   BACKUP_DIR       /var/backups/oceanops
#   RETENTION_DAYS   7     local dumps older than this many days are deleted
#   OSS_BUCKET       oss://bucket/prefix: also upload the dump there (ossutil);
#                    retention in OSS is the bucket's lifecycle rule
#   OSSUTIL          ossutil   (the OSS command-line client to use)
#   MYSQLDUMP        mysqldump (or mariadb-dump)
#
# Prints the dump's path on stdout. Exit status: 0 done, 1 the backup failed,
# 2 a setting is missing or invalid. Restore: gunzip -c FILE | mysql -h ... -u ... -p
# (the dump carries CREATE DATABASE and USE for DB_NAME).
set -euo pipefail

log() { printf '%s backup-db: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
fail() { log "ERROR: $*"; exit 1; }
bad_setting() { log "ERROR: $*"; exit 2; }

for var in DB_HOST DB_USER DB_NAME; do
  [ -n "${!var:-}" ] || bad_setting "$var is required (see the header of $0)"
done
[ "${DB_PASSWORD+set}" = set ] || bad_setting "DB_PASSWORD is required (set it to an empty string for a passwordless user)"

DB_PORT=${DB_PORT:-3306}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/oceanops}
RETENTION_DAYS=${RETENTION_DAYS:-7}
OSS_BUCKET=${OSS_BUCKET:-}
OSSUTIL=${OSSUTIL:-ossutil}
MYSQLDUMP=${MYSQLDUMP:-mysqldump}

[[ $DB_PORT =~ ^[0-9]+$ ]] || bad_setting "DB_PORT must be a port number, got '$DB_PORT'"
if ! [[ $RETENTION_DAYS =~ ^[0-9]+$ ]] || [ "$RETENTION_DAYS" -lt 1 ]; then
  bad_setting "RETENTION_DAYS must be a whole number of days, at least 1, got '$RETENTION_DAYS'"
fi
[[ $DB_NAME =~ ^[A-Za-z0-9_]+$ ]] || bad_setting "DB_NAME may hold only letters, digits and _, got '$DB_NAME'"
command -v "$MYSQLDUMP" >/dev/null 2>&1 ||
  bad_setting "$MYSQLDUMP not found: install the MySQL client, or point MYSQLDUMP at mysqldump/mariadb-dump"
if [ -n "$OSS_BUCKET" ]; then
  [[ $OSS_BUCKET == oss://?* ]] || bad_setting "OSS_BUCKET must look like oss://bucket/prefix, got '$OSS_BUCKET'"
  command -v "$OSSUTIL" >/dev/null 2>&1 || bad_setting "OSS_BUCKET is set but $OSSUTIL is not installed"
fi
case $DB_PASSWORD in
  *$'\n'*) bad_setting "DB_PASSWORD must not contain a newline" ;;
esac

mkdir -p "$BACKUP_DIR" || fail "cannot create BACKUP_DIR $BACKUP_DIR"
umask 077 # dumps hold every advertiser's data

stamp=$(date -u +%Y%m%dT%H%M%SZ)
file="$BACKUP_DIR/$DB_NAME-$stamp.sql.gz"
partial="$file.partial"
# The password goes through an option file, never the command line (ps shows that).
options=$(mktemp)
trap 'rm -f "$options" "$partial"' EXIT
{
  printf '[client]\nhost=%s\nport=%s\nuser=%s\n' "$DB_HOST" "$DB_PORT" "$DB_USER"
  if [ -n "$DB_PASSWORD" ]; then
    case $DB_PASSWORD in
      *\"*) printf "password='%s'\n" "$DB_PASSWORD" ;;
      *) printf 'password="%s"\n' "${DB_PASSWORD//\\/\\\\}" ;;
    esac
  fi
} >"$options"

dump_opts=(--single-transaction --quick --triggers --hex-blob --no-tablespaces
  --default-character-set=utf8mb4 --databases "$DB_NAME")
# MySQL 8's mysqldump writes GTID statements a restore into another server rejects.
# (The help text is captured first: `--help | grep -q` under pipefail fails
# when grep stops early and the dump tool dies of SIGPIPE.)
dump_help=$("$MYSQLDUMP" --help 2>/dev/null || true)
if [[ $dump_help == *--set-gtid-purged* ]]; then
  dump_opts+=(--set-gtid-purged=OFF)
fi

log "dumping $DB_NAME from $DB_HOST:$DB_PORT"
"$MYSQLDUMP" --defaults-extra-file="$options" "${dump_opts[@]}" | gzip -c >"$partial" ||
  fail "mysqldump of $DB_NAME failed"
gzip -t "$partial" || fail "the compressed dump does not verify"
# A dump that ends early lacks mysqldump's completion comment.
last_line=$(gzip -dc "$partial" | tail -n 1)
[[ $last_line == "-- Dump completed"* ]] || fail "the dump is incomplete"
mv "$partial" "$file"
log "wrote $file ($(wc -c <"$file") bytes)"

if [ -n "$OSS_BUCKET" ]; then
  dest="${OSS_BUCKET%/}/$(basename "$file")"
  log "uploading to $dest"
  "$OSSUTIL" cp "$file" "$dest" >&2 || fail "upload to $dest failed (the local dump is kept)"
fi

# Retention: only this database's dumps, only in BACKUP_DIR itself.
find "$BACKUP_DIR" -maxdepth 1 -type f -name "$DB_NAME-*.sql.gz" -mmin +$((RETENTION_DAYS * 1440)) -print |
  while IFS= read -r old; do
    rm -f -- "$old"
    log "deleted $old (older than $RETENTION_DAYS days)"
  done

printf '%s\n' "$file"
