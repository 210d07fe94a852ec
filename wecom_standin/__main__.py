"""`python -m wecom_standin --port 8081`: serve the sample corp in the foreground."""

from __future__ import annotations

import argparse

from .corp import Corp
from .fixtures import SAMPLE_CONTACT_SECRET
from .server import DEFAULT_WEBHOOK_KEY, StandIn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="wecom_standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--webhook-key", action="append", default=[], help="extra robot keys to accept")
    parser.add_argument("--log-requests", action="store_true", help="print one line per request")
    args = parser.parse_args(argv)
    corp = Corp.sample()
    standin = StandIn(
        corp,
        args.host,
        args.port,
        webhook_keys=[DEFAULT_WEBHOOK_KEY, *args.webhook_key],
        quiet=not args.log_requests,
    )
    standin.bind()  # so the real port can be printed
    print(f"WeCom stand-in listening on {standin.url}")
    print(f"  API base (WECOM_API_BASE): {standin.api_base}")
    print(f"  corp id:        {corp.corp_id}")
    print(f"  agent id:       {corp.agent_id}")
    print(f"  app secret:     {corp.secret}")
    print(f"  contact secret: {SAMPLE_CONTACT_SECRET}")
    print(f"  webhook keys:   {', '.join(sorted(standin.state.webhook_keys))}")
    print(f"  callback token: {corp.callback_token}")
    print(f"  callback EncodingAESKey: {corp.callback_aes_key}", flush=True)
    try:
        standin.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()


if __name__ == "__main__":
    main()
