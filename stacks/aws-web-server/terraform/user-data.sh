#!/bin/sh
# Formats and mounts the data volume, then serves a placeholder page on port 80.
set -eu
while [ ! -e /dev/nvme1n1 ] && [ ! -e /dev/xvdf ]; do sleep 2; done
DEVICE=$( [ -e /dev/nvme1n1 ] && echo /dev/nvme1n1 || echo /dev/xvdf )
blkid "$DEVICE" || mkfs.ext4 "$DEVICE"
mkdir -p /srv/data && mount "$DEVICE" /srv/data
apt-get update && apt-get install -y nginx
