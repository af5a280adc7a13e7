from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """Chinese unless the user picked another language.

    Django's LocaleMiddleware would follow the browser's Accept-Language; county staff
    often use browsers set to English, and the product is Chinese first. So only the
    language cookie (set by the switcher in the header) changes the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
