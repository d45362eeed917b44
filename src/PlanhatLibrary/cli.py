"""``planhat-check``: `Check Planhat Tenant` from a shell, for a user about to take a robot live.

The key is never an argument (a command line is visible to every user of the machine): it comes from
a Vault FileSecrets JSON (``--secrets-file``, the file robots read locally) or from the environment
(``PLANHAT_API_KEY``, with ``PLANHAT_API_URL`` for another region).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PlanhatLibrary.errors import PlanhatError
from PlanhatLibrary.services.tenant.preflight import BUDGET, PACE, SAMPLE, TIME_LIMIT, TenantCheck
from PlanhatLibrary.services.tenant.report import report_path, write_report
from PlanhatLibrary.transport.credentials import DEFAULT_API_URL, Credentials, credentials_from_secret
from PlanhatLibrary.transport.redaction import Redactor


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planhat-check",
        description="Read a Planhat tenant without writing (GET only, at most --budget requests) and report how it "
        "differs from what robotframework-planhat assumes. Writes the tenant profile (JSON) and an HTML report.",
        epilog="The key comes from --secrets-file (a Vault FileSecrets JSON: {NAME: {api_key, api_url, ...}}) or from "
        "PLANHAT_API_KEY (with PLANHAT_API_URL for another region, and PLANHAT_TENANT_UUID so the tenant token is "
        "masked too). Neither is printed or written. Exit codes: 0 checked, 1 differences found with --strict, "
        "2 nothing could be checked (no key, no answer, every model refused).",
    )
    parser.add_argument("--secrets-file", type=Path, help="Vault FileSecrets JSON holding the secret")
    parser.add_argument("--secret-name", default="planhat_api", help="secret to read from it (default planhat_api)")
    parser.add_argument("--report", type=Path, default=Path("planhat-tenant-profile.json"), help="profile JSON path")
    parser.add_argument("--budget", type=int, default=BUDGET, help=f"requests at most (default {BUDGET})")
    parser.add_argument(
        "--requests-per-minute", type=float, default=None, help=f"pace (default {PACE}; none for 127.0.0.1)"
    )
    parser.add_argument("--sample", type=int, default=SAMPLE, help=f"rows read per model (default {SAMPLE})")
    parser.add_argument("--models", default=None, help="comma-separated models to check (default: all)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one attempt may take (default 30)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT, help="seconds in all (default 300)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any difference is found")
    return parser


def credentials(args: argparse.Namespace) -> Credentials:
    if args.secrets_file is not None:
        try:
            secrets = json.loads(args.secrets_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise PlanhatError(f"Cannot read secrets file '{args.secrets_file}': {type(error).__name__}.") from None
        secret = secrets.get(args.secret_name) if isinstance(secrets, dict) else None
        if not isinstance(secret, dict):
            raise PlanhatError(f"Secrets file '{args.secrets_file}' holds no secret '{args.secret_name}'.")
        return credentials_from_secret(args.secret_name, secret)
    key = os.environ.get("PLANHAT_API_KEY")
    if not key:
        raise PlanhatError("No key: give --secrets-file, or set PLANHAT_API_KEY (and PLANHAT_API_URL for a region).")
    secret = {"api_key": key, "api_url": os.environ.get("PLANHAT_API_URL") or DEFAULT_API_URL}
    if os.environ.get("PLANHAT_TENANT_UUID"):
        secret["tenant_uuid"] = os.environ["PLANHAT_TENANT_UUID"]
    return credentials_from_secret("PLANHAT_API_KEY", secret)


def _known_secrets(args: argparse.Namespace) -> list[str]:
    """Every secret this run may hold, to mask in any message (even one about a malformed secret)."""
    found = [os.environ.get(name, "") for name in ("PLANHAT_API_KEY", "PLANHAT_TENANT_UUID")]
    try:
        secret = json.loads(args.secrets_file.read_text(encoding="utf-8")).get(args.secret_name, {})
        found += [str(secret.get(name, "")) for name in ("api_key", "tenant_uuid")]
    except (AttributeError, OSError, ValueError):
        pass
    return [value for value in found if len(value) >= 4]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    mask = Redactor(_known_secrets(args))
    try:
        models = [name.strip() for name in args.models.split(",")] if args.models is not None else None
        report_path(args.report)  # before anything is sent
        check = TenantCheck(
            credentials(args),
            budget=args.budget,
            requests_per_minute=args.requests_per_minute,
            sample=args.sample,
            timeout=args.timeout,
            time_limit=args.time_limit,
            models=[name for name in models if name] if models is not None else None,
        )
        try:
            profile = check.run()
        finally:
            check.close()
        target, page = write_report(profile, args.report)
    except (PlanhatError, ValueError) as error:
        print(f"planhat-check: {mask.text(str(error))}", file=sys.stderr)
        return 2
    sent, found = profile["requests"], profile["differences"]
    readable = sum(1 for entry in profile["models"].values() if entry["readable"])
    checked = f"Checked {len(profile['models'])} models at {profile['api_url']}"
    print(f"{checked}: {readable} readable, {sent['sent']} GET attempts.")
    for item in found:
        print(f"  {item['kind']:15} {item['model']:14} {item['detail']}")
    print(f"{len(found)} difference(s). Profile: {target}  Report: {page}")
    if not readable:
        print("planhat-check: no model could be read; see the differences above.", file=sys.stderr)
        return 2
    return 1 if args.strict and found else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
