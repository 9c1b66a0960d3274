"""Authentication helpers: static tokens, token providers, OAuth client credentials."""

from vaix_client._auth import AccessToken, ClientCredentials, StaticToken, TokenProvider

__all__ = ["AccessToken", "ClientCredentials", "StaticToken", "TokenProvider"]
