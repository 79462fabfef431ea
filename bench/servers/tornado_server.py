"""A WSGI application served by Tornado's WSGIContainer on Tornado's HTTPServer (on the IOLoop thread).

`python3 tornado_server.py [module:callable]`; the default is app:application (app.py).
"""
import importlib
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tornado.httpserver  # noqa: E402
import tornado.ioloop  # noqa: E402
import tornado.netutil  # noqa: E402
import tornado.wsgi  # noqa: E402


def main():
    module_name, _, name = (sys.argv[1] if len(sys.argv) > 1 else "app:application").partition(":")
    application = getattr(importlib.import_module(module_name), name or "application")
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(tornado.wsgi.WSGIContainer(application))
    server.add_sockets(sockets)
    loop = tornado.ioloop.IOLoop.current()
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    print(f"LISTENING {sockets[0].getsockname()[1]}", flush=True)
    loop.start()


if __name__ == "__main__":
    main()
