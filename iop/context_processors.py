from django.http import HttpRequest

from .roles import Role


def roles(request: HttpRequest) -> dict:
    """The signed-in user's roles (`user_roles`) and the `Role` choices, for every template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set()}
    user_roles = user.roles()
    return {"user_roles": user_roles, "Role": Role}
