#!/bin/sh
wget -O /tmp/f http://x/f
usign -V -m /tmp/f -P /k
mtd write /tmp/f firmware
dd if=/tmp/f of=/dev/mmcblk0
