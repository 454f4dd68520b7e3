#!/usr/bin/env bash
# nchan (Debian's nginx + libnginx-mod-nchan) as the fan-out peer: one
# pub/sub channel per id, published by `POST /pub/<id>`, subscribed with
# EventSource at `GET /sub/<id>`. Runs in the foreground until killed.
#   tools/bench/peers/nchan.sh PORT [WORKERS [DIR]]
# nginx keeps its config, pid and logs in DIR, which the caller removes
# (compare.py kills the whole group, so no trap here would run); without
# DIR, a fresh one removed when this script exits on its own or on a
# signal it can trap.
set -euo pipefail
port="${1:?port}"
workers="${2:-auto}"
prefix="${3:-}"
if [[ -z "$prefix" ]]; then
  prefix="$(mktemp -d /tmp/agenttheo-nchan.XXXXXX)"
  trap 'rm -rf "$prefix"' EXIT
fi
mkdir -p "$prefix/logs"
cat > "$prefix/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes $workers;
worker_rlimit_nofile 20000;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 20000; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $prefix/body;
  nchan_shared_memory_size 256M;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location ~ ^/pub/(\w+)$ {
      nchan_publisher;
      nchan_channel_id \$1;
      nchan_message_buffer_length 1000;
      nchan_message_timeout 10m;
    }
    location ~ ^/sub/(\w+)$ {
      nchan_subscriber eventsource;
      nchan_channel_id \$1;
      nchan_subscriber_first_message newest;
    }
  }
}
CONF
nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;'
