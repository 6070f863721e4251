"""The yardstick of bench/learner_pages.py: a bare Flask endpoint, served by gunicorn with the learner pages'
settings, so a page's requests/s divided by this one's is what our own code costs on this machine."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"
