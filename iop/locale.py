"""Swedish first: the interface language is the user's explicit choice, else Swedish.

Django's LocaleMiddleware would follow the browser's Accept-Language, which on many
municipal computers is English by IT default; the users work in Swedish, so only the
language switch (a cookie) changes the language.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class SwedishFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
