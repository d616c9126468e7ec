"""The tests' AWS emulator: moto's server, one request at a time.

moto serves requests on threads without a lock around an operation, so two
conditional writes sent at the same instant can both pass their condition,
which DynamoDB never allows. Tests that race requests on purpose need the
emulator to be as atomic as the real service: every request runs under one
lock, except SQS long polls (they only wait, and would stall the rest).

moto also snapshots a table for rollback once per write of a transaction
(the same table again and again, a deep copy each time): a transaction of
15 writes on a table of 2,000 items copied 30,000 items, and the emulator
grew by gigabytes over the garage tests. One snapshot per table and
transaction is the same rollback (`_one_snapshot_per_transaction`).

Usage: python3 infra/serial_emulator.py HOST PORT
"""

import copy
import sys
import threading

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

ONE_AT_A_TIME = threading.Lock()


class _TableSnapshots:
    """Stands in for the `copy` module inside moto's DynamoDB models: while
    a transaction runs, a table is deep-copied once and the copy reused."""

    def __init__(self, table_type):
        self.table_type = table_type
        self.taken = None  # id(table) -> (table, snapshot) during a transaction

    def deepcopy(self, value, memo=None):
        if self.taken is None or not isinstance(value, self.table_type):
            return copy.deepcopy(value, memo)
        if id(value) not in self.taken:
            # The table itself is kept too, so its id cannot be reused.
            self.taken[id(value)] = (value, copy.deepcopy(value))
        return self.taken[id(value)][1]

    def __getattr__(self, name):
        return getattr(copy, name)


def _one_snapshot_per_transaction():
    try:
        from moto.dynamodb import models
        from moto.dynamodb.models.table import Table
    except ImportError:  # another moto layout: keep its own behaviour
        return
    snapshots = _TableSnapshots(Table)
    models.copy = snapshots
    transact = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        snapshots.taken = {}
        try:
            return transact(self, transact_items)
        finally:
            snapshots.taken = None

    models.DynamoDBBackend.transact_write_items = transact_write_items


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    _one_snapshot_per_transaction()
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
