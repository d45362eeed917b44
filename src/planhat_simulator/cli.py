"""``planhat-simulator``: run the local Planhat API until interrupted."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from .server import DEFAULT_API_KEY, DEFAULT_TENANT, PlanhatSimulator


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planhat-simulator",
        description="A local Planhat API (main and analytics endpoints) on 127.0.0.1, with fault injection. "
        "It prints its URL, then (on stderr) the key, the tenant and a secrets JSON a robot can read.",
        epilog=f"Defaults: --api-key {DEFAULT_API_KEY} --tenant {DEFAULT_TENANT}. Point a robot at it with a "
        'Vault secret {"planhat_api": {"api_key": ..., "tenant_uuid": ..., "api_url": URL, "analytics_url": URL}} '
        "(--secrets-file writes one) and RPA_SECRET_MANAGER=RPA.Robocorp.Vault.FileSecrets, RPA_SECRET_FILE=<file>.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the API token clients must send")
    parser.add_argument("--read-only-key", default=None, help="a token that may read but not write (403)")
    parser.add_argument("--tenant", default=DEFAULT_TENANT, help="tenant token used in analytics paths")
    parser.add_argument("--seed", default=None, help='JSON file {"companies": [...], ...} loaded at start')
    parser.add_argument("--state", default=None, help="JSON state file: loaded at start, saved at stop")
    parser.add_argument("--rate-limit", default=None, help="requests per minute, e.g. 200/min")
    parser.add_argument("--per-second", type=int, default=None, help="requests per second cap")
    parser.add_argument("--latency", default=None, help="time to answer each API call, e.g. 300ms (default: at once)")
    parser.add_argument(
        "--latency-per-item",
        default=None,
        help="extra time per object sent or listed, e.g. 0.2ms: a 5,000-item bulk call then takes 1 s more",
    )
    parser.add_argument(
        "--tenant-profile",
        default=None,
        metavar="PATH",
        help="a tenant profile JSON written by Check Planhat Tenant or planhat-check: answer as that tenant did "
        "(its custom fields, the fields of its rows, its page caps, 401/403/404 on the paths its token may not read)",
    )
    parser.add_argument(
        "--no-request-bodies", action="store_true", help="keep request bodies out of the request log (big loads)"
    )
    parser.add_argument(
        "--secrets-file",
        default=None,
        help="write a FileSecrets JSON for this simulator (secret planhat_api), mode 0600; an existing file is "
        "refused, never overwritten",
    )
    parser.add_argument(
        "--control-token",
        default=None,
        help="token the control API (/_simulator/) requires in X-Simulator-Token; generated and printed when "
        "--host is not a loopback address",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        simulator = PlanhatSimulator(
            api_key=args.api_key,
            tenant=args.tenant,
            read_only_key=args.read_only_key,
            host=args.host,
            port=args.port,
            rate_limit=args.rate_limit,
            per_second=args.per_second,
            seed=args.seed,
            state_file=args.state,
            keep_bodies=not args.no_request_bodies,
            control_token=args.control_token,
            latency=args.latency,
            latency_per_item=args.latency_per_item,
            tenant_profile=args.tenant_profile,
        )
        url = simulator.start()
    except (OSError, ValueError) as error:
        print(f"planhat-simulator: {error}", file=sys.stderr)
        return 2
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())  # before the URL: a caller may stop it at once
    print(url, flush=True)
    if simulator.control_token and not args.control_token:
        print(
            f"planhat-simulator: listening on {args.host}, beyond loopback: the control API (/_simulator/) needs the "
            f"header X-Simulator-Token: {simulator.control_token}",
            file=sys.stderr,
            flush=True,
        )
    secret = {"api_key": args.api_key, "tenant_uuid": args.tenant, "api_url": url, "analytics_url": url}
    print(f"planhat-simulator: api_key {args.api_key}, tenant {args.tenant}", file=sys.stderr, flush=True)
    print(f"planhat-simulator: secrets {json.dumps({'planhat_api': secret})}", file=sys.stderr, flush=True)
    profile = simulator.tenant_profile
    if profile is not None:
        print(
            f"planhat-simulator: answering as the tenant of {args.tenant_profile} ({len(profile.paths)} path(s), "
            f"{len(profile.customfields)} custom field(s))",
            file=sys.stderr,
            flush=True,
        )
    if args.secrets_file:
        try:
            write_secrets(Path(args.secrets_file), {"planhat_api": secret})
        except OSError as error:
            print(f"planhat-simulator: cannot write {args.secrets_file}: {error}", file=sys.stderr)
            simulator.stop()
            return 2
        print(f"planhat-simulator: wrote {args.secrets_file}", file=sys.stderr, flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
    return 0


def write_secrets(path: Path, secrets: dict[str, object]) -> None:
    """Write ``secrets`` to a new file, mode 0600, atomically; an existing file is never replaced."""
    if path.exists():
        raise FileExistsError(f"'{path}' exists; give a new file (its secrets are left as they are)")
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path())  # created 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(secrets, out, indent=2)
        os.link(name, path)  # fails if the name was taken meanwhile
    finally:
        os.unlink(name)


if __name__ == "__main__":
    sys.exit(main())
