#!/bin/sh
# The image's entrypoint: runs billhound as PUID:PGID (default 1000:1000), after giving /data
# to that user, so files in a bind-mounted folder belong to the host user who owns it.
# Started as a non-root user already (docker run --user), it just runs billhound.
set -eu
if [ "$(id -u)" != 0 ]; then
  exec billhound "$@"
fi
PUID=${PUID:-1000}
PGID=${PGID:-1000}
case "$PUID$PGID" in
  *[!0-9]*) echo "billhound: PUID and PGID must be numbers (got PUID=$PUID PGID=$PGID)" >&2; exit 2 ;;
esac
data=${BILLHOUND_DATA:-/data}
mkdir -p "$data"
# Only when needed: a large archive would make every start slow.
if [ "$(stat -c %u:%g "$data")" != "$PUID:$PGID" ] || [ -n "$(find "$data" \( ! -user "$PUID" -o ! -group "$PGID" \) -print -quit)" ]; then
  chown -R "$PUID:$PGID" "$data"
fi
chmod 700 "$data"
export HOME=/tmp/billhound-home
mkdir -p "$HOME" && chown "$PUID:$PGID" "$HOME"
exec setpriv --reuid="$PUID" --regid="$PGID" --clear-groups -- billhound "$@"
