"""app.py served by Tornado's WSGIContainer on Tornado's HTTPServer (the app runs on the IOLoop thread)."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tornado.httpserver  # noqa: E402
import tornado.ioloop  # noqa: E402
import tornado.netutil  # noqa: E402
import tornado.wsgi  # noqa: E402

from app import application  # noqa: E402


def main():
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(tornado.wsgi.WSGIContainer(application))
    server.add_sockets(sockets)
    loop = tornado.ioloop.IOLoop.current()
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    print(f"LISTENING {sockets[0].getsockname()[1]}", flush=True)
    loop.start()


if __name__ == "__main__":
    main()
