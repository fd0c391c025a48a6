"""Describes Plateau's authentication classes in the OpenAPI schema."""

from drf_spectacular.authentication import SessionScheme, TokenScheme


class AuditedSessionScheme(SessionScheme):
    target_class = "portal.core.api_auth.AuditedSessionAuthentication"


class AuditedTokenScheme(TokenScheme):
    target_class = "portal.core.api_auth.AuditedTokenAuthentication"
