#!/bin/bash
set -e
chown -R www-data: /home/app/webapp/tmp
