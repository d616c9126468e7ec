"""The tests' AWS emulator: moto's server, one request at a time.

moto serves requests on threads without a lock around an operation, so two
conditional writes sent at the same instant can both pass their condition,
which DynamoDB never allows. Tests that race requests on purpose need the
emulator to be as atomic as the real service: every request runs under one
lock, except SQS long polls (they only wait, and would stall the rest).

Usage: python3 infra/serial_emulator.py HOST PORT
"""

import sys
import threading

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

ONE_AT_A_TIME = threading.Lock()


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)

    def serial(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").endswith(".ReceiveMessage"):
            return app(environ, start_response)
        with ONE_AT_A_TIME:
            # moto builds the whole response inside the call.
            return list(app(environ, start_response))

    run_simple(host, port, serial, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
