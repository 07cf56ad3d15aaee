"""A Django view's crash: a model instance whose __str__ calls one of its methods,
django.contrib.auth's User (its __str__ returns self.get_username()), a bound form,
Q and F expressions and the request, as python printed them."""
import django
from django.conf import settings

settings.configure(SECRET_KEY="x", ALLOWED_HOSTS=["*"], USE_TZ=True,
                   INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                                          "NAME": ":memory:"}})
django.setup()

from django import forms
from django.contrib.auth.models import User
from django.db import models
from django.db.models import F, Q
from django.test import RequestFactory


class Book(models.Model):
    title = models.CharField(max_length=50)
    pages = models.IntegerField(default=0)

    class Meta:
        app_label = "shop"

    def __str__(self):
        return self.label()

    def label(self):
        return "%s (%d pages)" % (self.title, self.pages)


class BookForm(forms.Form):
    title = forms.CharField(max_length=5)
    pages = forms.IntegerField(min_value=1)


def view(request):
    book = Book(title="Dune", pages=412)
    user = User(username="ann", email="ann@example.org")
    staff = User(username="bob", is_staff=True)
    form = BookForm({"title": "Dune", "pages": "3"})
    valid = form.is_valid()
    cleaned = form.cleaned_data
    wanted = Q(pages__gt=100) | Q(title__startswith="D")
    more = F("pages") + 1
    path = request.get_full_path()
    raise ValueError("no stock for %s" % book)


view(RequestFactory().get("/books/?page=2"))
