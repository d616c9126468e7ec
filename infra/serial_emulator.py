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

And moto answers every Query by walking every item of the table, which
made an index Query on a table of a million items (the garage bench at
100,000 garages) take tens of seconds. Index queries now walk only the
items whose index partition key is the one asked for, from buckets built
once per state of the table (`_index_buckets`); moto still checks every
condition itself, so answers are the same.

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


def _index_buckets():
    try:
        from moto.dynamodb import models
        from moto.dynamodb.models.table import Table
    except ImportError:  # another moto layout: keep its own behaviour
        return

    def changed(table):
        table.__dict__.pop("_buckets", None)

    def after(method, table_of):
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            finally:
                table = table_of(self, args, kwargs)
                if table is not None:
                    changed(table)

        return wrapper

    Table.put_item = after(Table.put_item, lambda table, _a, _k: table)
    Table.delete_item = after(Table.delete_item, lambda table, _a, _k: table)

    def table_named(backend, args, kwargs):
        name = args[0] if args else kwargs.get("table_name")
        return backend.tables.get(name)

    # An update changes an item in place (or puts a new one).
    models.DynamoDBBackend.update_item = after(
        models.DynamoDBBackend.update_item, table_named
    )

    def bucket(table, attribute, value):
        buckets = table.__dict__.get("_buckets")
        if buckets is None:
            buckets = table.__dict__["_buckets"] = {}
        if attribute not in buckets:
            by_value = {}
            for item in Table.all_items(table):
                found = item.attrs.get(attribute) if hasattr(item, "attrs") else None
                if found is not None:
                    by_value.setdefault(repr(found.value), []).append(item)
            buckets[attribute] = by_value
        return buckets[attribute].get(repr(value.value), [])

    query = Table.query

    def indexed_query(self, *args, **kwargs):
        conditions = kwargs.get("hash_key_conditions") or []
        # moto's backend passes the index name as the 8th positional argument.
        index_name = args[7] if len(args) > 7 else kwargs.get("index_name")
        if not index_name or len(conditions) != 1:
            return query(self, *args, **kwargs)
        attribute, value = conditions[0]
        candidates = bucket(self, attribute, value)
        self.all_items = lambda: list(candidates)
        try:
            return query(self, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = indexed_query


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    _one_snapshot_per_transaction()
    _index_buckets()
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
