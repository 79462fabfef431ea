"""tsgi's gateway, the Python side: PEP 3333 for one WSGI application inside a Pyodide interpreter.

The JavaScript side (bridge.ts) is the container's application: for each request it writes the environ's
strings into a shared staging buffer and calls ``Gateway.call``, which builds the ``environ`` dict, calls the
application and hands back what it produced. Everything crosses the boundary as small integers and bytes in
the staging buffer, never as converted objects: a proxy per request costs more than the Flask route itself.
Even the request itself stays in JavaScript: Python names it by its ``identifier``, and the bridge's functions
find its environ and start_response from that.

Every entry point returns ``length * 4 + kind``:

- ``COMPLETE``: the response is whole: ``length`` body bytes, and ``close()`` was already called;
- ``CHUNK``: a chunk of ``length`` bytes; more may follow (``next_chunk``), then ``close_response``;
- ``FAILED``: an exception; ``failure()`` returns its type name, message and traceback.

A chunk of up to ``len(staging)`` bytes is in the staging buffer; a larger one was copied into a JavaScript
buffer the bridge allocated (``take_large``).
"""

import ast
import importlib
import sys
from traceback import StackSummary, TracebackException

from pyodide.ffi import JsException

COMPLETE = 0
CHUNK = 1
FAILED = 2

BYTES = (bytes, bytearray, memoryview)
_END = object()

#: ``flags`` bits: the environ's booleans.
MULTITHREAD = 1
MULTIPROCESS = 2
RUN_ONCE = 4
INPUT_TERMINATED = 8


class Gateway:
    """One application in this interpreter, and the responses still being iterated."""

    def __init__(self, application, javascript, staging):
        self.application = application
        # The bridge's functions (bridge.ts), held one by one: an attribute lookup on a proxy is a crossing.
        self.js_start = javascript.start
        self.js_write = javascript.write
        self.js_read = javascript.read
        self.js_take_input = javascript.take_input
        self.js_log = javascript.log
        self.js_large = javascript.large
        self.staging = staging
        self.view = memoryview(staging)
        self.capacity = len(staging)
        self.js_environ = javascript.environ
        self.open = {}
        #: The constant part of the environ, by ``flags``: one dict update instead of a store per key.
        self.constants = {}
        self.last_failure = None

    # -- crossing helpers ------------------------------------------------------------------------------

    def put(self, data):
        """Hands ``data`` (bytes-like) to JavaScript; returns its length."""
        length = len(data)
        if length <= self.capacity:
            self.view[:length] = data
        else:
            self.js_large(length).assign(data)
        return length

    def failed(self, error):
        trace = error.__traceback__
        # The traceback starts where the application's code does: the gateway's own frames say nothing.
        while trace is not None and trace.tb_frame.f_globals.get("__name__") == __name__:
            trace = trace.tb_next
        report = TracebackException(type(error), error, trace)
        # Pyodide adds the JavaScript frames of an error thrown by the container (file:// URLs): noise here.
        report.stack = StackSummary.from_list(
            [frame for frame in report.stack if "://" not in (frame.filename or "")]
        )
        text = "".join(report.format()).rstrip("\n")
        self.last_failure = (type(error).__name__, str(error), text)
        return FAILED

    def failure(self):
        """The last failure as ``[type name, message, traceback]``, then forgets it."""
        failure, self.last_failure = self.last_failure, None
        return "\0".join(failure)

    # -- a request -------------------------------------------------------------------------------------

    def environ(self, identifier, length, pairs, flags):
        if pairs >= 0:
            fields = str(self.view[:length], "latin-1").split("\0")
            if len(fields) == 2 * pairs:
                iterator = iter(fields)
                environ = dict(zip(iterator, iterator))
            else:
                pairs = -1  # a value held a NUL (PATH_INFO may): take the strings one by one
        if pairs < 0:
            environ = dict(self.js_environ(identifier).to_py())
        constants = self.constants.get(flags)
        if constants is None:
            constants = self.constants[flags] = environ_constants(flags)
        environ.update(constants)
        environ["wsgi.input"] = InputStream(self, identifier)
        environ["wsgi.errors"] = ErrorStream(self, identifier)
        return environ

    def call(self, identifier, length, pairs, flags):
        """Calls the application for one request and takes its first chunk (or the whole body)."""
        try:
            response = Response(self, identifier)
            environ = self.environ(identifier, length, pairs, flags)
            result = self.application(environ, response.start_response)
        except BaseException as error:  # noqa: B036 -- SystemExit in a request is that request's 500
            return self.failed(error)
        response.result = result
        try:
            if type(result) is list or type(result) is tuple:
                for chunk in result:
                    if not isinstance(chunk, BYTES):
                        raise TypeError(f"a response chunk must be bytes, got {type(chunk).__name__}")
                body = b"".join(result)
                response.close()
                return self.put(body) * 4 + COMPLETE
            iterator = iter(result)
            for chunk in iterator:
                if not isinstance(chunk, BYTES):
                    raise TypeError(f"a response chunk must be bytes, got {type(chunk).__name__}")
                if chunk:
                    break
            else:
                response.close()
                return COMPLETE
            expected = response.content_length
            if expected is not None and len(chunk) >= expected:
                # The declared length is reached: the server would stop here and close, so do it now.
                response.close()
                return self.put(chunk) * 4 + COMPLETE
            response.iterator = iterator
            self.open[identifier] = response
            return self.put(chunk) * 4 + CHUNK
        except BaseException as error:  # noqa: B036
            return self.close_after(response, error)

    def next_chunk(self, identifier):
        """The next chunk of a streaming response; ``COMPLETE`` once the iterable is exhausted."""
        response = self.open[identifier]
        try:
            chunk = next(response.iterator, _END)
            if chunk is _END:
                return COMPLETE
            if not isinstance(chunk, BYTES):
                raise TypeError(f"a response chunk must be bytes, got {type(chunk).__name__}")
            return self.put(chunk) * 4 + CHUNK
        except BaseException as error:  # noqa: B036
            return self.failed(error)

    def close_response(self, identifier):
        """Calls the iterable's ``close()``: after the body, after an error, or when the client left."""
        response = self.open.pop(identifier, None)
        if response is None:
            return COMPLETE
        try:
            response.close()
            return COMPLETE
        except BaseException as error:  # noqa: B036
            return self.failed(error)

    def close_after(self, response, error):
        try:
            response.close()
        except BaseException:  # noqa: B036, S110 -- the first error is the one to report
            pass
        return self.failed(error)


def environ_constants(flags):
    constants = {
        "wsgi.version": (1, 0),
        "wsgi.multithread": bool(flags & MULTITHREAD),
        "wsgi.multiprocess": bool(flags & MULTIPROCESS),
        "wsgi.run_once": bool(flags & RUN_ONCE),
    }
    if flags & INPUT_TERMINATED:
        constants["wsgi.input_terminated"] = True
    return constants


class Response:
    """One request's ``start_response``, ``write()`` and iterable."""

    __slots__ = ("gateway", "identifier", "result", "iterator", "content_length", "closed")

    def __init__(self, gateway, identifier):
        self.gateway = gateway
        self.identifier = identifier
        self.result = None
        self.iterator = None
        self.content_length = None
        self.closed = False

    def start_response(self, status, headers, exc_info=None):
        if type(status) is not str:
            raise TypeError(f"start_response() status must be a str, got {type(status).__name__}")
        fields = [status]
        content_length = None
        count = 0
        for header in headers:
            try:
                name, value = header
            except (TypeError, ValueError):
                raise TypeError(
                    f"start_response() headers must be (name, value) pairs, got {header!r}"
                ) from None
            if type(name) is not str or type(value) is not str:
                raise TypeError(f"start_response() header names and values must be str, got {header!r}")
            if "\0" in name or "\0" in value:
                raise ValueError(f"start_response() header {name!r} contains a NUL character")
            fields.append(name)
            fields.append(value)
            count += 1
            if len(name) == 14 and name.lower() == "content-length" and value.strip().isdigit():
                content_length = int(value)
        try:
            encoded = "\0".join(fields).encode("latin-1")
        except UnicodeEncodeError:
            bad = next(field for field in fields if not field.isascii() and max(map(ord, field)) > 255)
            raise ValueError(
                f"start_response() status and headers must be latin-1 (use an encoded form), got {bad!r}"
            ) from None
        gateway = self.gateway
        headers_sent = gateway.js_start(self.identifier, gateway.put(encoded), count, exc_info is not None)
        if headers_sent:
            # PEP 3333: with exc_info after the headers went out, re-raise the application's error.
            try:
                raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        self.content_length = content_length
        return self.write

    def write(self, data):
        if not isinstance(data, BYTES):
            raise TypeError(f"write() takes bytes, got {type(data).__name__}")
        gateway = self.gateway
        gateway.js_write(self.identifier, gateway.put(data))

    def close(self):
        if self.closed:
            return
        self.closed = True
        close = getattr(self.result, "close", None)
        if close is not None:
            close()


class InputStream:
    """``wsgi.input``: the request body as a binary file, read from the container's stream on demand.

    Nothing is read ahead: each call asks the container for what it needs, so a large upload streams
    through (on a worker thread the read blocks until the client's bytes arrive).
    """

    __slots__ = ("gateway", "identifier")

    READ = 0
    READLINE = 1

    def __init__(self, gateway, identifier):
        self.gateway = gateway
        self.identifier = identifier

    def _take(self, mode, size):
        if size is None:
            size = -1
        elif not isinstance(size, int):
            raise TypeError(f"size must be an int or None, got {type(size).__name__}")
        gateway = self.gateway
        try:
            length = gateway.js_read(self.identifier, mode, size)
        except JsException as error:
            # What a socket read would raise: the client went away, or its body broke off.
            raise OSError(f"reading the request body failed: {error}") from None
        if length <= gateway.capacity:
            return bytes(gateway.view[:length])
        return gateway.js_take_input().to_bytes()

    def read(self, size=-1):
        return self._take(self.READ, size)

    def readline(self, size=-1):
        return self._take(self.READLINE, size)

    def readlines(self, hint=-1):
        lines = []
        total = 0
        while True:
            line = self._take(self.READLINE, -1)
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                return lines

    def __iter__(self):
        return self

    def __next__(self):
        line = self._take(self.READLINE, -1)
        if not line:
            raise StopIteration
        return line

    def readable(self):
        return True

    def close(self):
        pass


class ErrorStream:
    """``wsgi.errors``: a text stream into the container's logger (one log line per line written)."""

    __slots__ = ("gateway", "identifier")

    def __init__(self, gateway, identifier):
        self.gateway = gateway
        self.identifier = identifier

    def write(self, text):
        if type(text) is not str:
            raise TypeError(f"wsgi.errors.write() takes a str, got {type(text).__name__}")
        self.gateway.js_log(self.identifier, text)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        self.gateway.js_log(self.identifier, None)

    def writable(self):
        return True


# -- loading the application ---------------------------------------------------------------------------


class LoadError(Exception):
    """The application could not be loaded; ``str()`` is one line, ``detail`` the traceback (if any)."""

    def __init__(self, message, detail=""):
        super().__init__(message)
        self.detail = detail


def _traceback_of(error):
    """The traceback of an import that failed, without the import machinery's frames (nor the gateway's)."""
    if isinstance(error, SyntaxError):
        return "".join(TracebackException.from_exception(error).format_exception_only()).rstrip("\n")
    report = TracebackException.from_exception(error)
    report.stack = StackSummary.from_list(
        [frame for frame in report.stack if not _machinery(frame.filename or "")]
    )
    return "".join(report.format()).rstrip("\n")


def _machinery(filename):
    return filename == __file__ or filename.startswith("<frozen importlib") or "/importlib/" in filename


def _module_missing(error, module_name):
    """Is this ModuleNotFoundError about the named module itself (or a parent package), not its imports?"""
    missing = error.name or ""
    return module_name == missing or module_name.startswith(missing + ".")


def load_application(spec):
    """Imports ``module:callable`` as gunicorn does; ``callable`` may be a factory call with literal arguments."""
    module_name, _, expression = spec.partition(":")
    expression = expression or "application"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if _module_missing(error, module_name):
            raise LoadError(
                f"Python module {module_name!r} not found ({error}); sys.path is {sys.path!r}"
            ) from None
        raise LoadError(
            f"importing {module_name!r} failed: {type(error).__name__}: {error}"
            " (add the directory that holds it with --python-path / the path option)",
            _traceback_of(error),
        ) from None
    except SyntaxError as error:
        where = f"{error.filename}, line {error.lineno}" if error.filename else "unknown file"
        raise LoadError(
            f"importing {module_name!r} failed: SyntaxError: {error.msg} ({where})", _traceback_of(error)
        ) from None
    except BaseException as error:  # noqa: B036 -- anything the module does at import time
        raise LoadError(
            f"importing {module_name!r} failed: {type(error).__name__}: {error}", _traceback_of(error)
        ) from None

    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        raise LoadError(f"{expression!r} is not an attribute name or a call in {spec!r}") from None
    arguments, keywords = None, None
    if isinstance(node, ast.Call):
        try:
            arguments = [ast.literal_eval(argument) for argument in node.args]
            keywords = {keyword.arg: ast.literal_eval(keyword.value) for keyword in node.keywords}
        except ValueError:
            raise LoadError(f"the arguments of {expression!r} must be Python literals") from None
        node = node.func
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise LoadError(f"{expression!r} is not an attribute name or a call in {spec!r}")
    names.append(node.id)
    value = module
    for name in reversed(names):
        try:
            value = getattr(value, name)
        except AttributeError:
            public = sorted(key for key in vars(module) if not key.startswith("_"))
            raise LoadError(
                f"Python module {module_name!r} has no attribute {name!r} (it has: {', '.join(public)})"
            ) from None
    if arguments is not None:
        try:
            value = value(*arguments, **keywords)
        except BaseException as error:  # noqa: B036
            raise LoadError(
                f"calling {expression!r} failed: {type(error).__name__}: {error}", _traceback_of(error)
            ) from None
    if not callable(value):
        raise LoadError(f"{spec!r} is a {type(value).__name__}, not a WSGI callable")
    return value


def install(spec, javascript, staging, report):
    """Loads the application and returns its gateway; or calls ``report(message, traceback)`` and returns None."""
    try:
        return Gateway(load_application(spec), javascript, staging)
    except LoadError as error:
        report(str(error), error.detail)
        return None
