"""The floor of the HTTP benchmark: a bare Flask app with one route returning a constant string, served
under the same gunicorn configuration as the application (bench/gunicorn.conf.py)."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "ok"
