"""The demo's Flask application, mounted under /flask/: real Python (CPython on Pyodide) beside the TypeScript apps.

Debian's python3-flask provides Flask; tsgi mounts its directory read-only into the interpreter.
"""
import platform
import sys

from flask import Flask, jsonify, render_template_string, request, url_for
from markupsafe import Markup

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · tsgi demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
  nav a { margin-right: 1rem; }
  form label { display: block; margin: .5rem 0; }
</style></head>
<body>
<nav><a href="/">tsgi demo</a><a href="{{ url_for('index') }}">Flask home</a></nav>
<h1>{{ title }}</h1>
{{ body }}
</body></html>"""


def page(title, body):
    return render_template_string(PAGE, title=title, body=Markup(body))


@app.route("/")
def index():
    body = render_template_string(
        """<p>This page comes from a <strong>Flask {{ flask_version }}</strong> application running on
<strong>Python {{ python }}</strong> ({{ implementation }} in WebAssembly, Pyodide) inside the tsgi server,
on a worker thread of its own interpreter. It is mounted under <code>{{ root }}</code>, which Flask reads from
<code>SCRIPT_NAME</code> to build every link.</p>
<ul id="flask-parts">
<li><a href="{{ url_for('greet') }}">A form</a>: Flask parses the POST body it reads from <code>wsgi.input</code>.</li>
<li><a href="{{ url_for('info') }}">JSON</a>: <code>jsonify</code> of the request as Flask sees it.</li>
</ul>""",
        flask_version=_flask_version(),
        python=platform.python_version(),
        implementation=platform.python_implementation(),
        root=request.script_root or "/",
    )
    return page("Flask on tsgi", body)


@app.route("/greet", methods=["GET", "POST"])
def greet():
    name = request.form.get("name", "").strip() if request.method == "POST" else ""
    body = render_template_string(
        """{% if name %}<p id="greeting">Hello, {{ name }}! (from Python, {{ length }} characters)</p>{% endif %}
<form method="post" action="{{ url_for('greet') }}">
<label>Your name <input name="name" maxlength="100" value="{{ name }}"></label>
<button type="submit">Greet</button>
</form>""",
        name=name,
        length=len(name),
    )
    return page("Greeting", body)


@app.route("/info")
def info():
    return jsonify(
        python=sys.version,
        script_root=request.script_root,
        path=request.path,
        url=url_for("info", _external=True),
        multithread=request.environ["wsgi.multithread"],
        user_agent=request.headers.get("User-Agent", ""),
    )


def _flask_version():
    try:
        from importlib.metadata import version

        return version("flask")
    except Exception:  # noqa: BLE001 -- the version is decoration
        return "2"
