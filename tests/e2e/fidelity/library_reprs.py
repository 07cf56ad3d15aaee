"""Values of Flask, werkzeug, jinja2, markupsafe, click, Django, requests, urllib3,
dateutil, packaging, PyYAML, pytz and numpy whose reprs are their library's
Python code: pyhd-debug writes them again over the dumped attributes."""
import datetime

import django
from django.conf import settings

settings.configure(SECRET_KEY="x", ALLOWED_HOSTS=["*"], USE_TZ=True,
                   INSTALLED_APPS=["django.contrib.contenttypes"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                                          "NAME": ":memory:"}})
django.setup()

import click
import dateutil.relativedelta
import dateutil.tz
import flask
import jinja2
import markupsafe
import numpy as np
import packaging.version
import pytz
import requests
import urllib3
import yaml
from requests.structures import CaseInsensitiveDict
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.http import (HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse,
                         QueryDict)
from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.datastructures import Headers, ImmutableMultiDict, MultiDict


class Customer(models.Model):
    name = models.CharField(max_length=40)

    class Meta:
        app_label = "shop"


class Named(models.Model):
    name = models.CharField(max_length=40)

    class Meta:
        app_label = "shop"

    def __str__(self):
        return self.name


class SignupForm(forms.Form):
    name = forms.CharField(max_length=10)
    age = forms.IntegerField(min_value=18)


def main():
    app = flask.Flask("shop", root_path="/srv/app")
    blueprint = flask.Blueprint("inventory", __name__, root_path="/srv/app")
    config = flask.Config("/srv/app", {"DEBUG": True, "NAME": "shop"})
    flask_response = flask.Response("héllo", 201)
    streamed = flask.Response(iter([b"a"]))
    flask_request = flask.Request(EnvironBuilder("/inv/buy/pear", query_string="n=1&x=a+b",
                                                 method="POST").get_environ())
    on_port = flask.Request(EnvironBuilder("/", base_url="https://api.example.org:8443/v1"
                                           ).get_environ())
    url_map = Map([Rule("/items/<int:id>", methods=["POST"], endpoint="items"),
                   Rule("/", endpoint="index", methods=["PUT"])])
    rule = next(url_map.iter_rules("items"))
    free_rule = Rule("/free")
    http_request = requests.Request("GET", "http://example.org/a", params={"q": 1})
    prepared = http_request.prepare()
    http_response = requests.Response()
    http_response.status_code = 404
    http_response.headers = CaseInsensitiveDict({"Content-Type": "text/html", "X-Id": "7"})
    http_headers = http_response.headers
    codes = requests.codes
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": "hi {{ x }}"}))
    template = env.get_template("page.html")
    markup = markupsafe.Markup("<b>%s</b>") % "x&y"
    command = click.Command("serve")
    group = click.Group("cli")
    option = click.Option(["--n"])
    tz_utc = dateutil.tz.tzutc()
    tz_offset = dateutil.tz.tzoffset("X", 3600)
    tz_string = dateutil.tz.tzstr("EST5EDT")
    delta = dateutil.relativedelta.relativedelta(months=+1, days=-2)
    last_friday = dateutil.relativedelta.relativedelta(day=31, hours=1.5,
                                                       weekday=dateutil.relativedelta.FR(-1))
    monday = dateutil.relativedelta.MO
    version = packaging.version.Version("1.2.3rc1")
    full_version = packaging.version.Version("1!2.0.post3.dev4+abc.5")
    retry = urllib3.util.Retry(total=3)
    timeout = urllib3.util.Timeout(connect=2.0, read=5.0)
    yaml_node = yaml.compose("a: [1, b]")
    multi = MultiDict([("a", "1"), ("a", "2"), ("b", "3")])
    frozen = ImmutableMultiDict({"qty": "12"})
    headers = Headers([("Host", "localhost"), ("X-Id", "7")])
    query = QueryDict("name=ann&tag=a&tag=b")
    empty_query = QueryDict(mutable=True)
    request = HttpRequest()
    request.method = "POST"
    request.path = "/sign up/"
    request.META["QUERY_STRING"] = "next=/home&x=é"
    bare_request = HttpRequest()
    response = HttpResponse("ok", status=201)
    json_response = JsonResponse({"a": 1})
    redirect = HttpResponseRedirect("/next?x=1")
    response_headers = response.headers if hasattr(response, "headers") else None
    customer = Customer(name="ann")
    saved = Customer(id=3, name="bob")
    named = Named(name="cy")
    meta = Customer._meta
    bound = SignupForm({"name": "annabelle-long", "age": "12"})
    bound.is_valid()
    unbound = SignupForm()
    unchecked = SignupForm({"name": "a", "age": "20"})
    utc = pytz.utc
    berlin = pytz.timezone("Europe/Berlin")
    new_york = pytz.timezone("America/New_York")
    summer = berlin.localize(datetime.datetime(2024, 7, 1, 12)).tzinfo
    fixed = pytz.FixedOffset(120)
    behind = pytz.FixedOffset(-300)
    static = pytz.timezone("EST")
    floats = np.finfo(np.float32)
    doubles = np.finfo(np.float64)
    shorts = np.iinfo(np.int16)
    bytes_ = np.iinfo(np.uint8)
    readings = np.array([("t1", 20.5), ("t2", 21.0)], dtype=[("sensor", "U4"), ("value", "<f8")])
    records = readings.view(np.recarray)
    grid = np.matrix([[1, 2], [3, 4]])
    choice = click.Choice(["txt", "html"])
    int_type = click.INT
    param_types = [click.STRING, click.FLOAT, click.BOOL, click.UUID, click.UNPROCESSED]
    int_range = click.IntRange(0, 10)
    open_range = click.FloatRange(max=1.5, max_open=True)
    clamped = click.IntRange(min=1, clamp=True)
    request_context = app.test_request_context("/items/7?x=1", method="POST")
    test_client = app.test_client()
    name_field = Customer._meta.get_field("name")
    either = models.Q(name="ann") | ~models.Q(id__gt=models.F("id"))
    lazy_settings = settings
    combined = models.F("id") + 1
    value = models.Value(3)
    counted = models.Count("id", distinct=True)
    summed = models.Sum("id", filter=models.Q(name="ann"))
    ordered = models.F("id").desc()
    message_error = ValidationError("under %(limit)s", code="min", params={"limit": 1})
    list_error = ValidationError(["a", ValidationError("b")])
    dict_error = ValidationError({"name": ["too long", "taken"]})
    no_customers = Customer.objects.none()
    with connection.schema_editor() as editor:
        editor.create_model(Named)
    Named.objects.create(name="dee")
    evaluated = Named.objects.all()
    len(evaluated)
    raise RuntimeError("library values")


main()
