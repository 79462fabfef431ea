"""The benchmark's Flask application: the same file served by tsgi --python, gunicorn and Tornado's WSGIContainer.

Debian's python3-flask (Flask 2.2) is pure Python; tsgi's interpreters see it through --python-path.
"""
from flask import Flask, request

app = Flask(__name__)


@app.route("/hello")
def hello():
    return "Hello, world!", 200, {"Content-Type": "text/plain"}


@app.route("/echo", methods=["POST"])
def echo():
    return str(len(request.get_data())), 200, {"Content-Type": "text/plain"}


@app.route("/ping")
def ping():
    return "pong", 200, {"Content-Type": "text/plain"}
