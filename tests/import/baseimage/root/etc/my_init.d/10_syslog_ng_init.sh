#!/bin/sh
mkdir -p /var/lib/syslog-ng
