"""Warehouse passwords from an AWS secret store instead of the environment.

Each role below has a password variable (PGPASSWORD, REDSHIFT_PASSWORD, ...) and two ways to say where
that password is kept instead:

- `<PREFIX>_SECRET_ID`: a Secrets Manager secret in the JSON form RDS and Redshift keep
  (`username`, `password`, `host`, `port`, `dbname`; `engine` and other keys are ignored). It fills the
  password and, where the environment does not set them, the user, host, port and database.
- `<PREFIX>_SSM_PARAMETER`: a Parameter Store SecureString holding the password only (read decrypted).

The values live in memory only: `python -m extract` fills its own environment once at start, which the
extractor's worker processes and dbt inherit. Nothing is written to disk, and no message names a value:
errors name the variable and the secret id or parameter name.

AWS clients are created only when a store variable is set. They follow boto3's usual configuration
(credentials chain, AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL); a secret or parameter given as
a full ARN is read in the ARN's region.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any


class CredentialsError(RuntimeError):
    """A password cannot be resolved; the message is one sentence naming the variable, never a value."""


@dataclass(frozen=True)
class Role:
    """A warehouse login whose password may come from a secret store; a later role is one more entry."""

    prefix: str
    password: str
    user: str | None = None
    host: str | None = None
    port: str | None = None
    database: str | None = None

    @property
    def secret_id(self) -> str:
        return f"{self.prefix}_SECRET_ID"

    @property
    def ssm_parameter(self) -> str:
        return f"{self.prefix}_SSM_PARAMETER"

    def secret_fields(self) -> dict[str, str]:
        """Variable filled from each field of an RDS/Redshift JSON secret (the password aside)."""
        fields = {"username": self.user, "host": self.host, "port": self.port, "dbname": self.database}
        return {key: variable for key, variable in fields.items() if variable}


ROLES: tuple[Role, ...] = (
    Role("PG", password="PGPASSWORD", user="PGUSER", host="PGHOST", port="PGPORT", database="PGDATABASE"),
    Role(
        "REDSHIFT",
        password="REDSHIFT_PASSWORD",
        user="REDSHIFT_USER",
        host="REDSHIFT_HOST",
        port="REDSHIFT_PORT",
        database="REDSHIFT_DATABASE",
    ),
    # the passwords `python -m extract warehouse roles` gives its three logins (extract.warehouse_roles)
    Role("LOADER", password="LOADER_PASSWORD"),
    Role("TRANSFORMER", password="TRANSFORMER_PASSWORD"),
    Role("BI_READER", password="BI_READER_PASSWORD"),
)

# Filled by apply_to_process: password variable -> the store variable it came from (`warehouse env` hides it).
_FROM_STORE: dict[str, str] = {}


def resolved_environment(env: Mapping[str, str]) -> dict[str, str]:
    """A copy of `env` with each role's password (and, from a secret, its missing address) filled in
    from the store its `_SECRET_ID` / `_SSM_PARAMETER` names.

    The store variables themselves are left out of the copy: it is resolved, so a process started with it
    neither asks AWS again nor sees a password and a store for the same role. Raises CredentialsError.
    """
    for role in ROLES:
        _refuse_ambiguity(role, env)  # every role's, before any AWS call
    resolved = dict(env)
    clients: dict[tuple[str, str | None], Any] = {}
    for role in ROLES:
        resolved.update(_role_values(role, env, clients))
        resolved.pop(role.secret_id, None)
        resolved.pop(role.ssm_parameter, None)
    return resolved


def apply_to_process(environ: MutableMapping[str, str] = os.environ) -> None:
    """Resolve the process environment in place, once, before anything reads PG* or REDSHIFT_*."""
    before = dict(environ)
    resolved = resolved_environment(before)
    for role in ROLES:
        if resolved.get(role.password) != before.get(role.password):
            _FROM_STORE[role.password] = role.secret_id if before.get(role.secret_id) else role.ssm_parameter
    for name in set(before) - set(resolved):
        del environ[name]
    environ.update(resolved)


def from_store(variable: str) -> str | None:
    """The store variable (e.g. PG_SECRET_ID) whose password `variable` holds in this process, if any."""
    return _FROM_STORE.get(variable)


def _refuse_ambiguity(role: Role, env: Mapping[str, str]) -> None:
    secret_id, parameter = env.get(role.secret_id), env.get(role.ssm_parameter)
    if secret_id and parameter:
        raise CredentialsError(
            f"{role.secret_id} and {role.ssm_parameter} are both set: keep the one that holds the password."
        )
    if (secret_id or parameter) and env.get(role.password):
        store = role.secret_id if secret_id else role.ssm_parameter
        raise CredentialsError(
            f"{role.password} and {store} are both set: keep one, the password or the store that holds it."
        )


def _role_values(role: Role, env: Mapping[str, str], clients: dict[tuple[str, str | None], Any]) -> dict[str, str]:
    secret_id, parameter = env.get(role.secret_id), env.get(role.ssm_parameter)
    if not secret_id and not parameter:
        return {}
    if secret_id:
        secret = _secret(role, secret_id, clients)
        values = {variable: str(secret[key]) for key, variable in role.secret_fields().items() if secret.get(key)}
        values = {variable: value for variable, value in values.items() if not env.get(variable)}
        return {**values, role.password: secret["password"]}
    return {role.password: _parameter(role, parameter or "", clients)}


def _secret(role: Role, secret_id: str, clients: dict[tuple[str, str | None], Any]) -> dict[str, Any]:
    named = f"{role.secret_id} (secret {secret_id!r})"
    response = _call(clients, "secretsmanager", secret_id, named, "get_secret_value", SecretId=secret_id)
    text = response.get("SecretString")
    if text is None:
        raise CredentialsError(f"{named} is a binary secret; it must be the JSON text RDS and Redshift keep.")
    try:
        secret = json.loads(text)
    except ValueError:
        secret = None  # the decoder's message would quote the secret
    if not isinstance(secret, dict):
        raise CredentialsError(
            f'{named} is not a JSON object; expected the RDS/Redshift form {{"username": ..., "password": ...}}.'
        )
    if not isinstance(secret.get("password"), str) or not secret["password"]:
        raise CredentialsError(f'{named} has no "password" field (the JSON form RDS and Redshift keep).')
    return secret


def _parameter(role: Role, name: str, clients: dict[tuple[str, str | None], Any]) -> str:
    named = f"{role.ssm_parameter} (parameter {name!r})"
    response = _call(clients, "ssm", name, named, "get_parameter", Name=name, WithDecryption=True)
    return response["Parameter"]["Value"]


_NOT_FOUND = {
    "ResourceNotFoundException": "Secrets Manager has no such secret",
    "ParameterNotFound": "Parameter Store has no such parameter",
    "ParameterVersionNotFound": "Parameter Store has no such version of the parameter",
}
_DENIED = ("AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "KMSAccessDeniedException")


def _call(
    clients: dict[tuple[str, str | None], Any],
    service: str,
    name: str,
    named: str,
    operation: str,
    **kwargs: str | bool,
) -> dict[str, Any]:
    """One read from a store; every failure becomes one sentence naming the variable and the secret."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    action = "secretsmanager:GetSecretValue" if service == "secretsmanager" else "ssm:GetParameter"
    try:
        region = _arn_region(name)
        if (service, region) not in clients:
            import boto3

            clients[(service, region)] = boto3.client(service, region_name=region)  # type: ignore[call-overload]
        return getattr(clients[(service, region)], operation)(**kwargs)
    except NoRegionError:
        raise CredentialsError(
            f"{named} cannot be read: no AWS region is configured (set AWS_REGION, or give the full ARN)."
        ) from None
    except NoCredentialsError:
        raise CredentialsError(
            f"{named} cannot be read: no AWS credentials were found (environment, profile or task role)."
        ) from None
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _NOT_FOUND:
            raise CredentialsError(f"{named} cannot be read: {_NOT_FOUND[code]} (check the name and region).") from None
        if code in _DENIED:
            raise CredentialsError(
                f"{named} cannot be read: access denied ({code}); this role needs {action} on it."
            ) from None
        message = exc.response.get("Error", {}).get("Message", "")
        raise CredentialsError(f"{named} cannot be read: {code or 'error'}: {message}".rstrip(": ") + ".") from None
    except BotoCoreError as exc:
        raise CredentialsError(f"{named} cannot be read: {exc}.") from None


def _arn_region(name: str) -> str | None:
    """`arn:aws:secretsmanager:eu-west-1:...` lives in eu-west-1; a plain name in the configured region."""
    parts = name.split(":")
    return (parts[3] or None) if name.startswith("arn:") and len(parts) > 5 else None
