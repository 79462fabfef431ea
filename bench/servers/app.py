"""The benchmark's gateway application in Python: the twin of gateway-app.mjs and workload.mjs.

Served by Tornado's WSGIContainer (tornado_server.py) and by gunicorn (`gunicorn app:application`), one
workload per path, with exactly the bytes and the work the JavaScript servers do.
"""
import hashlib
import os

HELLO_BODY = b"Hello, world!"
STREAM_CHUNK = b"a" * 1024
STREAM_CHUNK_COUNT = 100
LARGE_CHUNK = b"b" * (64 * 1024)
CPU_BLOCK = b"c" * (16 * 1024)
CPU_UPDATES = int(os.environ.get("BENCH_CPU_UPDATES", "300"))
LARGE_BYTES = int(os.environ.get("BENCH_LARGE_BYTES", str(256 * 1024 * 1024)))


def burn_cpu(updates):
    digest = hashlib.sha256()
    for _ in range(updates):
        digest.update(CPU_BLOCK)
    return digest.hexdigest().encode("ascii")


def plain(start_response, body):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def stream_chunks():
    for _ in range(STREAM_CHUNK_COUNT):
        yield STREAM_CHUNK


def large_chunks():
    sent = 0
    while sent < LARGE_BYTES:
        chunk = LARGE_CHUNK[: LARGE_BYTES - sent]
        sent += len(chunk)
        yield chunk


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/hello":
        return plain(start_response, HELLO_BODY)
    if path == "/ping":
        return plain(start_response, b"pong")
    if path == "/echo":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        return plain(start_response, str(len(body)).encode("ascii"))
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return stream_chunks()
    if path == "/cpu":
        return plain(start_response, burn_cpu(CPU_UPDATES))
    if path == "/large":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return large_chunks()
    start_response("404 Not Found", [("Content-Length", "0")])
    return []
