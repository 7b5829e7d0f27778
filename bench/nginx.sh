# nginx's configuration pieces shared by the benchmark scripts (sourced): the settings every nginx
# here has, and the fixed upstream, an nginx whose one worker answers every request with 200 and a
# small TGI-shaped body, so that what is measured is the proxy in front of it, not a model.

nginx_common() { # dir
    cat <<EOF
daemon off;
master_process on;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
EOF
}

nginx_http_common() { # dir
    cat <<EOF
    access_log off;
    client_body_temp_path $1/client_body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
EOF
}

upstream_nginx_conf() { # dir port: the upstream's whole nginx.conf
    echo "worker_processes 1;"
    nginx_common "$1"
    echo "http {"
    nginx_http_common "$1"
    cat <<EOF
    server {
        listen 127.0.0.1:$2 backlog=1024;
        location / {
            # 'return' discards the request body, so the connection stays usable for the next request.
            default_type application/json;
            return 200 '{"generated_text":"hello","details":{"finish_reason":"length","generated_tokens":8}}';
        }
    }
}
EOF
}
